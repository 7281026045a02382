//! `config/slos.yaml` as written: strict serde structs (`deny_unknown_fields`) with source
//! positions on every value that resolving may reject. `model::resolve` turns it into an
//! [`super::SloSet`]; `schemas/slos.schema.json` is generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// The SLOs of a stack and the burn-rate tiers that alert on them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "obsgate SLOs")]
pub struct RawSloFile {
    /// Burn-rate tiers of every SLO that does not list its own (default: the SRE workbook's
    /// four: page 2 % of the budget in 1h/5m, page 5 % in 6h/30m, ticket 10 % in 1d/2h,
    /// ticket 10 % in 3d/6h).
    #[serde(default)]
    pub tiers: Option<Vec<RawTier>>,
    /// The SLOs, one alert group and one recording group each.
    #[schemars(with = "Vec<RawSlo>")]
    pub slos: Spanned<Vec<RawSlo>>,
}

/// One service level objective.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    /// Name: lowercase letters, digits and `-` (the `slo` label of every generated series).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What the SLO promises, for humans (the alerts' description).
    #[serde(default)]
    pub description: Option<String>,
    /// Objective in percent of good events, e.g. `99.5` (strictly between 0 and 100).
    #[schemars(with = "f64")]
    pub objective_percent: Spanned<f64>,
    /// Window the objective holds over (and the error budget is spent over), e.g. `30d`.
    #[schemars(with = "String")]
    pub window: Spanned<String>,
    /// The service level indicator.
    pub sli: RawSli,
    /// Labels added to every generated rule of this SLO, e.g. `service: video-pipeline`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Runbook of the burn alerts: an http(s) URL or a path in this repository.
    #[schemars(with = "String")]
    pub runbook_url: Spanned<String>,
    /// Burn-rate tiers of this SLO (default: the file's `tiers`, else the workbook's four).
    #[serde(default)]
    pub tiers: Option<Vec<RawTier>>,
}

/// Good and total events, as counter selectors (`metric{label="v"}`); the generator wraps each
/// in `sum(rate(…[window]))`. The error ratio is `1 - good / total`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSli {
    /// Counter selector of good events, e.g. `pipeline_duration_seconds_count{status="succeeded"}`.
    #[schemars(with = "String")]
    pub good: Spanned<String>,
    /// Counter selector of all events, e.g. `pipeline_duration_seconds_count`.
    #[schemars(with = "String")]
    pub total: Spanned<String>,
}

/// How a tier's alert is handled by people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TierSeverity {
    /// Wakes someone up: `severity: critical`.
    Page,
    /// Handled in working hours: `severity: warning`.
    Ticket,
}

impl TierSeverity {
    /// The `tier` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            TierSeverity::Page => "page",
            TierSeverity::Ticket => "ticket",
        }
    }

    /// The `severity` label value the routing tree routes on.
    pub fn severity_label(self) -> &'static str {
        match self {
            TierSeverity::Page => "critical",
            TierSeverity::Ticket => "warning",
        }
    }
}

/// One multi-window burn-rate tier: fire when both windows burn faster than the rate that
/// spends `budget_percent` of the budget in `long_window`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// `page` or `ticket`.
    pub severity: TierSeverity,
    /// Share of the whole error budget this tier detects the spending of, in percent (e.g. `2`).
    #[schemars(with = "f64")]
    pub budget_percent: Spanned<f64>,
    /// The long window (the alert's detection window), e.g. `1h`.
    #[schemars(with = "String")]
    pub long_window: Spanned<String>,
    /// The short window that makes the alert reset quickly, e.g. `5m` (shorter than the long one).
    #[schemars(with = "String")]
    pub short_window: Spanned<String>,
    /// `for` of the alert (default `0s`: the two windows already smooth the signal).
    #[serde(default, rename = "for")]
    #[schemars(with = "Option<String>")]
    pub for_: Option<Spanned<String>>,
}
