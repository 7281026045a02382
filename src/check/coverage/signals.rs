//! Coverage of the signals the contract names: each panel target of the dashboards
//! expectations by Prometheus's answer after the load, each metric family of the metrics
//! expectations across the run's scrapes.

use crate::evidence::coverage::{
    Dimension, MetricCoverage, MetricStatus, PanelCoverage, PanelStatus,
};
use crate::evidence::{DashboardAnswers, Exposition, QueryAnswer};

/// The panel targets dimension, from the live dashboard evidence.
pub fn panels(dashboards: &[DashboardAnswers]) -> Dimension<PanelCoverage> {
    if dashboards.is_empty() {
        return Dimension::unobserved(
            "no dashboards expectation: no panel query was asked",
            Vec::new(),
        );
    }
    let mut items = Vec::new();
    let mut lost = Vec::new();
    let mut not_evaluated = None;
    for d in dashboards {
        if let Some(why) = &d.not_evaluated {
            not_evaluated = Some(why.clone());
        }
        lost.extend(
            d.unreadable
                .iter()
                .map(|(f, e)| format!("dashboard {f} could not be read: {e}")),
        );
        for (q, a) in &d.answers {
            let (status, series, detail) = match a {
                _ if q.hidden => (PanelStatus::NotEvaluated, 0, Some("hidden".to_string())),
                QueryAnswer::Series(n) if *n > 0 => (PanelStatus::Data, *n, None),
                QueryAnswer::Series(_) => (PanelStatus::Empty, 0, None),
                QueryAnswer::Error(e) => (PanelStatus::NotEvaluated, 0, Some(e.clone())),
            };
            items.push(PanelCoverage {
                dashboard: q.dashboard.clone(),
                panel: q.panel_title.clone(),
                ref_id: q.ref_id.clone(),
                status,
                series,
                hidden: q.hidden,
                detail,
            });
        }
    }
    match not_evaluated {
        Some(why) => Dimension::unobserved(why, items),
        None => Dimension {
            lost,
            ..Dimension::observed(items)
        },
    }
}

/// A family's samples in one scrape: (sample name, sorted labels, value bits), sorted.
type Fingerprint = Vec<(String, Vec<(String, String)>, u64)>;

/// A family's samples in one scrape, comparable across scrapes (None: no sample).
fn fingerprint(e: &Exposition, family: &str) -> Option<Fingerprint> {
    let f = e.family(family)?;
    let mut v: Vec<_> = f
        .samples
        .iter()
        .map(|s| {
            let mut labels = s.labels.clone();
            labels.sort();
            (s.name.clone(), labels, s.value.to_bits())
        })
        .collect();
    v.sort();
    (!v.is_empty()).then_some(v)
}

/// The metric families dimension, across every scrape that parsed.
pub fn metrics(families: &[&str], scrapes: &[&Exposition]) -> Dimension<MetricCoverage> {
    let items: Vec<MetricCoverage> = families
        .iter()
        .map(|family| {
            let seen: Vec<_> = scrapes
                .iter()
                .filter_map(|e| fingerprint(e, family))
                .collect();
            let status = match seen.first() {
                None => MetricStatus::NeverSeen,
                Some(first) if seen.iter().any(|s| s != first) => MetricStatus::Changing,
                Some(_) => MetricStatus::Constant,
            };
            MetricCoverage {
                family: family.to_string(),
                status,
                scrapes_seen: seen.len(),
            }
        })
        .collect();
    if families.is_empty() {
        Dimension::unobserved("no metrics expectation: no family to follow", items)
    } else if scrapes.is_empty() {
        Dimension::unobserved("no scrape of /metrics parsed", items)
    } else {
        Dimension::observed(items)
    }
}
