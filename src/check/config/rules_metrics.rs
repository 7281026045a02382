//! Which metrics a PromQL expression reads, and whether they are known: the telemetry
//! contract's 12 metrics, `up`, and names the caller adds. Shared by the rule and dashboard
//! checks.

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
pub const BUILTIN_SERIES: [&str; 6] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_series_added",
    "ALERTS",
    "ALERTS_FOR_STATE",
];

/// The set of metric names a query may read.
#[derive(Debug, Clone)]
pub struct KnownMetrics {
    names: BTreeSet<String>,
}

impl KnownMetrics {
    /// The contract metrics, Prometheus's own series, and `extra`.
    pub fn contract_plus<I: IntoIterator<Item = S>, S: Into<String>>(extra: I) -> Self {
        let mut names: BTreeSet<String> = CONTRACT_METRICS
            .iter()
            .chain(BUILTIN_SERIES.iter())
            .map(|s| s.to_string())
            .collect();
        names.extend(extra.into_iter().map(Into::into));
        Self { names }
    }

    /// The same set with `extra` names added.
    pub fn extend<I: IntoIterator<Item = String>>(mut self, extra: I) -> Self {
        self.names.extend(extra);
        self
    }

    /// Whether `name` is known, as itself or as a `_bucket`/`_sum`/`_count`/`_created`
    /// series of a known family.
    pub fn knows(&self, name: &str) -> bool {
        self.names.contains(name) || self.names.contains(family(name))
    }

    /// The nearest known name, for "did you mean". The suffix is kept on the suggestion so it
    /// can be pasted back (`pipeline_duraton_seconds_count` → `pipeline_duration_seconds_count`).
    pub fn suggest(&self, name: &str) -> Option<String> {
        let fam = family(name);
        let suffix = &name[fam.len()..];
        // A likely typo has about the same length: skip the rest before the (costly) edit
        // distance, which matters on files with hundreds of recorded series.
        let near = |w: &str| -> Vec<&str> {
            let slack = (w.len() / 4).max(3);
            self.names
                .iter()
                .map(String::as_str)
                .filter(|c| c.len().abs_diff(w.len()) <= slack)
                .collect()
        };
        crate::util::nearest(fam, near(fam))
            .map(|n| format!("{n}{suffix}"))
            .or_else(|| crate::util::nearest(name, near(name)).map(str::to_string))
    }
}

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
    match expr {
        Expr::Aggregate(a) => {
            collect(&a.expr, out);
            if let Some(p) = &a.param {
                collect(p, out);
            }
        }
        Expr::Unary(u) => collect(&u.expr, out),
        Expr::Binary(b) => {
            collect(&b.lhs, out);
            collect(&b.rhs, out);
        }
        Expr::Paren(p) => collect(&p.expr, out),
        Expr::Subquery(s) => collect(&s.expr, out),
        Expr::VectorSelector(vs) => selector(vs, out),
        Expr::MatrixSelector(ms) => selector(&ms.vs, out),
        Expr::Call(c) => {
            for a in &c.args.args {
                collect(a, out);
            }
        }
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
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
    }
}
