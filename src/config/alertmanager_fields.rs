//! The nested, templated parts of Alertmanager integrations (Slack fields and actions,
//! PagerDuty links and images) and the templated fields of e-mail, read for the offline
//! template checks. Strict where the whole object is modelled, as in Alertmanager; e-mail keeps
//! its SMTP settings to `amtool check-config`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// The templated fields of an e-mail integration (its SMTP settings are not read here).
#[derive(Debug, Deserialize)]
pub struct EmailConfig {
    /// Also notify when the group resolves (Alertmanager's default for e-mail: false).
    #[serde(default)]
    pub send_resolved: Option<bool>,
    /// Recipients (template).
    #[serde(default)]
    pub to: Option<String>,
    /// Headers (`Subject`, …): each value is a template.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTML body (an HTML template: values are escaped).
    #[serde(default)]
    pub html: Option<String>,
    /// Plain-text body (template).
    #[serde(default)]
    pub text: Option<String>,
}

/// One attachment field of a Slack message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackField {
    /// Field title (template).
    #[serde(default)]
    pub title: Option<String>,
    /// Field value (template).
    #[serde(default)]
    pub value: Option<String>,
    /// Shown side by side with others.
    #[serde(default)]
    pub short: Option<bool>,
}

/// One button of a Slack message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackAction {
    /// `button`.
    #[serde(default, rename = "type")]
    pub action_type: Option<String>,
    /// Button text (template).
    #[serde(default)]
    pub text: Option<String>,
    /// Button link (template).
    #[serde(default)]
    pub url: Option<String>,
    /// `default`, `primary` or `danger`.
    #[serde(default)]
    pub style: Option<String>,
    /// Name sent back to an interactive app.
    #[serde(default)]
    pub name: Option<String>,
    /// Value sent back to an interactive app.
    #[serde(default)]
    pub value: Option<String>,
    /// Confirmation dialog: not rendered here.
    #[serde(default)]
    pub confirm: Option<IgnoredAny>,
}

/// One link of a PagerDuty incident.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyLink {
    /// Target (template).
    #[serde(default)]
    pub href: Option<String>,
    /// Text (template).
    #[serde(default)]
    pub text: Option<String>,
}

/// One image of a PagerDuty incident.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyImage {
    /// Image address (template).
    #[serde(default)]
    pub src: Option<String>,
    /// Alternative text (template).
    #[serde(default)]
    pub alt: Option<String>,
    /// Link (template).
    #[serde(default)]
    pub href: Option<String>,
}
