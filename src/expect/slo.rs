//! `kind: slo` expectation files: which burn-rate tier of which SLO must fire in which phase.
//! The bound is not written here: it is the tier's theoretical time to detect at the burn the
//! phase really had (`slo::Tier::detection_s`), plus the stack's own delays, computed when the
//! run is judged. Every tier must stay silent in the phases before its own, and every SLO alert
//! the file does not list must stay silent throughout.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::slo::{Slo, SloSet, Tier};

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// Always `slo`.
    #[allow(dead_code)]
    kind: String,
    /// The SLO file the rules were generated from, relative to this file.
    slos: Spanned<String>,
    /// How late an event is counted after its cause, in scenario time (a job counts when it
    /// ends, so about its duration): added to every tier's allowance. Default `0s`.
    #[serde(default)]
    event_lag: Option<Spanned<String>>,
    /// The tiers that must fire, one per burn phase.
    tiers: Vec<RawTier>,
}

/// One tier that must fire.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    /// The tier's alert name (`<Slo>BudgetBurn<long window>`).
    alert: Spanned<String>,
    /// The phase whose burn it must detect.
    fires_in: Spanned<String>,
    /// Exact receivers, as in alert expectations.
    #[serde(default)]
    receivers: Vec<String>,
    /// A page that must inhibit this (ticket) alert while it fires.
    #[serde(default)]
    inhibited_by: Option<String>,
}

/// One tier expectation, resolved against the SLO file.
#[derive(Debug, Clone)]
pub struct TierExpectation {
    pub alert: String,
    pub slo: Slo,
    pub tier: Tier,
    pub fires_in: String,
    /// `file:line:column` of `fires_in`.
    pub fires_in_at: String,
    pub receivers: Vec<String>,
    pub inhibited_by: Option<String>,
}

/// A whole `kind: slo` file.
#[derive(Debug, Clone)]
pub struct SloExpectations {
    pub source: String,
    pub set: SloSet,
    /// The rules generated from the SLO file (`slo-rules.yaml` beside it): a managed
    /// Prometheus loads them if its config does not already.
    pub rules_path: PathBuf,
    /// Seconds from an event's cause to its counting.
    pub event_lag_s: f64,
    pub tiers: Vec<TierExpectation>,
}

fn at<T>(src: &str, s: &Spanned<T>) -> String {
    format!("{src}:{}:{}", s.referenced.line(), s.referenced.column())
}

impl SloExpectations {
    /// Read a `kind: slo` file and the SLO file it names; every problem at once.
    pub fn load(path: &Path) -> Result<Self, String> {
        let src = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{src}: {e}"))?;
        let raw: RawFile = serde_saphyr::from_str(&text).map_err(|e| format!("{src}: {e}"))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let slos_path: PathBuf = base.join(&raw.slos.value);
        let set = crate::slo::load(&slos_path).map_err(|e| {
            format!(
                "{}: slos `{}`: {}",
                at(&src, &raw.slos),
                raw.slos.value,
                e.message
            )
        })?;
        let rules_path = slos_path.with_file_name("slo-rules.yaml");
        let name = slos_path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let current = std::fs::read_to_string(&rules_path).ok();
        if current.as_deref() != Some(crate::slo::generate::rules_file(&set, &name).as_str()) {
            return Err(format!(
                "{}: {} is missing or out of date with {}: run `obsgate slo generate --slos {}`",
                at(&src, &raw.slos),
                rules_path.display(),
                slos_path.display(),
                slos_path.display()
            ));
        }
        let mut errs = Vec::new();
        let event_lag_s = match &raw.event_lag {
            None => 0.0,
            Some(l) => crate::config::duration::parse_prom_duration(&l.value).unwrap_or_else(|e| {
                errs.push(format!("{}: event_lag: {e}", at(&src, l)));
                0.0
            }),
        };
        let mut tiers: Vec<TierExpectation> = Vec::new();
        for t in raw.tiers {
            let found = set.slos.iter().find_map(|s| {
                s.tiers
                    .iter()
                    .find(|x| s.alert_name(x) == t.alert.value)
                    .map(|x| (s, x))
            });
            let Some((slo, tier)) = found else {
                let names: Vec<String> = set
                    .slos
                    .iter()
                    .flat_map(|s| s.tiers.iter().map(|x| s.alert_name(x)))
                    .collect();
                let hint = crate::util::nearest(&t.alert.value, names.iter().map(String::as_str))
                    .map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default();
                errs.push(format!(
                    "{}: `{}` is no tier of {}{hint}",
                    at(&src, &t.alert),
                    t.alert.value,
                    slos_path.display()
                ));
                continue;
            };
            if tiers.iter().any(|x| x.alert == t.alert.value) {
                errs.push(format!(
                    "{}: tier `{}` is listed twice",
                    at(&src, &t.alert),
                    t.alert.value
                ));
            }
            tiers.push(TierExpectation {
                alert: t.alert.value.clone(),
                slo: slo.clone(),
                tier: tier.clone(),
                fires_in_at: at(&src, &t.fires_in),
                fires_in: t.fires_in.value,
                receivers: t.receivers,
                inhibited_by: t.inhibited_by,
            });
        }
        if !errs.is_empty() {
            return Err(errs.join("\n"));
        }
        Ok(Self {
            source: src,
            set,
            rules_path,
            event_lag_s,
            tiers,
        })
    }

    /// Refuse a `fires_in` naming a phase the scenario does not have.
    pub fn validate_phases(&self, phases: &[&str]) -> Result<(), String> {
        let bad: Vec<String> = self
            .tiers
            .iter()
            .filter(|t| !phases.contains(&t.fires_in.as_str()))
            .map(|t| {
                let hint = crate::util::nearest(&t.fires_in, phases.iter().copied())
                    .map(|h| format!(" (did you mean `{h}`?)"))
                    .unwrap_or_default();
                format!(
                    "{}: no phase `{}` in the scenario{hint}",
                    t.fires_in_at, t.fires_in
                )
            })
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad.join("\n"))
        }
    }

    /// Every alert name the SLO file generates.
    pub fn all_alerts(&self) -> Vec<String> {
        self.set
            .slos
            .iter()
            .flat_map(|s| s.tiers.iter().map(|t| s.alert_name(t)))
            .collect()
    }
}
