//! The metric catalog of one `obsgate check` ([`build`]) and its [`super::CHECKS`] entry,
//! `rules.catalog`, which says what the catalog was made of, or that none was given.

use crate::check::config::catalog::Catalog;
use crate::check::config::rules_labels_exist::with_recorded;
use crate::check::config::{CheckCtx, JudgeOptions};
use crate::check::registry::CheckInfo;
use crate::config::stack::StackConfig;
use crate::evidence::StackTools;
use crate::verdict::{Check, Kind};

/// The catalog: the metrics expectations' families with the contract (only when that file
/// is present), the caller's sources and names, Prometheus's own series, then every series
/// the rule files record, with the labels their expressions keep.
pub fn build(cfg: &StackConfig, opts: &JudgeOptions) -> Catalog {
    // Scraped series carry the target labels of prometheus.yml; unknown when it is broken.
    let target_labels = cfg.prometheus_ok().and_then(|p| p.target_labels());
    let mut c = Catalog::new(target_labels);
    if let Some(Ok(src)) = &cfg.expected_metrics {
        c.add_contract();
        c.add_source(src);
    }
    for s in &opts.metric_sources {
        c.add_source(s);
    }
    if !opts.known_metrics.is_empty() {
        c.add_names("--known-metric", opts.known_metrics.iter().cloned());
    }
    with_recorded(&c, cfg.rule_files.iter().filter_map(|f| f.ok()))
}

/// `rules.catalog`: what metric names and labels were checked against.
pub(super) fn catalog(cfg: &StackConfig, _: &StackTools, ctx: &CheckCtx) -> Vec<Check> {
    let id = "rules.catalog";
    if let Some(Err(e)) = &cfg.expected_metrics {
        return vec![Check::error(
            id,
            Kind::Rules,
            format!("the metrics expectations do not load, so they are no catalog: {e}"),
        )];
    }
    let c = &ctx.known;
    vec![if c.is_given() {
        Check::pass(
            id,
            Kind::Rules,
            format!(
                "metric catalog of {} series names from {}",
                c.len(),
                c.origins().join(", ")
            ),
        )
        .with_evidence(c.origins().iter().cloned())
    } else {
        Check::skip(
            id,
            Kind::Rules,
            "no metric catalog given (no metrics expectations, --metrics-from or \
             --known-metric): metric names are not checked, and labels only where an \
             expression itself sets them",
        )
    }]
}

/// The checks of the catalog and of label existence (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "rules.catalog",
        kind: Kind::Rules,
        proves: "metric names and labels were checked against a catalog (it says which)",
        failure: "a skip: no catalog was given, so unknown metrics are not findings; an error: \
                  the metrics expectations do not load",
        explain: "The catalog is made of: the metrics expectations' families (and then the \
                  telemetry contract of docs/ARCHITECTURE.md §4, with its labels), every \
                  --metrics-from source (names file, exposition file, /metrics URL, Prometheus \
                  API), --known-metric names, Prometheus's own series (up, scrape_*, ALERTS) \
                  and the recorded series. Without the first three, metric names are not \
                  checked (`rules.metric.*` is not emitted, `dashboards.metrics.*` skips).\n\
                  Example: metric catalog of 1400 series names from expectations/metrics.yaml, \
                  --metrics-from node.prom",
    },
    CheckInfo {
        id: "rules.label_exists.<rule>",
        kind: Kind::Rules,
        proves: "every label the rule names can exist on what it reads, and every \
                 `$labels.X` of an alert can be set by its expression",
        failure: "a matcher never matches, a grouping names a label that is not there, or a \
                  template renders empty: fix the label name or the expression",
        explain: "Where the catalog knows a metric's labels (exposition samples, the contract, \
                  Prometheus's series; scraped series also carry job, instance and the target \
                  labels of prometheus.yml), the expression's labels are followed through the \
                  PromQL tree (aggregations, binary matching, label_replace, absent(), \
                  recording rules). A matcher that cannot match a missing label (`x=\"v\"`, \
                  not `x=\"\"`), by/without, on/ignoring, group_left/group_right naming a label \
                  the input cannot carry fail, as does `{{ $labels.X }}` in an alert's \
                  annotations or labels when the result cannot carry X. Unknown label sets \
                  give no finding.\n\
                  Example failure: `RenderFailures` (config/alert-rules.yaml:42:11): `sum by \
                  (…)` names label `stage`, which its input cannot carry (reads \
                  `render_failures_total`); the input carries `instance`, `job`, `preset`, \
                  `reason`",
    },
    CheckInfo {
        id: "dashboards.label_exists.<dashboard>",
        kind: Kind::Dashboards,
        proves: "every label a panel query names can exist on the series it reads",
        failure: "a panel filters or groups on a label that is not there: it shows nothing or \
                  one merged line",
        explain: "The same label analysis as `rules.label_exists.<rule>`, on every PromQL target after \
                  template-variable substitution.\n\
                  Example failure: 1 problem(s); first: sla.json panel \"Failures\" (panels[2]) \
                  refId A: matcher `stage=\"render\"` on `render_failures_total`: label `stage` \
                  does not exist there, so it never matches; the series carry `instance`, \
                  `job`, `preset`, `reason`",
    },
];
