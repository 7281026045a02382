//! The metric catalog: which series exist and, when known, which labels they carry. Built from
//! the sources the caller gathered ([`CatalogSource`]: the metrics expectations, `--metrics-from`,
//! `--known-metric`), the telemetry contract (only with the metrics expectations, which are the
//! contract's promise), Prometheus's own series and the recording rules' outputs. Pure.
//!
//! Labels are an upper bound: `Some(set)` means a series of that name carries no label outside
//! `set`; `None` means not known, and no label finding is ever made from it. A source that only
//! names a metric (a names file, `--known-metric`, the expectations, whose `labels:` are a lower
//! bound: "labels not listed are allowed") leaves its labels unknown; a source that shows
//! series (an exposition, Prometheus's `/api/v1/series`) or the contract table
//! (docs/ARCHITECTURE.md §4) closes them. Where two sources disagree the known sets are merged,
//! and a source that knows labels wins over one that does not.

use std::collections::{BTreeMap, BTreeSet};

use crate::evidence::{CatalogEntry, CatalogSource, MetricType};

use super::rules_metrics::{BUILTIN_SERIES, family};

/// Label names of a series: an upper bound, `None` when not known.
pub type Labels = Option<BTreeSet<String>>;

/// The telemetry contract (docs/ARCHITECTURE.md §4): family, type, labels.
pub const CONTRACT: [(&str, MetricType, &[&str]); 12] = [
    (
        "pipeline_duration_seconds",
        MetricType::Histogram,
        &["preset", "status"],
    ),
    (
        "pipeline_cost_dollars",
        MetricType::Histogram,
        &["preset", "backend"],
    ),
    (
        "ai_agent_calls_total",
        MetricType::Counter,
        &["agent", "model", "outcome"],
    ),
    (
        "render_failures_total",
        MetricType::Counter,
        &["preset", "reason"],
    ),
    (
        "user_jobs_completed_total",
        MetricType::Counter,
        &["preset"],
    ),
    ("pipeline_active_jobs", MetricType::Gauge, &[]),
    ("qa_gate_acceptance_total", MetricType::Counter, &["result"]),
    ("pubsub_queue_depth", MetricType::Gauge, &["topic"]),
    (
        "db_operation_latency_seconds",
        MetricType::Histogram,
        &["operation"],
    ),
    (
        "api_response_time_seconds",
        MetricType::Histogram,
        &["method", "route", "status"],
    ),
    (
        "ai_agent_latency_seconds",
        MetricType::Histogram,
        &["agent"],
    ),
    (
        "video_output_size_bytes",
        MetricType::Histogram,
        &["preset"],
    ),
];

/// Labels Prometheus adds to every scraped series.
pub const SCRAPE_LABELS: [&str; 2] = ["job", "instance"];

/// Suffixes a family of unknown type may have (its series' labels are then unknown).
const LOOSE_SUFFIXES: [&str; 4] = ["_bucket", "_sum", "_count", "_created"];

/// Which series exist, with their labels when known.
#[derive(Debug, Clone)]
pub struct Catalog {
    series: BTreeMap<String, Labels>,
    /// Families of unknown type: their name with a [`LOOSE_SUFFIXES`] suffix exists too.
    loose: BTreeSet<String>,
    /// The sources given, for messages; empty when no catalog was given.
    origins: Vec<String>,
    /// What a scraped series carries besides its own labels (`None`: the target labels of
    /// `prometheus.yml` are not known, e.g. a `labelmap` relabeling).
    scrape: Labels,
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn union(a: &Labels, b: &Labels) -> Labels {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.union(b).cloned().collect()),
        _ => None,
    }
}

impl Catalog {
    /// A catalog of Prometheus's own series only (no source given); scraped series carry
    /// `job`, `instance` and `target_labels` (`None`: not known).
    pub fn new(target_labels: Labels) -> Self {
        let scrape = target_labels.map(|mut t| {
            t.extend(set(&SCRAPE_LABELS));
            t
        });
        let mut c = Self {
            series: BTreeMap::new(),
            loose: BTreeSet::new(),
            origins: Vec::new(),
            scrape: scrape.clone(),
        };
        for name in BUILTIN_SERIES {
            let labels = match name {
                "ALERTS" | "ALERTS_FOR_STATE" => None,
                _ => scrape.clone(),
            };
            c.merge(name, labels);
        }
        c
    }

    /// The contract, Prometheus's own series and `extra` names (labels unknown): the catalog
    /// of a stack whose metrics expectations are present.
    pub fn contract_plus<I: IntoIterator<Item = S>, S: Into<String>>(extra: I) -> Self {
        let mut c = Self::new(Some(BTreeSet::new()));
        c.add_contract();
        let names: Vec<String> = extra.into_iter().map(Into::into).collect();
        if !names.is_empty() {
            c.add_names("extra names", names);
        }
        c
    }

    /// Add the telemetry contract's 12 families with their labels.
    pub fn add_contract(&mut self) {
        let entries = CONTRACT
            .iter()
            .map(|(name, t, labels)| CatalogEntry::Family {
                name: name.to_string(),
                mtype: Some(*t),
                labels: Some(set(labels)),
            })
            .collect();
        self.add_source(&CatalogSource {
            origin: "the telemetry contract (docs/ARCHITECTURE.md §4)".into(),
            scraped: true,
            entries,
        });
    }

    /// Add scraped metric names of unknown type and labels.
    pub fn add_names<I: IntoIterator<Item = String>>(&mut self, origin: &str, names: I) {
        let entries = names
            .into_iter()
            .map(|name| CatalogEntry::Family {
                name,
                mtype: None,
                labels: None,
            })
            .collect();
        self.add_source(&CatalogSource {
            origin: origin.to_string(),
            scraped: true,
            entries,
        });
    }

    /// Add every entry of `src`.
    pub fn add_source(&mut self, src: &CatalogSource) {
        self.origins.push(src.origin.clone());
        let scrape = if src.scraped {
            self.scrape.clone()
        } else {
            Some(BTreeSet::new())
        };
        for e in &src.entries {
            match e {
                CatalogEntry::Series { name, labels } => {
                    self.merge(name, union(labels, &scrape));
                }
                CatalogEntry::Family {
                    name,
                    mtype,
                    labels,
                } => self.add_family(name, *mtype, &union(labels, &scrape)),
            }
        }
    }

    fn add_family(&mut self, name: &str, mtype: Option<MetricType>, labels: &Labels) {
        let plus = |extra: &str| union(labels, &Some(set(&[extra])));
        match mtype {
            Some(MetricType::Histogram) => {
                self.merge(&format!("{name}_bucket"), plus("le"));
                self.merge(&format!("{name}_sum"), labels.clone());
                self.merge(&format!("{name}_count"), labels.clone());
            }
            Some(MetricType::Gaugehistogram) => {
                self.merge(&format!("{name}_bucket"), plus("le"));
                self.merge(&format!("{name}_gsum"), labels.clone());
                self.merge(&format!("{name}_gcount"), labels.clone());
            }
            Some(MetricType::Summary) => {
                self.merge(name, plus("quantile"));
                self.merge(&format!("{name}_sum"), labels.clone());
                self.merge(&format!("{name}_count"), labels.clone());
            }
            Some(MetricType::Info) if !name.ends_with("_info") => {
                self.merge(&format!("{name}_info"), labels.clone());
            }
            Some(_) => self.merge(name, labels.clone()),
            None => {
                self.merge(name, labels.clone());
                self.loose.insert(name.to_string());
            }
        }
    }

    /// Record that `name` exists with `labels`: known sets are merged, a known set wins over
    /// an unknown one.
    fn merge(&mut self, name: &str, labels: Labels) {
        let merged = match self.series.get(name) {
            None => labels,
            Some(old) => match (old, labels) {
                (Some(a), Some(b)) => Some(a.union(&b).cloned().collect()),
                (Some(a), None) => Some(a.clone()),
                (None, l) => l,
            },
        };
        self.series.insert(name.to_string(), merged);
    }

    /// Set the labels of a series a recording rule writes (they are what its expression keeps,
    /// not a merge with anything else).
    pub fn set_recorded(&mut self, name: &str, labels: Labels) {
        self.series.insert(name.to_string(), labels);
    }

    /// Add `name` with unknown labels unless it is already known.
    pub fn add_if_absent(&mut self, name: &str) {
        self.series.entry(name.to_string()).or_insert(None);
    }

    /// Whether any source was given (else metric names are not checked).
    pub fn is_given(&self) -> bool {
        !self.origins.is_empty()
    }

    /// The sources given, in order.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// How many series names are known.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether no series is known.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Whether `name` exists: as a series, or as a suffixed series of a family of unknown type.
    pub fn knows(&self, name: &str) -> bool {
        self.series.contains_key(name) || self.loose_family(name).is_some()
    }

    fn loose_family<'n>(&self, name: &'n str) -> Option<&'n str> {
        LOOSE_SUFFIXES
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .find(|f| self.loose.contains(*f))
    }

    /// The labels a series named `name` may carry (`None`: unknown, or the name is not known).
    pub fn labels(&self, name: &str) -> Labels {
        self.series.get(name).cloned().flatten()
    }

    /// The nearest existing name, for "did you mean": only names the catalog holds, so a
    /// suggestion never invents a suffix (`foo_count` is proposed only when `foo` is a
    /// histogram or summary, or `foo_count` itself was seen).
    pub fn suggest(&self, name: &str) -> Option<String> {
        // A likely typo has about the same length: skip the rest before the edit distance,
        // which matters on catalogs of thousands of names.
        let slack = (name.len() / 4).max(3);
        let near = self
            .series
            .keys()
            .chain(self.loose.iter())
            .map(String::as_str)
            .filter(|c| c.len().abs_diff(name.len()) <= slack && *c != name);
        crate::util::nearest(name, near)
            .map(str::to_string)
            .or_else(|| {
                // A typo in a family name of unknown type: keep the suffix that was written.
                let fam = family(name);
                let suffix = &name[fam.len()..];
                let near = self.loose.iter().map(String::as_str);
                crate::util::nearest(fam, near)
                    .filter(|_| !suffix.is_empty())
                    .map(|f| format!("{f}{suffix}"))
            })
    }
}
