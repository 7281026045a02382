//! What the external validators (promtool, amtool) said about the stack's files.

use std::collections::BTreeMap;

/// What running an external tool gave.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolRun {
    /// The tool is not on PATH (the check is skipped, saying so).
    Missing {
        /// The binary that was looked for.
        tool: String,
    },
    /// Not run, and why (`--no-tools`, no file of its kind given).
    Skipped {
        /// The reason, as the check prints it.
        reason: String,
    },
    /// The tool ran.
    Ran {
        /// Exit status was 0.
        success: bool,
        /// Its stdout.
        stdout: String,
        /// Its stderr.
        stderr: String,
    },
    /// The tool is present but could not be started.
    Failed {
        /// Why.
        error: String,
    },
}

/// One `amtool config routes test` to run: an expected alert (or a routing case) and the
/// labels it arrives with.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteTest {
    /// Alert name (for a routing case: its key, the name or position of its check id).
    pub alert: String,
    /// Its full label set (`alertname`, the rule's labels, the expectation's extra labels).
    pub labels: BTreeMap<String, String>,
}

/// What the external validators said about the stack's files, gathered before judging so the
/// checks only read values.
#[derive(Debug, Clone, PartialEq)]
pub struct StackTools {
    /// `promtool check rules` on every rule file.
    pub promtool_rules: ToolRun,
    /// `amtool check-config` on `alertmanager.yml`.
    pub amtool_config: ToolRun,
    /// `amtool config routes test`, one run per route test, in the order asked.
    pub amtool_routes: Vec<(RouteTest, ToolRun)>,
    /// `amtool config routes test` on every routing case of the routes expectations, in file
    /// order (`alert` is the case's key).
    pub amtool_cases: Vec<(RouteTest, ToolRun)>,
    /// `amtool template render` on every templated receiver field, with sample alerts.
    pub amtool_templates: TemplateRuns,
}

/// One offline rendering of Alertmanager templates: every templated field of one receiver's
/// integrations, for one sample notification (one alert of a rule routed there, firing or
/// resolved).
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRender {
    /// The receiver the notification goes to.
    pub receiver: String,
    /// The alert (rule) the sample notification carries.
    pub alert: String,
    /// `firing` or `resolved`.
    pub status: String,
    /// The sample alert's labels (`alertname` and the rule's labels).
    pub labels: BTreeMap<String, String>,
    /// The group labels of the route that sends it there.
    pub group_labels: BTreeMap<String, String>,
    /// Whether the route groups by every label (`group_by: ['...']`).
    pub group_by_all: bool,
    /// The group_by labels of that route, as written.
    pub group_by: Vec<String>,
    /// Each field's place in the receiver (`slack_configs[0].title`) and its template text.
    pub fields: Vec<(String, String)>,
    /// The notification template data (Alertmanager's `template.Data`) as JSON.
    pub data: String,
}

impl TemplateRender {
    /// Whether a field is rendered as HTML (an e-mail's `html` body; values are escaped).
    pub fn is_html(field: &str) -> bool {
        field.starts_with("email_configs[") && field.ends_with("].html")
    }
}

/// The renderings the template checks need, planned from the config before any tool runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplatePlan {
    /// The config's `templates:` globs, resolved against the config file's folder.
    pub globs: Vec<String>,
    /// Receivers with at least one templated field, in config order.
    pub receivers: Vec<String>,
    /// The renderings to run, at most the plan's cap.
    pub renders: Vec<TemplateRender>,
    /// Receiver → renderings left out by the cap.
    pub left_out: BTreeMap<String, usize>,
}

/// What `amtool template render` gave for a [`TemplatePlan`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateRuns {
    /// The plan that was run.
    pub plan: TemplatePlan,
    /// One run per field of each rendering, in the plan's order.
    pub results: Vec<Vec<ToolRun>>,
    /// How many times amtool was started.
    pub invocations: usize,
    /// The config's template files (its `templates:` globs expanded), for the checks to find
    /// the definitions a field calls.
    pub files: Vec<TemplateFile>,
}

/// One template file of the config, as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TemplateFile {
    /// Its path, as the glob resolved it.
    pub path: String,
    /// Its text.
    pub text: String,
}
