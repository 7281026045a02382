//! Raw scenario → validated [`Plan`]. Collects every problem (with its location) instead of
//! stopping at the first, so one edit round fixes a file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_saphyr::{Location, Spanned};

use super::error::{ScenarioError, ScenarioErrors};
use super::plan::{OverloadPolicy, PhasePlan, Plan, PresetWeight, Tolerances};
use super::raw::{RawOverload, RawPhase, RawScenario};
use super::units::{MIN_TIME_SCALE, parse_duration_s};

/// Presets the stub knows.
pub const KNOWN_PRESETS: [&str; 3] = ["short", "standard", "premium"];
/// Highest accepted wall rate (jobs per wall second) of one phase: a bound on every load loop.
/// The engine sends ≈ 100,000 requests/s on 2 cores; below this bound, a rate the machine
/// cannot deliver fails `load.generator` and `load.rate` rather than being refused.
pub const MAX_WALL_RATE_PER_S: f64 = 1_000_000.0;
/// Default `max_in_flight`.
pub const DEFAULT_MAX_IN_FLIGHT: u64 = 1024;
/// Default distinct users.
pub const DEFAULT_USERS: u64 = 100;
/// Default job timeout, scenario seconds.
pub const DEFAULT_JOB_TIMEOUT_S: f64 = 900.0;

/// Collects errors with the file they belong to.
pub(super) struct Errs<'a> {
    file: &'a Path,
    pub(super) list: Vec<ScenarioError>,
}

impl Errs<'_> {
    pub(super) fn at(
        &mut self,
        loc: Location,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.list.push(ScenarioError {
            file: self.file.to_path_buf(),
            line: loc.line(),
            column: loc.column(),
            field: field.into(),
            message: message.into(),
        });
    }
}

/// Resolve a parsed scenario. `file` is the scenario's path (for messages and relative paths).
pub fn resolve(raw: RawScenario, file: &Path) -> Result<Plan, ScenarioErrors> {
    let mut e = Errs {
        file,
        list: Vec::new(),
    };
    let name = raw.name.value.clone();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        e.at(
            raw.name.referenced,
            "name",
            format!(
                "expected letters, digits, `-`, `_` or `.` (it names report folders), got `{name}`"
            ),
        );
    }
    let time_scale = in_range(
        &mut e,
        raw.time_scale.as_ref(),
        "time_scale",
        1.0,
        MIN_TIME_SCALE,
        1e6,
    );
    let max_in_flight = int_in(
        &mut e,
        raw.max_in_flight.as_ref(),
        "max_in_flight",
        DEFAULT_MAX_IN_FLIGHT,
        1,
        1_000_000,
    );
    let users = int_in(
        &mut e,
        raw.users.as_ref(),
        "users",
        DEFAULT_USERS,
        1,
        1_000_000_000,
    );
    let presets = presets(&mut e, raw.presets.as_ref());
    let tolerances = tolerances(&mut e, &raw);
    let job_timeout_s = job_timeout(&mut e, raw.job_timeout.as_ref());
    let phases = phases(&mut e, &raw.phases, time_scale);
    let expectations = expectations(&mut e, &raw.expectations, file);
    if !e.list.is_empty() {
        e.list.sort_by_key(|x| (x.line, x.column));
        return Err(ScenarioErrors(e.list));
    }
    Ok(Plan {
        name,
        description: raw.description.unwrap_or_default(),
        source: file.to_path_buf(),
        seed: raw.seed.unwrap_or(1),
        time_scale,
        max_in_flight: usize::try_from(max_in_flight).unwrap_or(usize::MAX),
        overload: match raw.overload {
            Some(RawOverload::Drop) => OverloadPolicy::Drop,
            Some(RawOverload::Queue) | None => OverloadPolicy::Queue,
        },
        users,
        presets,
        phases,
        tolerances,
        job_timeout_s,
        expectations,
        shard: None,
    })
}

/// `job_timeout`: a duration above zero, or the default.
fn job_timeout(e: &mut Errs, v: Option<&Spanned<String>>) -> f64 {
    match v {
        None => DEFAULT_JOB_TIMEOUT_S,
        Some(s) => match parse_duration_s(&s.value) {
            Ok(v) if v > 0.0 => v,
            Ok(_) => {
                e.at(
                    s.referenced,
                    "job_timeout",
                    format!("expected a duration above zero, got `{}`", s.value),
                );
                DEFAULT_JOB_TIMEOUT_S
            }
            Err(m) => {
                e.at(s.referenced, "job_timeout", m);
                DEFAULT_JOB_TIMEOUT_S
            }
        },
    }
}

/// The phases in order, each starting where the previous one ends; names must be unique.
fn phases(e: &mut Errs, raw: &Spanned<Vec<RawPhase>>, time_scale: f64) -> Vec<PhasePlan> {
    if raw.value.is_empty() {
        e.at(
            raw.referenced,
            "phases",
            "expected at least one phase, got none",
        );
    }
    let mut phases = Vec::new();
    let mut seen = BTreeSet::new();
    let mut start_s = 0.0;
    for (i, p) in raw.value.iter().enumerate() {
        if !seen.insert(p.name.value.clone()) {
            e.at(
                p.name.referenced,
                format!("phases[{i}].name"),
                format!(
                    "expected a name not used by an earlier phase, got `{}` again",
                    p.name.value
                ),
            );
        }
        let phase = super::resolve_phase::phase(e, p, i, start_s, time_scale);
        start_s += phase.duration_s;
        phases.push(phase);
    }
    phases
}

/// Expectation files, relative to the scenario's folder; each must exist.
fn expectations(e: &mut Errs, raw: &[Spanned<String>], file: &Path) -> Vec<PathBuf> {
    let base = file.parent().unwrap_or_else(|| Path::new("."));
    let mut expectations = Vec::new();
    for (i, x) in raw.iter().enumerate() {
        let p = base.join(&x.value);
        if !p.is_file() {
            e.at(
                x.referenced,
                format!("expectations[{i}]"),
                format!("expected an existing file (relative to the scenario), got `{}` ({} does not exist)", x.value, p.display()),
            );
        }
        expectations.push(p);
    }
    expectations
}

fn positive(e: &mut Errs, v: Option<&Spanned<f64>>, field: &str, default: f64, max: f64) -> f64 {
    match v {
        None => default,
        Some(s) if s.value.is_finite() && s.value > 0.0 && s.value <= max => s.value,
        Some(s) => {
            e.at(
                s.referenced,
                field,
                format!(
                    "expected a number above 0 and at most {max}, got `{}`",
                    s.value
                ),
            );
            default
        }
    }
}

pub(super) fn in_range(
    e: &mut Errs,
    v: Option<&Spanned<f64>>,
    field: &str,
    default: f64,
    lo: f64,
    hi: f64,
) -> f64 {
    match v {
        None => default,
        Some(s) if s.value.is_finite() && s.value >= lo && s.value <= hi => s.value,
        Some(s) => {
            e.at(
                s.referenced,
                field,
                format!("expected a number from {lo} to {hi}, got `{}`", s.value),
            );
            default
        }
    }
}

fn int_in(
    e: &mut Errs,
    v: Option<&Spanned<u64>>,
    field: &str,
    default: u64,
    lo: u64,
    hi: u64,
) -> u64 {
    match v {
        None => default,
        Some(s) if (lo..=hi).contains(&s.value) => s.value,
        Some(s) => {
            e.at(
                s.referenced,
                field,
                format!("expected an integer from {lo} to {hi}, got `{}`", s.value),
            );
            default
        }
    }
}

fn presets(
    e: &mut Errs,
    raw: Option<&Spanned<std::collections::BTreeMap<String, Spanned<f64>>>>,
) -> Vec<PresetWeight> {
    let Some(map) = raw else {
        return [("short", 50.0), ("standard", 35.0), ("premium", 15.0)]
            .into_iter()
            .map(|(n, w)| PresetWeight {
                name: n.to_string(),
                weight: w,
            })
            .collect();
    };
    let mut out = Vec::new();
    for (name, w) in &map.value {
        if !KNOWN_PRESETS.contains(&name.as_str()) {
            let hint = crate::util::nearest(name, KNOWN_PRESETS)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            e.at(
                w.referenced,
                format!("presets.{name}"),
                format!("expected one of short, standard, premium, got `{name}`{hint}"),
            );
            continue;
        }
        if !(w.value.is_finite() && w.value >= 0.0) {
            e.at(
                w.referenced,
                format!("presets.{name}"),
                format!("expected a weight of 0 or more, got `{}`", w.value),
            );
            continue;
        }
        if w.value > 0.0 {
            out.push(PresetWeight {
                name: name.clone(),
                weight: w.value,
            });
        }
    }
    if out.is_empty() && e.list.is_empty() {
        e.at(
            map.referenced,
            "presets",
            "expected at least one preset with a weight above 0, got none",
        );
    }
    out
}

fn tolerances(e: &mut Errs, raw: &RawScenario) -> Tolerances {
    let d = Tolerances::default();
    let Some(t) = &raw.tolerances else { return d };
    Tolerances {
        rate_error_pct: in_range(
            e,
            t.rate_error_pct.as_ref(),
            "tolerances.rate_error_pct",
            d.rate_error_pct,
            0.0,
            100.0,
        ),
        late_threshold_ms: positive(
            e,
            t.late_threshold_ms.as_ref(),
            "tolerances.late_threshold_ms",
            d.late_threshold_ms,
            60_000.0,
        ),
        late_pct: in_range(
            e,
            t.late_pct.as_ref(),
            "tolerances.late_pct",
            d.late_pct,
            0.0,
            100.0,
        ),
    }
}
