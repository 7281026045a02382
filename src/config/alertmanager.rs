//! Raw model of `alertmanager.yml`: the routing tree, inhibition rules, the parts of receivers
//! that decide where a notification lands (Slack channel, PagerDuty routing key) and the
//! templated fields of Slack, PagerDuty and e-mail (rendered offline by the template checks).
//! Strict at the levels routing depends on, like Alertmanager; the other per-integration fields
//! (HTTP settings, styling) are not read here and are left to `amtool check-config`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

pub use super::alertmanager_fields::{
    EmailConfig, PagerDutyImage, PagerDutyLink, SlackAction, SlackField,
};

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerConfig {
    /// Global defaults (URLs, timeouts): not read by the routing checks.
    #[serde(default)]
    pub global: Option<IgnoredAny>,
    /// The root of the routing tree.
    #[serde(default)]
    pub route: Option<Route>,
    /// Inhibition rules, with where each starts.
    #[serde(default)]
    pub inhibit_rules: Vec<Spanned<InhibitRule>>,
    /// Notification receivers.
    #[serde(default)]
    pub receivers: Vec<Receiver>,
    /// Template file globs.
    #[serde(default)]
    pub templates: Vec<String>,
    /// Named time intervals (newer form).
    #[serde(default)]
    pub time_intervals: Vec<NamedTimeInterval>,
    /// Named time intervals (older form, same shape).
    #[serde(default)]
    pub mute_time_intervals: Vec<NamedTimeInterval>,
    /// Tracing settings (Alertmanager >= 0.27).
    #[serde(default)]
    pub tracing: Option<IgnoredAny>,
}

/// One node of the routing tree.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Receiver name; inherited from the parent when absent.
    #[serde(default)]
    pub receiver: Option<Spanned<String>>,
    /// Labels to group by (`...` groups by all); inherited when absent.
    #[serde(default)]
    pub group_by: Option<Vec<String>>,
    /// Keep matching siblings after this route matched.
    #[serde(default, rename = "continue")]
    pub continue_matching: bool,
    /// Equality matchers (deprecated form).
    #[serde(default, rename = "match")]
    pub match_eq: BTreeMap<String, String>,
    /// Regex matchers, anchored (deprecated form).
    #[serde(default)]
    pub match_re: BTreeMap<String, String>,
    /// Matchers in the string syntax (`severity=~"warning|info"`).
    #[serde(default)]
    pub matchers: Vec<Spanned<String>>,
    /// Wait before the first notification of a group (duration); inherited when absent.
    #[serde(default)]
    pub group_wait: Option<String>,
    /// Wait between notifications of a changed group (duration); inherited when absent.
    #[serde(default)]
    pub group_interval: Option<String>,
    /// Wait before repeating an unchanged notification (duration); inherited when absent.
    #[serde(default)]
    pub repeat_interval: Option<String>,
    /// Names of the time intervals when this route is muted.
    #[serde(default)]
    pub mute_time_intervals: Vec<Spanned<String>>,
    /// Names of the time intervals when this route is active.
    #[serde(default)]
    pub active_time_intervals: Vec<Spanned<String>>,
    /// Labels added to the alerts of this route (Alertmanager >= 0.34).
    #[serde(default)]
    pub labels: Option<IgnoredAny>,
    /// Child routes, tried in order.
    #[serde(default)]
    pub routes: Vec<Route>,
}

/// One inhibition rule: a firing source alert mutes matching target alerts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InhibitRule {
    /// Source equality matchers (deprecated form).
    #[serde(default)]
    pub source_match: BTreeMap<String, String>,
    /// Source regex matchers (deprecated form).
    #[serde(default)]
    pub source_match_re: BTreeMap<String, String>,
    /// Source matchers, string syntax.
    #[serde(default)]
    pub source_matchers: Vec<Spanned<String>>,
    /// Target equality matchers (deprecated form).
    #[serde(default)]
    pub target_match: BTreeMap<String, String>,
    /// Target regex matchers (deprecated form).
    #[serde(default)]
    pub target_match_re: BTreeMap<String, String>,
    /// Target matchers, string syntax.
    #[serde(default)]
    pub target_matchers: Vec<Spanned<String>>,
    /// Labels that must have equal values on source and target.
    #[serde(default)]
    pub equal: Vec<String>,
}

/// A receiver. Only Slack and PagerDuty integrations are read in detail (they are what the
/// stack routes to); the others are accepted so any valid config parses.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    /// Receiver name, referenced by routes.
    pub name: Spanned<String>,
    /// Slack integrations.
    #[serde(default)]
    pub slack_configs: Vec<SlackConfig>,
    /// PagerDuty integrations.
    #[serde(default)]
    pub pagerduty_configs: Vec<PagerDutyConfig>,
    /// E-mail integrations.
    #[serde(default)]
    pub email_configs: Vec<EmailConfig>,
    /// Generic webhooks.
    #[serde(default)]
    pub webhook_configs: Option<Vec<IgnoredAny>>,
    /// OpsGenie integrations.
    #[serde(default)]
    pub opsgenie_configs: Option<Vec<IgnoredAny>>,
    /// Pushover integrations.
    #[serde(default)]
    pub pushover_configs: Option<Vec<IgnoredAny>>,
    /// VictorOps integrations.
    #[serde(default)]
    pub victorops_configs: Option<Vec<IgnoredAny>>,
    /// WeChat integrations.
    #[serde(default)]
    pub wechat_configs: Option<Vec<IgnoredAny>>,
    /// Telegram integrations.
    #[serde(default)]
    pub telegram_configs: Option<Vec<IgnoredAny>>,
    /// Amazon SNS integrations.
    #[serde(default)]
    pub sns_configs: Option<Vec<IgnoredAny>>,
    /// Webex integrations.
    #[serde(default)]
    pub webex_configs: Option<Vec<IgnoredAny>>,
    /// Discord integrations.
    #[serde(default)]
    pub discord_configs: Option<Vec<IgnoredAny>>,
    /// Microsoft Teams integrations.
    #[serde(default)]
    pub msteams_configs: Option<Vec<IgnoredAny>>,
    /// Microsoft Teams (workflows) integrations.
    #[serde(default)]
    pub msteamsv2_configs: Option<Vec<IgnoredAny>>,
    /// Jira integrations.
    #[serde(default)]
    pub jira_configs: Option<Vec<IgnoredAny>>,
    /// Rocket.Chat integrations.
    #[serde(default)]
    pub rocketchat_configs: Option<Vec<IgnoredAny>>,
}

impl Receiver {
    /// How many integrations (entries of every `*_configs` list) it has; 0 for a receiver
    /// that notifies nobody (a deliberate "null" receiver, or a placeholder).
    pub fn integrations(&self) -> usize {
        let others = [
            &self.webhook_configs,
            &self.opsgenie_configs,
            &self.pushover_configs,
            &self.victorops_configs,
            &self.wechat_configs,
            &self.telegram_configs,
            &self.sns_configs,
            &self.webex_configs,
            &self.discord_configs,
            &self.msteams_configs,
            &self.msteamsv2_configs,
            &self.jira_configs,
            &self.rocketchat_configs,
        ];
        self.slack_configs.len()
            + self.pagerduty_configs.len()
            + self.email_configs.len()
            + others
                .iter()
                .map(|c| c.as_ref().map_or(0, Vec::len))
                .sum::<usize>()
    }
}

/// One named time interval (`time_intervals:` or the older `mute_time_intervals:`): active
/// when any of its entries is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedTimeInterval {
    /// The name routes refer to.
    pub name: Spanned<String>,
    /// Its entries; an entry with no field set is always active.
    #[serde(default)]
    pub time_intervals: Vec<Spanned<TimeIntervalEntry>>,
}

/// One entry of a named time interval: active when every field that is set matches (a field
/// absent or null is unset; an explicitly empty list is kept apart as `Some(vec![])`). Values
/// are kept as written (ranges such as `monday:friday`, `-3:-1`); their validation is a
/// check's, so every bad value is reported with its position.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeIntervalEntry {
    /// Times of day (`start_time`/`end_time`, `HH:MM`).
    #[serde(default)]
    pub times: Option<Vec<Spanned<TimeRangeEntry>>>,
    /// Weekday names or ranges.
    #[serde(default)]
    pub weekdays: Option<Vec<Spanned<String>>>,
    /// Days of the month (1..31, -31..-1) or ranges.
    #[serde(default)]
    pub days_of_month: Option<Vec<Spanned<String>>>,
    /// Month names, numbers or ranges.
    #[serde(default)]
    pub months: Option<Vec<Spanned<String>>>,
    /// Years or ranges.
    #[serde(default)]
    pub years: Option<Vec<Spanned<String>>>,
    /// Time zone (`Local`, `UTC`, an IANA name); UTC when absent.
    #[serde(default)]
    pub location: Option<Spanned<String>>,
}

/// One time-of-day range of a time interval entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeRangeEntry {
    /// Start, `HH:MM`, inclusive.
    #[serde(default)]
    pub start_time: Option<Spanned<String>>,
    /// End, `HH:MM` (up to `24:00`), exclusive.
    #[serde(default)]
    pub end_time: Option<Spanned<String>>,
}

/// A Slack integration: where it lands (the channel) and its templated fields. Lenient at this
/// level (its HTTP settings and styling keys are left to `amtool check-config`); the nested
/// fields and actions are strict, as in Alertmanager.
#[derive(Debug, Deserialize)]
pub struct SlackConfig {
    /// Channel (`#critical`) or user; default: the webhook's own channel.
    #[serde(default)]
    pub channel: Option<String>,
    /// Also notify when the group resolves (Alertmanager's default for Slack: false).
    #[serde(default)]
    pub send_resolved: Option<bool>,
    /// Message title (template).
    #[serde(default)]
    pub title: Option<String>,
    /// Link of the title (template).
    #[serde(default)]
    pub title_link: Option<String>,
    /// Message body (template).
    #[serde(default)]
    pub text: Option<String>,
    /// Text above the attachment (template).
    #[serde(default)]
    pub pretext: Option<String>,
    /// Plain-text summary (template).
    #[serde(default)]
    pub fallback: Option<String>,
    /// Footer (template).
    #[serde(default)]
    pub footer: Option<String>,
    /// Attachment fields.
    #[serde(default)]
    pub fields: Vec<SlackField>,
    /// Message buttons.
    #[serde(default)]
    pub actions: Vec<SlackAction>,
}

/// The routing-relevant part and the templated fields of a PagerDuty integration.
#[derive(Debug, Deserialize)]
pub struct PagerDutyConfig {
    /// Events API v2 integration key.
    #[serde(default)]
    pub routing_key: Option<String>,
    /// Events API v1 integration key (older).
    #[serde(default)]
    pub service_key: Option<String>,
    /// Also notify when the group resolves (Alertmanager's default for PagerDuty: true).
    #[serde(default)]
    pub send_resolved: Option<bool>,
    /// Incident summary (template).
    #[serde(default)]
    pub description: Option<String>,
    /// Client name (template).
    #[serde(default)]
    pub client: Option<String>,
    /// Client link (template).
    #[serde(default)]
    pub client_url: Option<String>,
    /// Custom details: each value is a template.
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    /// Links attached to the incident.
    #[serde(default)]
    pub links: Vec<PagerDutyLink>,
    /// Images attached to the incident.
    #[serde(default)]
    pub images: Vec<PagerDutyImage>,
}
