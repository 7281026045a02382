//! Metrics checks over parsed expositions: presence, type, HELP, labels, histogram buckets,
//! cardinality, counter monotonicity across scrapes, and value relations with the run's facts.

use crate::check::registry::CheckInfo;
use crate::evidence::{
    Exposition, ExpositionError, ExpositionFormat, MetricFamily, MetricType, Sample,
};
use crate::expect::metrics::{FamilyExpectation, MetricsExpectations};
use crate::verdict::{Check, MAX_EVIDENCE};

use super::METRICS;
use super::facts::RunFacts;
use super::metric_series::{buckets_check, cardinality_check, monotonic_check};
use super::relations::check_relation;

/// `metrics.exposition`: whether the scrape parsed at all.
pub fn exposition_check(parsed: Result<&Exposition, &ExpositionError>) -> Check {
    match parsed {
        Ok(e) => Check::pass(
            "metrics.exposition",
            METRICS,
            format!("exposition parsed: {} families", e.families.len()),
        ),
        Err(e) => Check::fail(
            "metrics.exposition",
            METRICS,
            format!(
                "the exposition is malformed at line {}:{}: {}",
                e.line, e.column, e.message
            ),
        ),
    }
}

/// Every metrics check for a scrape that may have failed to parse: `metrics.exposition`, then
/// either [`check`] or one `error` check saying nothing else could be judged.
pub fn check_scrape(
    exp: &MetricsExpectations,
    final_scrape: Result<&Exposition, &ExpositionError>,
    scrapes_during_run: &[Exposition],
    facts: &RunFacts<'_>,
) -> Vec<Check> {
    let mut out = vec![exposition_check(final_scrape)];
    match final_scrape {
        Ok(e) => out.extend(check(exp, e, scrapes_during_run, facts)),
        Err(_) => out.push(Check::error(
            "metrics.families",
            METRICS,
            "no metric family could be checked: the final scrape did not parse",
        )),
    }
    out
}

/// Every check of `exp` as an `error`: the final scrape (after the drain) got no answer, so
/// nothing can be judged, and an older scrape must not stand in for it. `earlier` (the last
/// scrape that parsed, if any) only gives the checks their ids, the ones a judged run has, so a
/// report diff lines them up; none of its values is judged.
pub fn not_observed(
    exp: &MetricsExpectations,
    earlier: Option<&Exposition>,
    facts: &RunFacts<'_>,
    why: &str,
) -> Vec<Check> {
    let nothing = Exposition {
        format: ExpositionFormat::Text004,
        families: Vec::new(),
    };
    let shape = earlier.unwrap_or(&nothing);
    let mut out = vec![exposition_check(Ok(shape))];
    out.extend(check(exp, shape, &[], facts));
    for c in &mut out {
        *c = Check::error(
            std::mem::take(&mut c.id),
            METRICS,
            format!(
                "not observed: the final scrape of /metrics failed ({why}); no earlier scrape is judged in its place"
            ),
        );
    }
    out
}

/// The family `name` in `e`; OpenMetrics counters are exposed without their `_total`.
pub fn find_family<'a>(e: &'a Exposition, name: &str) -> Option<&'a MetricFamily> {
    e.family(name).or_else(|| match e.format {
        ExpositionFormat::OpenMetrics => name.strip_suffix("_total").and_then(|n| e.family(n)),
        ExpositionFormat::Text004 => None,
    })
}

/// Every metrics check of `exp` against the final scrape (and the scrapes taken during the run).
pub fn check(
    exp: &MetricsExpectations,
    final_scrape: &Exposition,
    scrapes_during_run: &[Exposition],
    facts: &RunFacts<'_>,
) -> Vec<Check> {
    let mut out = Vec::new();
    for f in &exp.families {
        let Some(fam) = find_family(final_scrape, &f.name) else {
            out.push(absent(f, final_scrape));
            // A client library renames a family by its type (`_total` for counters): say so
            // through the type check, which is the real defect.
            if let Some(sib) = total_sibling(final_scrape, &f.name) {
                out.push(Check::fail(
                    format!("metrics.type.{}", f.name),
                    METRICS,
                    format!(
                        "`{}` should be a {}, but is exposed as `{}`, a {}",
                        f.name,
                        f.mtype.as_str(),
                        sib.name,
                        sib.mtype.as_str()
                    ),
                ));
            }
            continue;
        };
        if fam.samples.is_empty() {
            // HELP and TYPE alone: every label, bucket and type check would pass on nothing.
            out.push(Check::fail(
                format!("metrics.present.{}", f.name),
                METRICS,
                format!(
                    "`{}` has its `# HELP`/`# TYPE` lines but no samples: nothing of it can be \
                     checked (expected at least one series)",
                    f.name
                ),
            ));
            continue;
        }
        out.push(Check::pass(
            format!("metrics.present.{}", f.name),
            METRICS,
            format!("`{}` exposed with {} samples", f.name, fam.samples.len()),
        ));
        out.push(type_check(f, fam));
        if f.help_required {
            let ok = fam.help.as_deref().is_some_and(|h| !h.trim().is_empty());
            out.push(Check::from_bool(
                format!("metrics.help.{}", f.name),
                METRICS,
                ok,
                if ok {
                    format!("`{}` has a HELP text", f.name)
                } else {
                    format!(
                        "`{}` has no (or an empty) `# HELP` line; expected a description",
                        f.name
                    )
                },
            ));
        }
        out.push(labels_check(f, fam));
        if f.buckets.is_some() || !f.buckets_include.is_empty() {
            out.push(buckets_check(f, fam));
        }
        if f.max_series.is_some() || f.max_label_values.is_some() {
            out.push(cardinality_check(f, fam));
        }
        if !scrapes_during_run.is_empty()
            && matches!(
                f.mtype,
                MetricType::Counter | MetricType::Histogram | MetricType::Summary
            )
        {
            out.push(monotonic_check(f, scrapes_during_run, final_scrape));
        }
        if f.moves {
            out.push(super::metric_series::moves_check(
                f,
                scrapes_during_run.first(),
                final_scrape,
            ));
        }
    }
    for r in &exp.relations {
        out.push(check_relation(r, final_scrape, facts));
    }
    out
}

/// The family named `name` with `_total` added or removed.
fn total_sibling<'a>(e: &'a Exposition, name: &str) -> Option<&'a MetricFamily> {
    match name.strip_suffix("_total") {
        Some(base) => e.family(base),
        None => e.family(&format!("{name}_total")),
    }
}

fn absent(f: &FamilyExpectation, e: &Exposition) -> Check {
    let names = e.families.iter().map(|x| x.name.as_str());
    let hint = crate::util::nearest(&f.name, names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Check::fail(
        format!("metrics.present.{}", f.name),
        METRICS,
        format!(
            "metric `{}` not exposed{hint} ({} families exposed)",
            f.name,
            e.families.len()
        ),
    )
}

fn type_check(f: &FamilyExpectation, fam: &MetricFamily) -> Check {
    let ok = fam.mtype == f.mtype;
    Check::from_bool(
        format!("metrics.type.{}", f.name),
        METRICS,
        ok,
        if ok {
            format!("`{}` is a {}", f.name, f.mtype.as_str())
        } else {
            format!(
                "`{}` should be a {}, but is exposed as {}",
                f.name,
                f.mtype.as_str(),
                fam.mtype.as_str()
            )
        },
    )
}

/// One sample as written, for evidence.
pub fn show(s: &Sample) -> String {
    let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!(
        "line {}: {}{{{}}} {}",
        s.line,
        s.name,
        labels.join(","),
        s.value
    )
}

fn labels_check(f: &FamilyExpectation, fam: &MetricFamily) -> Check {
    let id = format!("metrics.labels.{}", f.name);
    if f.labels.is_empty() {
        return Check::pass(id, METRICS, format!("`{}` needs no labels", f.name));
    }
    let mut bad = 0usize;
    let mut evidence = Vec::new();
    let mut first = None;
    for s in &fam.samples {
        for (name, m) in &f.labels {
            let problem = match s.label(name) {
                None => {
                    let present: Vec<&str> = s.labels.iter().map(|(k, _)| k.as_str()).collect();
                    let hint = crate::util::nearest(name, present.iter().copied())
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default();
                    Some(format!("label `{name}` missing{hint}"))
                }
                Some(v) if !m.matches(v) => {
                    let hint = m
                        .nearest(v)
                        .map(|n| format!("; did you mean `{n}`?"))
                        .unwrap_or_default();
                    Some(format!(
                        "label `{name}`=`{v}` is not {}{hint}",
                        m.describe()
                    ))
                }
                Some(_) => None,
            };
            if let Some(p) = problem {
                bad += 1;
                if evidence.len() < MAX_EVIDENCE {
                    evidence.push(format!("{} ({p})", show(s)));
                }
                first.get_or_insert(p);
                break;
            }
        }
    }
    let wanted: Vec<&str> = f.labels.iter().map(|(k, _)| k.as_str()).collect();
    if bad == 0 {
        Check::pass(
            id,
            METRICS,
            format!(
                "every sample of `{}` carries [{}] with allowed values",
                f.name,
                wanted.join(", ")
            ),
        )
    } else {
        Check::fail(
            id,
            METRICS,
            format!(
                "{bad} of {} samples of `{}` break the label contract [{}]: {}",
                fam.samples.len(),
                f.name,
                wanted.join(", "),
                first.unwrap_or_default()
            ),
        )
        .with_evidence(evidence)
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "metrics.exposition",
        kind: METRICS,
        proves: "the target's final /metrics scrape answered and parsed strictly",
        failure: "Prometheus would reject the scrape: the message gives line:column",
        explain: "The last scrape of the run goes through the strict exposition parser (text \
                  format or OpenMetrics). `obsgate run` also reports under this id that no scrape \
                  got an answer at all.\n\
                  Example failure: the exposition is malformed at line 17:12: invalid label value",
    },
    CheckInfo {
        id: "metrics.families",
        kind: METRICS,
        proves: "(only ever an error) no family could be judged because the scrape did not parse",
        failure: "fix metrics.exposition first: every per-family check depends on it",
        explain: "Emitted instead of the per-family checks when the final scrape is malformed.\n\
                  Example failure: no metric family could be checked: the final scrape did not parse",
    },
    CheckInfo {
        id: "metrics.present.<family>",
        kind: METRICS,
        proves: "the expected metric family is exposed",
        failure: "the family is missing or renamed: the message suggests a near name",
        explain: "Per family of expectations/metrics.yaml (OpenMetrics counters may drop `_total`).\n\
                  Example failure: metric `render_failures_total` not exposed; did you mean \
                  `render_failure_total`? (23 families exposed)",
    },
    CheckInfo {
        id: "metrics.type.<family>",
        kind: METRICS,
        proves: "the family is exposed with the expected TYPE",
        failure: "dashboards and rate() would misread it: fix the instrument's type",
        explain: "The `# TYPE` of the family must be the expected counter/gauge/histogram/summary; \
                  a family renamed by its type (`_total` added or dropped) is reported here.\n\
                  Example failure: `pipeline_active_jobs` should be a gauge, but is exposed as counter",
    },
    CheckInfo {
        id: "metrics.help.<family>",
        kind: METRICS,
        proves: "the family has a non-empty HELP text",
        failure: "the family is undocumented in Prometheus and Grafana: add a description",
        explain: "Judged when the expectation asks for HELP.\n\
                  Example failure: `queue_depth` has no (or an empty) `# HELP` line; expected a description",
    },
    CheckInfo {
        id: "metrics.labels.<family>",
        kind: METRICS,
        proves: "every sample carries the expected labels with allowed values",
        failure: "a label is missing or has a value outside the contract: see the evidence",
        explain: "Each sample of the family must carry the expected labels, each value matching \
                  its allowed values; the offending samples are in the evidence.\n\
                  Example failure: 3 of 40 samples of `render_failures_total` break the label \
                  contract [reason]: label `reason`=`oops` is not one of [timeout, codec]",
    },
];
