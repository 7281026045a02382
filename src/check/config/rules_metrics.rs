//! Which metrics a PromQL expression reads; whether they are known is the catalog's answer
//! ([`super::catalog`]). Shared by the rule and dashboard checks.

use std::collections::BTreeSet;

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};

/// The 12 metric families of the telemetry contract (docs/ARCHITECTURE.md §4).
pub const CONTRACT_METRICS: [&str; 12] = [
    "pipeline_duration_seconds",
    "pipeline_cost_dollars",
    "ai_agent_calls_total",
    "render_failures_total",
    "user_jobs_completed_total",
    "pipeline_active_jobs",
    "qa_gate_acceptance_total",
    "pubsub_queue_depth",
    "db_operation_latency_seconds",
    "api_response_time_seconds",
    "ai_agent_latency_seconds",
    "video_output_size_bytes",
];

/// Series Prometheus itself creates for every target or alert.
pub const BUILTIN_SERIES: [&str; 7] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// The catalog rules and dashboards read metric names against (see [`super::catalog`]).
pub type KnownMetrics = super::catalog::Catalog;

/// The family of a series name: the name without `_bucket`, `_sum`, `_count` or `_created`.
pub fn family(name: &str) -> &str {
    for suffix in ["_bucket", "_sum", "_count", "_created"] {
        if let Some(f) = name.strip_suffix(suffix)
            && !f.is_empty()
        {
            return f;
        }
    }
    name
}

/// Every metric name an expression reads (selector names and `__name__="..."` matchers;
/// regex `__name__` matchers name no single metric and are not listed).
pub fn metrics_in(expr: &Expr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect(expr, &mut out);
    out
}

fn collect(expr: &Expr, out: &mut BTreeSet<String>) {
    crate::config::promql::visit(expr, &mut |e| match e {
        Expr::VectorSelector(vs) => selector(vs, out),
        Expr::MatrixSelector(ms) => selector(&ms.vs, out),
        _ => {}
    });
}

fn selector(vs: &VectorSelector, out: &mut BTreeSet<String>) {
    if let Some(n) = &vs.name {
        out.insert(n.clone());
        return;
    }
    let all = vs
        .matchers
        .matchers
        .iter()
        .chain(vs.matchers.or_matchers.iter().flatten());
    for m in all {
        if m.name == "__name__" && matches!(m.op, MatchOp::Equal) {
            out.insert(m.value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(q: &str) -> Vec<String> {
        let e = promql_parser::parser::parse(q).expect("test query parses");
        metrics_in(&e).into_iter().collect()
    }

    #[test]
    fn extracts_through_every_node_kind() {
        assert_eq!(
            names(
                "histogram_quantile(0.95, sum by (le) (rate(a_bucket[5m]))) / on() group_left b \
                 + max_over_time(c[1h:5m]) - -d offset 5m or {__name__=\"e\", job=\"x\"} \
                 unless {__name__=~\"f.*\"}"
            ),
            vec!["a_bucket", "b", "c", "d", "e"]
        );
        assert!(names("vector(1) * 60").is_empty());
    }

    #[test]
    fn families_and_suggestions() {
        let k = KnownMetrics::contract_plus(["node_load1"]);
        assert!(k.knows("pipeline_duration_seconds_bucket"));
        assert!(k.knows("pipeline_cost_dollars_sum"));
        assert!(k.knows("up"));
        assert!(k.knows("node_load1"));
        assert!(!k.knows("pipeline_duraton_seconds_count"));
        assert_eq!(
            k.suggest("pipeline_duraton_seconds_count").as_deref(),
            Some("pipeline_duration_seconds_count")
        );
        assert_eq!(family("_count"), "_count");
        // Suffixes are suggested only where they exist: a gauge has no `_count`.
        assert_eq!(
            k.suggest("pubsub_queue_dept_count").as_deref(),
            Some("pubsub_queue_depth")
        );
        assert_eq!(
            k.suggest("pubsub_queue_dept").as_deref(),
            Some("pubsub_queue_depth")
        );
        assert!(!k.knows("pubsub_queue_depth_count"));
        assert!(
            k.knows("node_load1_count"),
            "a name of unknown type keeps its suffixes"
        );
    }
}
