//! Metric catalog sources as read by `crate::observe::metric_sources`: which metric names
//! exist and, when a source shows them, which labels their series carry. Plain data; the
//! catalog built from it is `crate::check::config::catalog::Catalog`.

use std::collections::BTreeSet;

use super::MetricType;

/// One metric name a source declares.
#[derive(Debug, Clone, PartialEq)]
pub enum CatalogEntry {
    /// A series name exactly as Prometheus stores it (an exposition's sample name, a name of
    /// `/api/v1/label/__name__/values`), with the labels its series carry when the source
    /// shows them (`None`: not known).
    Series {
        /// The series name (`node_cpu_seconds_total`, `x_bucket`).
        name: String,
        /// Its label names, without `__name__`.
        labels: Option<BTreeSet<String>>,
    },
    /// A metric family: the series it gives follow from its type (a histogram gives
    /// `_bucket`/`_sum`/`_count`); with no type, its name and those suffixes are all known,
    /// with unknown labels.
    Family {
        /// The family name (a text 0.0.4 counter keeps its `_total`).
        name: String,
        /// Its type, when the source says.
        mtype: Option<MetricType>,
        /// Its label names, without `le`/`quantile` (`None`: not known).
        labels: Option<BTreeSet<String>>,
    },
}

impl CatalogEntry {
    /// The name the entry declares.
    pub fn name(&self) -> &str {
        match self {
            CatalogEntry::Series { name, .. } | CatalogEntry::Family { name, .. } => name,
        }
    }
}

/// What one source gave.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogSource {
    /// Where it came from, for messages (`--metrics-from node.prom`).
    pub origin: String,
    /// Whether its series are scraped by Prometheus (they then also carry `job`, `instance`
    /// and the target labels of `prometheus.yml`); false for a Prometheus API, whose label
    /// sets are already the stored ones.
    pub scraped: bool,
    /// The names it declares.
    pub entries: Vec<CatalogEntry>,
}
