//! The `notification:` block of an alert expectation: what its Slack messages and PagerDuty
//! triggers must say (matchers: a plain string is exact, `{regex: '...'}` is anchored), and
//! whether every firing message needs a runbook link and the alert a resolved message.

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::error::{Collector, Pos};
use super::matchers::{StrMatcher, StrOrMatcherRaw};

/// `required` or `optional` (the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Requirement {
    /// Must hold.
    Required,
    /// Not judged.
    #[default]
    Optional,
}

/// Slack matchers as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlack {
    /// The first attachment's `title` of every firing message.
    #[serde(default)]
    title: Option<Spanned<StrOrMatcherRaw>>,
    /// The first attachment's `text` of every firing message.
    #[serde(default)]
    text: Option<Spanned<StrOrMatcherRaw>>,
}

/// PagerDuty matchers as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPagerDuty {
    /// `payload.summary` (v1: `description`) of every trigger.
    #[serde(default)]
    summary: Option<Spanned<StrOrMatcherRaw>>,
    /// `payload.severity` of every trigger.
    #[serde(default)]
    severity: Option<Spanned<StrOrMatcherRaw>>,
}

/// The `notification:` block as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotification {
    /// Matchers of the Slack messages.
    #[serde(default)]
    slack: Option<RawSlack>,
    /// Matchers of the PagerDuty triggers.
    #[serde(default)]
    pagerduty: Option<RawPagerDuty>,
    /// `required`: every firing Slack / PagerDuty message carries a runbook link.
    #[serde(default)]
    runbook_link: Requirement,
    /// `required`: a resolved message arrives after the alert resolved.
    #[serde(default)]
    resolved_message: Requirement,
}

/// The resolved `notification:` block.
#[derive(Debug, Clone, Default)]
pub struct NotificationExpectation {
    /// Slack `title` of every firing message.
    pub slack_title: Option<StrMatcher>,
    /// Slack `text` of every firing message.
    pub slack_text: Option<StrMatcher>,
    /// PagerDuty summary of every trigger.
    pub pagerduty_summary: Option<StrMatcher>,
    /// PagerDuty severity of every trigger.
    pub pagerduty_severity: Option<StrMatcher>,
    /// Every firing message needs a runbook link.
    pub runbook_link: Requirement,
    /// A resolved message must follow the resolution.
    pub resolved_message: Requirement,
}

fn one(
    m: &Option<Spanned<StrOrMatcherRaw>>,
    what: &str,
    errs: &mut Collector,
) -> Option<StrMatcher> {
    m.as_ref().map(|s| s.value.resolve(Pos::of(s), what, errs))
}

impl RawNotification {
    /// Compile the matchers; a bad regex is an error at its line:column (`alert`'s).
    pub(super) fn resolve(
        &self,
        source: &str,
        alert: &str,
        errs: &mut Vec<String>,
    ) -> NotificationExpectation {
        let mut c = Collector::new(source);
        let what = |f: &str| format!("alert `{alert}`: notification.{f}");
        let slack = self.slack.as_ref();
        let pd = self.pagerduty.as_ref();
        let out = NotificationExpectation {
            slack_title: slack.and_then(|s| one(&s.title, &what("slack.title"), &mut c)),
            slack_text: slack.and_then(|s| one(&s.text, &what("slack.text"), &mut c)),
            pagerduty_summary: pd.and_then(|p| one(&p.summary, &what("pagerduty.summary"), &mut c)),
            pagerduty_severity: pd
                .and_then(|p| one(&p.severity, &what("pagerduty.severity"), &mut c)),
            runbook_link: self.runbook_link,
            resolved_message: self.resolved_message,
        };
        if let Err(e) = c.finish(()) {
            errs.extend(e.0.iter().map(ToString::to_string));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::expect::alerts::{Requirement, load, parse};

    const BASE: &str =
        "alerts:\n  - alert: A\n    fires_in: storm\n    within: 2m\n    notification:\n";

    #[test]
    fn plain_strings_are_exact_and_regexes_anchored() {
        let text = format!(
            "{BASE}      slack: {{title: '[FIRING] A', text: {{regex: 'A .*'}}}}\n      pagerduty: {{severity: critical}}\n      runbook_link: required\n"
        );
        let e = parse(&text, "a.yaml").unwrap_or_else(|e| panic!("{e}"));
        let n = e.alerts[0].notification.clone().unwrap_or_default();
        let title = n.slack_title.unwrap_or_default();
        assert!(title.matches("[FIRING] A") && !title.matches("[FIRING] AB"));
        let body = n.slack_text.unwrap_or_default();
        assert!(body.matches("A fired") && !body.matches("xA fired"));
        assert!(n.pagerduty_severity.is_some_and(|s| s.matches("critical")));
        assert!(n.pagerduty_summary.is_none());
        assert_eq!(n.runbook_link, Requirement::Required);
        assert_eq!(n.resolved_message, Requirement::Optional);
    }

    #[test]
    fn bad_values_are_located_errors_naming_what_is_allowed() {
        let bad_re = format!("{BASE}      slack: {{title: {{regex: '(x'}}}}\n");
        let err = parse(&bad_re, "a.yaml").unwrap_err().message;
        assert!(
            err.contains("a.yaml:6:")
                && err.contains("notification.slack.title")
                && err.contains("`(x`"),
            "{err}"
        );
        let bad_key = format!("{BASE}      slack: {{titel: x}}\n");
        let err = parse(&bad_key, "a.yaml").unwrap_err().message;
        assert!(err.contains("titel") && err.contains("a.yaml"), "{err}");
        let bad_req = format!("{BASE}      runbook_link: always\n");
        let err = parse(&bad_req, "a.yaml").unwrap_err().message;
        assert!(err.contains("always") && err.contains("required"), "{err}");
        let bad_matcher = format!("{BASE}      pagerduty: {{summary: {{regx: x}}}}\n");
        let err = parse(&bad_matcher, "a.yaml").unwrap_err().message;
        assert!(err.contains("regx"), "{err}");
    }

    #[test]
    fn shipped_storm_matchers_hold_for_the_current_and_the_templated_titles() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let e = load(&root.join("expectations/alerts.yaml")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.alerts.len(), 10);
        for a in &e.alerts {
            let n = a
                .notification
                .clone()
                .unwrap_or_else(|| panic!("{}: no notification", a.alert));
            let critical = a.receivers.iter().any(|r| r.starts_with("pagerduty:"));
            assert_eq!(n.pagerduty_summary.is_some(), critical, "{}", a.alert);
            assert_eq!(n.runbook_link, Requirement::Required);
            assert_eq!(n.resolved_message, Requirement::Required);
            let title = n.slack_title.unwrap_or_default();
            for t in [
                format!("[FIRING] {}", a.alert),
                format!("[FIRING:3] {} (video-pipeline)", a.alert),
            ] {
                assert!(title.matches(&t), "{}: {t}", a.alert);
            }
            assert!(!title.matches(&format!("[RESOLVED] {}", a.alert)));
            let text = n.slack_text.unwrap_or_default();
            assert!(text.matches("summary\n - https://x/runbook.md\n") && !text.matches(""));
            if let Some(s) = n.pagerduty_summary {
                assert!(s.matches(&format!("{}: Render failures above 5", a.alert)));
                assert!(s.matches(&format!("[FIRING:1] {}", a.alert)));
            }
        }
    }
}
