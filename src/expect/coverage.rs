//! The acceptance file's `coverage:` block: which dimensions of the coverage section a run must
//! cover, and how much of each (`all`, or a share such as `90%`). Strict: an unknown dimension
//! or a bad value is a located error naming what is allowed.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// The block as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCoverage {
    /// Alerting rules that fired (those matched by `ignore_alerts` are not counted).
    #[serde(default)]
    alerts: Option<Spanned<String>>,
    /// Recording rules whose series existed during the run.
    #[serde(default)]
    recording_rules: Option<Spanned<String>>,
    /// Nodes of the routing tree matched by a notified alert.
    #[serde(default)]
    routes: Option<Spanned<String>>,
    /// Receiver integrations that got a notification.
    #[serde(default)]
    receivers: Option<Spanned<String>>,
    /// Inhibition rules that suppressed an alert.
    #[serde(default)]
    inhibit_rules: Option<Spanned<String>>,
    /// Visible panel targets that drew data.
    #[serde(default)]
    panels: Option<Spanned<String>>,
    /// Contract metric families whose samples changed during the run.
    #[serde(default)]
    metrics: Option<Spanned<String>>,
}

/// How much of a dimension must be covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Required {
    /// Least covered share, percent (100 for `all`).
    pub min_percent: u8,
}

impl std::fmt::Display for Required {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.min_percent == 100 {
            f.write_str("all")
        } else {
            write!(f, "{}%", self.min_percent)
        }
    }
}

/// The coverage a run must reach, per dimension (None: informational only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoverageRequirements {
    /// `alerts`.
    pub alerts: Option<Required>,
    /// `recording_rules`.
    pub recording_rules: Option<Required>,
    /// `routes`.
    pub routes: Option<Required>,
    /// `receivers`.
    pub receivers: Option<Required>,
    /// `inhibit_rules`.
    pub inhibit_rules: Option<Required>,
    /// `panels`.
    pub panels: Option<Required>,
    /// `metrics`.
    pub metrics: Option<Required>,
}

impl CoverageRequirements {
    /// True when no dimension is required.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// `all` or `N%` (1..=100) into a requirement; else the error's text.
fn parse_required(v: &str) -> Result<Required, String> {
    let v = v.trim();
    if v == "all" {
        return Ok(Required { min_percent: 100 });
    }
    match v.strip_suffix('%').map(|n| n.trim().parse::<u8>()) {
        Some(Ok(n)) if (1..=100).contains(&n) => Ok(Required { min_percent: n }),
        _ => Err(format!(
            "`{v}` is not a coverage requirement (allowed: `all`, or a whole percentage from `1%` to `100%`, e.g. `90%`)"
        )),
    }
}

/// Validate the block; every bad value is pushed to `errors` as `file:line:column: …`.
pub(crate) fn resolve(
    raw: RawCoverage,
    origin: &str,
    errors: &mut Vec<String>,
) -> CoverageRequirements {
    let mut one = |name: &str, v: Option<Spanned<String>>| {
        let v = v?;
        parse_required(&v.value)
            .map_err(|e| {
                errors.push(format!(
                    "{origin}:{}:{}: coverage.{name}: {e}",
                    v.referenced.line(),
                    v.referenced.column()
                ));
            })
            .ok()
    };
    CoverageRequirements {
        alerts: one("alerts", raw.alerts),
        recording_rules: one("recording_rules", raw.recording_rules),
        routes: one("routes", raw.routes),
        receivers: one("receivers", raw.receivers),
        inhibit_rules: one("inhibit_rules", raw.inhibit_rules),
        panels: one("panels", raw.panels),
        metrics: one("metrics", raw.metrics),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_and_percentages_parse_and_others_are_refused_with_the_allowed_forms() {
        assert_eq!(parse_required("all"), Ok(Required { min_percent: 100 }));
        assert_eq!(parse_required("90%"), Ok(Required { min_percent: 90 }));
        for bad in ["0%", "101%", "90", "most", "9.5%"] {
            let e = parse_required(bad).err().unwrap_or_default();
            assert!(
                e.contains(&format!("`{bad}`")) && e.contains("`all`"),
                "{e}"
            );
        }
        assert_eq!(Required { min_percent: 90 }.to_string(), "90%");
        assert_eq!(Required { min_percent: 100 }.to_string(), "all");
    }
}
