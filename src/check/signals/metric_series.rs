//! Per-series metrics checks: histogram bucket bounds, cardinality budgets, and counters never
//! decreasing across the scrapes of a run.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::registry::CheckInfo;
use crate::evidence::{Exposition, MetricFamily, Sample};
use crate::expect::metrics::FamilyExpectation;
use crate::verdict::{Check, MAX_EVIDENCE};

use super::METRICS;
use super::metrics::{find_family, show};

/// Labels that identify a series (everything but `le` / `quantile`), sorted.
fn series_key(s: &Sample) -> Vec<(String, String)> {
    let mut k: Vec<(String, String)> = s
        .labels
        .iter()
        .filter(|(n, _)| n != "le" && n != "quantile")
        .cloned()
        .collect();
    k.sort();
    k
}

fn parse_le(v: &str) -> Option<f64> {
    match v {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        _ => v.parse().ok(),
    }
}

fn same_bound(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// The check, see the module header.
pub fn buckets_check(f: &FamilyExpectation, fam: &MetricFamily) -> Check {
    let id = format!("metrics.buckets.{}", f.name);
    let bucket_name = format!("{}_bucket", f.name);
    let mut per_series: BTreeMap<Vec<(String, String)>, Vec<f64>> = BTreeMap::new();
    for s in fam.samples.iter().filter(|s| s.name == bucket_name) {
        let le = s.label("le").and_then(parse_le).unwrap_or(f64::NAN);
        per_series.entry(series_key(s)).or_default().push(le);
    }
    if per_series.is_empty() {
        return Check::skip(
            id,
            METRICS,
            format!("`{}` has no bucket samples yet", f.name),
        );
    }
    let mut evidence = Vec::new();
    let mut bad = 0;
    for (key, bounds) in &per_series {
        let has_inf = bounds.iter().any(|b| b.is_infinite());
        let finite: Vec<f64> = bounds.iter().copied().filter(|b| b.is_finite()).collect();
        let same = f.buckets.as_ref().is_none_or(|want| {
            finite.len() == want.len() && finite.iter().zip(want).all(|(a, b)| same_bound(*a, *b))
        });
        let includes = f
            .buckets_include
            .iter()
            .all(|w| finite.iter().any(|a| same_bound(*a, *w)));
        if !(same && includes && has_inf) {
            bad += 1;
            if evidence.len() < MAX_EVIDENCE {
                let labels: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                evidence.push(format!(
                    "{{{}}}: le {:?}{}",
                    labels.join(","),
                    finite,
                    if has_inf {
                        " +Inf"
                    } else {
                        " (no +Inf bucket)"
                    }
                ));
            }
        }
    }
    let want = match &f.buckets {
        Some(b) => format!("the buckets {b:?} +Inf"),
        None => format!("buckets including {:?} and +Inf", f.buckets_include),
    };
    if bad == 0 {
        Check::pass(
            id,
            METRICS,
            format!("every series of `{}` has {want}", f.name),
        )
    } else {
        Check::fail(
            id,
            METRICS,
            format!(
                "{bad} of {} series of `{}` do not have {want}",
                per_series.len(),
                f.name
            ),
        )
        .with_evidence(evidence)
    }
}

/// The check, see the module header.
pub fn cardinality_check(f: &FamilyExpectation, fam: &MetricFamily) -> Check {
    let id = format!("metrics.cardinality.{}", f.name);
    let series: BTreeSet<Vec<(String, String)>> = fam.samples.iter().map(series_key).collect();
    let n = series.len() as u64;
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for k in &series {
        for (name, v) in k {
            values.entry(name.as_str()).or_default().insert(v.as_str());
        }
    }
    let worst = values.iter().max_by_key(|(_, v)| v.len());
    let widest = worst.map(|(_, v)| v.len() as u64).unwrap_or(0);
    let series_ok = f.max_series.is_none_or(|m| n <= m);
    let labels_ok = f.max_label_values.is_none_or(|m| widest <= m);
    let budget = match (f.max_series, f.max_label_values) {
        (Some(s), Some(l)) => format!("budget {s} series, {l} values per label"),
        (Some(s), None) => format!("budget {s} series"),
        (None, Some(l)) => format!("budget {l} values per label"),
        (None, None) => "no budget".to_string(),
    };
    if series_ok && labels_ok {
        return Check::pass(
            id,
            METRICS,
            format!("`{}` has {n} series ({budget})", f.name),
        );
    }
    let (label_msg, evidence): (String, Vec<String>) = match worst {
        Some((name, vals)) => (
            format!("; label `{name}` has {} distinct values", vals.len()),
            vals.iter()
                .take(5)
                .map(|v| format!("{name}={v:?}"))
                .collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    Check::fail(
        id,
        METRICS,
        format!("`{}` has {n} series, over its {budget}{label_msg}", f.name),
    )
    .with_evidence(evidence)
}

/// (sample name, series labels, `le`): one cumulative value tracked across scrapes.
type SeriesPoint = (String, Vec<(String, String)>, String);

/// The check, see the module header.
/// `metrics.moves.<family>`: the family changed between the first scrape (`first`; nothing
/// exposed counts as 0) and the final one. `_created` samples are left out: a series created
/// at start-up is not a change.
pub fn moves_check(f: &FamilyExpectation, first: Option<&Exposition>, last: &Exposition) -> Check {
    let id = format!("metrics.moves.{}", f.name);
    let sum = |e: &Exposition| {
        find_family(e, &f.name).map_or(0.0, |fam| {
            fam.samples
                .iter()
                .filter(|s| !s.name.ends_with("_created"))
                .map(|s| s.value)
                .sum::<f64>()
        })
    };
    let (from, to) = (first.map_or(0.0, sum), sum(last));
    let since = if first.is_some() {
        "the first scrape"
    } else {
        "the start (no earlier scrape)"
    };
    // NaN never equals itself: a family summing to NaN has not been seen to move either.
    if from == to || from.is_nan() || to.is_nan() {
        return Check::fail(
            id,
            METRICS,
            format!(
                "`{}` never changed during the run: the sum of its samples is {to} at the final scrape as at {since}; the contract expects it to move",
                f.name
            ),
        );
    }
    Check::pass(
        id,
        METRICS,
        format!(
            "`{}` moved from {from} at {since} to {to} at the final scrape",
            f.name
        ),
    )
}

pub fn monotonic_check(f: &FamilyExpectation, during: &[Exposition], last: &Exposition) -> Check {
    let id = format!("metrics.monotonic.{}", f.name);
    let mut prev: BTreeMap<SeriesPoint, f64> = BTreeMap::new();
    let mut evidence = Vec::new();
    let mut bad = 0;
    for (i, e) in during.iter().chain(std::iter::once(last)).enumerate() {
        let Some(fam) = find_family(e, &f.name) else {
            continue;
        };
        for s in fam.samples.iter().filter(|s| !s.name.ends_with("_created")) {
            let key = (
                s.name.clone(),
                series_key(s),
                s.label("le").unwrap_or("").to_string(),
            );
            if let Some(p) = prev.insert(key, s.value)
                && s.value < p
            {
                bad += 1;
                if evidence.len() < MAX_EVIDENCE {
                    evidence.push(format!("scrape {}: {} (was {p})", i + 1, show(s)));
                }
            }
        }
    }
    if bad == 0 {
        Check::pass(
            id,
            METRICS,
            format!(
                "`{}` never decreased over {} scrapes",
                f.name,
                during.len() + 1
            ),
        )
    } else {
        Check::fail(
            id,
            METRICS,
            format!("`{}` is cumulative but decreased {bad} times between scrapes (a reset or a gauge in disguise)", f.name),
        )
        .with_evidence(evidence)
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "metrics.buckets.<family>",
        kind: METRICS,
        proves: "every series of the histogram has the expected bucket bounds and +Inf",
        failure: "latency quantiles would be wrong or incomparable: fix the buckets",
        explain: "Either the exact bucket list or a set of bounds that must be included, plus \
                  the +Inf bucket, per series.\n\
                  Example failure: 2 of 6 series of `pipeline_duration_seconds` do not have \
                  buckets including [1.0, 5.0] and +Inf",
    },
    CheckInfo {
        id: "metrics.cardinality.<family>",
        kind: METRICS,
        proves: "the family stays within its series and per-label value budget",
        failure: "an unbounded label (ids, users) would blow up Prometheus: see the label named",
        explain: "Counts series (labels but le/quantile) and distinct values per label against \
                  the expectation's budget.\n\
                  Example failure: `pipeline_duration_seconds` has 912 series, over its budget \
                  100 series; label `job_id` has 300 distinct values",
    },
    CheckInfo {
        id: "metrics.monotonic.<family>",
        kind: METRICS,
        proves: "the cumulative family never decreased across the run's scrapes",
        failure: "a counter reset mid-run or a gauge is exposed as a counter: see the evidence",
        explain: "Every counter sample (and histogram bucket, sum, count) is tracked from scrape \
                  to scrape; any decrease fails.\n\
                  Example failure: `jobs_total` is cumulative but decreased 2 times between scrapes \
                  (a reset or a gauge in disguise)",
    },
    CheckInfo {
        id: "metrics.moves.<family>",
        kind: METRICS,
        proves: "a family the contract expects to move (`moves: true`) changed during the run",
        failure: "the family is exposed but never counted: instrumentation that is wired up \
                  and never called",
        explain: "The sum of the family's samples at the final scrape is compared with the \
                  first scrape's (0 when it was not exposed yet); equal sums fail.\n\
                  Example failure: `user_jobs_completed_total` never changed during the run: \
                  the sum of its samples is 0 at the final scrape as at the first scrape",
    },
];
