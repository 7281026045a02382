//! The resolved SLOs: durations in seconds, selectors parsed, tiers' burn factors computed from
//! the objective's window. Every problem of a file is reported at once, with file:line:column.

use std::collections::BTreeMap;

use serde_saphyr::Spanned;

use super::raw::{RawSlo, RawSloFile, RawTier, TierSeverity};
use crate::config::duration::parse_prom_duration;
use crate::exit::AppError;

/// Every SLO of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct SloSet {
    /// The file it came from, as given.
    pub source: String,
    pub slos: Vec<Slo>,
}

/// One resolved SLO.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// `slo` label value, e.g. `job-success`.
    pub name: String,
    pub description: String,
    /// Objective as a ratio, e.g. 0.995.
    pub objective: f64,
    /// The window as written (`30d`), and in seconds.
    pub window: String,
    pub window_s: f64,
    /// Good and total counter selectors, as written.
    pub good: String,
    pub total: String,
    pub labels: BTreeMap<String, String>,
    pub runbook_url: String,
    pub tiers: Vec<Tier>,
}

impl Slo {
    /// The error budget as a ratio of events (1 - objective).
    pub fn budget(&self) -> f64 {
        1.0 - self.objective
    }

    /// `job-success` → `JobSuccess`: the prefix of this SLO's alert names.
    pub fn camel_name(&self) -> String {
        self.name
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The alert name of one tier, e.g. `JobSuccessBudgetBurn1h`.
    pub fn alert_name(&self, tier: &Tier) -> String {
        format!("{}BudgetBurn{}", self.camel_name(), tier.long_window)
    }
}

/// One resolved burn-rate tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub severity: TierSeverity,
    /// Share of the budget it detects the spending of (0.02 for 2 %).
    pub budget_fraction: f64,
    pub long_window: String,
    pub long_s: f64,
    pub short_window: String,
    pub short_s: f64,
    /// `for` of the alert, seconds.
    pub for_s: f64,
    /// Burn-rate factor: budget_fraction × SLO window ÷ long window (14.4 for 2 % of 30d in 1h).
    pub factor: f64,
}

impl Tier {
    /// Time to detect a steady burn `burn` (× the budget rate) from a clean window, seconds:
    /// the workbook's budget fraction × SLO window ÷ burn rate. None when the burn is at or below
    /// the factor, where the long window never exceeds the threshold.
    pub fn detection_s(&self, slo_window_s: f64, burn: f64) -> Option<f64> {
        (burn > self.factor).then(|| self.budget_fraction * slo_window_s / burn)
    }
}

/// The workbook's four tiers (Google SRE workbook, "Alerting on SLOs", table 5-8 with the
/// ticket tier of 10 % in 1d added by sloth and pyrra).
const DEFAULT_TIERS: [(TierSeverity, f64, &str, &str); 4] = [
    (TierSeverity::Page, 2.0, "1h", "5m"),
    (TierSeverity::Page, 5.0, "6h", "30m"),
    (TierSeverity::Ticket, 10.0, "1d", "2h"),
    (TierSeverity::Ticket, 10.0, "3d", "6h"),
];

fn at<T>(src: &str, s: &Spanned<T>) -> String {
    format!("{src}:{}:{}", s.referenced.line(), s.referenced.column())
}

/// A duration that must be positive; the error names the position and the value.
fn positive(src: &str, s: &Spanned<String>, what: &str, errs: &mut Vec<String>) -> f64 {
    match parse_prom_duration(&s.value) {
        Ok(v) if v > 0.0 => v,
        Ok(_) => {
            errs.push(format!(
                "{}: {what} `{}` must be longer than 0s",
                at(src, s),
                s.value
            ));
            0.0
        }
        Err(e) => {
            errs.push(format!("{}: {what}: {e}", at(src, s)));
            0.0
        }
    }
}

/// Parse `config/slos.yaml` text. Every problem is reported at once.
pub fn parse(text: &str, source: &str) -> Result<SloSet, AppError> {
    let raw: RawSloFile =
        serde_saphyr::from_str(text).map_err(|e| AppError::usage(format!("{source}: {e}")))?;
    let mut errs = Vec::new();
    let shared = raw.tiers.as_deref();
    let mut slos: Vec<Slo> = Vec::new();
    if raw.slos.value.is_empty() {
        errs.push(format!(
            "{}: `slos` is empty (list at least one SLO)",
            at(source, &raw.slos)
        ));
    }
    for s in &raw.slos.value {
        if slos.iter().any(|x| x.name == s.name.value) {
            errs.push(format!(
                "{}: SLO `{}` is defined twice",
                at(source, &s.name),
                s.name.value
            ));
        }
        slos.push(resolve_slo(source, s, shared, &mut errs));
    }
    if !errs.is_empty() {
        return Err(AppError::usage(errs.join("\n")));
    }
    Ok(SloSet {
        source: source.to_string(),
        slos,
    })
}

/// Read and parse an SLO file.
pub fn load(path: &std::path::Path) -> Result<SloSet, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::usage(format!("{}: {e}", path.display())))?;
    parse(&text, &path.display().to_string())
}

fn resolve_slo(src: &str, s: &RawSlo, shared: Option<&[RawTier]>, errs: &mut Vec<String>) -> Slo {
    let name = &s.name.value;
    let name_ok = !name.is_empty()
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !name_ok {
        errs.push(format!(
            "{}: SLO name `{name}`: allowed are lowercase letters, digits and `-`, not first",
            at(src, &s.name)
        ));
    }
    let o = s.objective_percent.value;
    if !(o > 0.0 && o < 100.0) {
        errs.push(format!(
            "{}: objective_percent {o}: must be strictly between 0 and 100",
            at(src, &s.objective_percent)
        ));
    }
    let window_s = positive(src, &s.window, "window", errs);
    for sel in [&s.sli.good, &s.sli.total] {
        if let Err(e) = super::generate::check_selector(&sel.value) {
            errs.push(format!("{}: {e}", at(src, sel)));
        }
    }
    let tiers = match s.tiers.as_deref().or(shared) {
        Some(raw) => raw
            .iter()
            .map(|t| resolve_tier(src, t, window_s, errs))
            .collect(),
        None => default_tiers(window_s),
    };
    check_tiers(src, s, &tiers, window_s, errs);
    Slo {
        name: name.clone(),
        description: s.description.clone().unwrap_or_default(),
        objective: o / 100.0,
        window: s.window.value.clone(),
        window_s,
        good: s.sli.good.value.clone(),
        total: s.sli.total.value.clone(),
        labels: s.labels.clone(),
        runbook_url: s.runbook_url.value.clone(),
        tiers,
    }
}

/// The workbook's tiers, with their factors recomputed for this SLO's window.
pub fn default_tiers(window_s: f64) -> Vec<Tier> {
    DEFAULT_TIERS
        .iter()
        .map(|&(severity, pct, long, short)| {
            let long_s = parse_prom_duration(long).unwrap_or(1.0);
            tier(severity, pct / 100.0, long, long_s, short, 0.0, window_s)
        })
        .collect()
}

fn tier(
    severity: TierSeverity,
    budget_fraction: f64,
    long: &str,
    long_s: f64,
    short: &str,
    for_s: f64,
    window_s: f64,
) -> Tier {
    Tier {
        severity,
        budget_fraction,
        long_window: long.to_string(),
        long_s,
        short_window: short.to_string(),
        short_s: parse_prom_duration(short).unwrap_or(0.0),
        for_s,
        factor: budget_fraction * window_s / long_s.max(1e-9),
    }
}

fn resolve_tier(src: &str, t: &RawTier, window_s: f64, errs: &mut Vec<String>) -> Tier {
    let pct = t.budget_percent.value;
    if !(pct > 0.0 && pct <= 100.0) {
        errs.push(format!(
            "{}: budget_percent {pct}: must be above 0 and at most 100",
            at(src, &t.budget_percent)
        ));
    }
    let long_s = positive(src, &t.long_window, "long_window", errs);
    let short_s = positive(src, &t.short_window, "short_window", errs);
    if short_s >= long_s && long_s > 0.0 {
        errs.push(format!(
            "{}: short_window `{}` must be shorter than long_window `{}`",
            at(src, &t.short_window),
            t.short_window.value,
            t.long_window.value
        ));
    }
    let for_s = t
        .for_
        .as_ref()
        .map_or(0.0, |f| match parse_prom_duration(&f.value) {
            Ok(v) => v,
            Err(e) => {
                errs.push(format!("{}: for: {e}", at(src, f)));
                0.0
            }
        });
    let mut out = tier(
        t.severity,
        pct / 100.0,
        &t.long_window.value,
        long_s,
        &t.short_window.value,
        for_s,
        window_s,
    );
    out.short_s = short_s;
    out
}

/// Tiers must have distinct long windows (they name the alerts) no longer than the SLO window.
fn check_tiers(src: &str, s: &RawSlo, tiers: &[Tier], window_s: f64, errs: &mut Vec<String>) {
    for (i, t) in tiers.iter().enumerate() {
        if tiers[..i].iter().any(|u| u.long_window == t.long_window) {
            errs.push(format!(
                "{}: SLO `{}`: two tiers have the long window `{}` (each names one alert)",
                at(src, &s.name),
                s.name.value,
                t.long_window
            ));
        }
        if window_s > 0.0 && t.long_s > window_s {
            errs.push(format!(
                "{}: SLO `{}`: tier long window `{}` is longer than the SLO window `{}`",
                at(src, &s.name),
                s.name.value,
                t.long_window,
                s.window.value
            ));
        }
    }
    if tiers.is_empty() {
        errs.push(format!(
            "{}: SLO `{}` has no tiers",
            at(src, &s.name),
            s.name.value
        ));
    }
}
