//! Live dashboard check: after the load, every visible target of every panel must return data
//! when its (substituted) query is evaluated on Prometheus. A panel that shows "No data" in
//! production is a defect no static linter finds. The queries are run by the caller; this file
//! only judges the answers.

use crate::check::registry::CheckInfo;
use crate::evidence::{PanelQuery, QueryAnswer};
use crate::verdict::Check;
use crate::verdict::Kind;

/// Check kind of dashboard checks.
pub const KIND: Kind = Kind::Dashboards;

/// One `dashboards.live.<dashboard>.<panel>.<refId>` check per visible target, plus one
/// summary check per dashboard (`dashboards.live.<dashboard>`).
pub fn check(answers: &[(PanelQuery, QueryAnswer)]) -> Vec<Check> {
    let mut out = Vec::new();
    let mut dashboards: Vec<&str> = Vec::new();
    for (q, a) in answers {
        if !dashboards.contains(&q.dashboard.as_str()) {
            dashboards.push(&q.dashboard);
        }
        let id = format!(
            "dashboards.live.{}.{}.{}",
            q.dashboard,
            slug(&q.panel_title),
            q.ref_id
        );
        let what = format!(
            "panel `{}` (dashboard {}) target {}",
            q.panel_title, q.dashboard, q.ref_id
        );
        out.push(match (q.hidden, a) {
            (true, _) => Check::skip(id, KIND, format!("{what} is hidden: not drawn")),
            (false, QueryAnswer::Series(0)) => Check::fail(
                id,
                KIND,
                format!(
                    "{what} shows no data after the load: `{}` returned nothing",
                    q.expr_substituted
                ),
            ),
            (false, QueryAnswer::Series(n)) => {
                Check::pass(id, KIND, format!("{what} has data ({n} series)"))
            }
            (false, QueryAnswer::Error(e)) => Check::fail(
                id,
                KIND,
                format!("{what}: `{}` failed on Prometheus: {e}", q.expr_substituted),
            ),
        });
    }
    for d in dashboards {
        let prefix = format!("dashboards.live.{d}.");
        let mine: Vec<&Check> = out.iter().filter(|c| c.id.starts_with(&prefix)).collect();
        let bad: Vec<String> = mine
            .iter()
            .filter(|c| c.status == crate::verdict::Status::Fail)
            .map(|c| c.message.clone())
            .collect();
        let drawn = mine
            .iter()
            .filter(|c| c.status != crate::verdict::Status::Skip)
            .count();
        let summary = if drawn == 0 {
            Check::fail(
                format!("dashboards.live.{d}"),
                KIND,
                format!("dashboard {d} has no visible query to check"),
            )
        } else {
            Check::from_bool(
                format!("dashboards.live.{d}"),
                KIND,
                bad.is_empty(),
                format!(
                    "dashboard {d}: {} of {drawn} visible targets have data",
                    drawn - bad.len()
                ),
            )
            .with_evidence(bad)
        };
        out.push(summary);
    }
    out
}

/// A panel title as an id segment: lowercase, runs of other characters as `_`.
fn slug(title: &str) -> String {
    let mut s = String::with_capacity(title.len());
    for ch in title.chars() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch.to_ascii_lowercase());
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    s.trim_matches('_').to_string()
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "dashboards.live.<dashboard>",
        kind: KIND,
        proves: "every visible panel target of the dashboard returned data after the load",
        failure: "some panel shows \"No data\": see its dashboards.live.<d>.<panel>.<ref> check",
        explain: "The summary of the dashboard's live checks. `obsgate run` also reports under \
                  this id (with the file as the id's tail) a dashboard file it could not load.\n\
                  Example failure: dashboard pipeline: 5 of 6 visible targets have data",
    },
    CheckInfo {
        id: "dashboards.live.<dashboard>.<panel>.<ref>",
        kind: KIND,
        proves: "the panel target's substituted query returned data on Prometheus",
        failure: "the panel would show \"No data\": the query, a metric or a label is wrong",
        explain: "After the load each visible target's PromQL (variables substituted) is run on \
                  Prometheus; hidden targets are skipped. The panel segment is the title in \
                  lowercase with other characters as `_`.\n\
                  Example failure: panel `Render failures by reason` (dashboard pipeline) target A \
                  shows no data after the load: `sum(rate(render_failure_total[5m]))` returned nothing",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    fn q(panel: &str, expr: &str, hidden: bool) -> PanelQuery {
        PanelQuery {
            dashboard: "pipeline-performance".into(),
            panel_title: panel.into(),
            ref_id: "A".into(),
            expr_substituted: expr.into(),
            hidden,
        }
    }

    #[test]
    fn panels_with_data_pass() {
        let checks = check(&[
            (
                q("Active jobs", "sum(pipeline_active_jobs)", false),
                QueryAnswer::Series(1),
            ),
            (
                q("P95 latency", "histogram_quantile(...)", false),
                QueryAnswer::Series(3),
            ),
        ]);
        assert!(
            checks.iter().all(|c| c.status == Status::Pass),
            "{checks:?}"
        );
        assert!(
            checks
                .iter()
                .any(|c| c.id == "dashboards.live.pipeline-performance.active_jobs.A")
        );
        assert!(
            checks
                .iter()
                .any(|c| c.id == "dashboards.live.pipeline-performance")
        );
    }

    #[test]
    fn a_panel_without_data_fails_naming_panel_and_query() {
        let checks = check(&[
            (
                q("Active jobs", "sum(pipeline_active_jobs)", false),
                QueryAnswer::Series(1),
            ),
            (
                q(
                    "Render failures",
                    "sum(rate(render_failure_total[5m]))",
                    false,
                ),
                QueryAnswer::Series(0),
            ),
        ]);
        let bad: Vec<&Check> = checks.iter().filter(|c| c.status == Status::Fail).collect();
        assert_eq!(
            bad.len(),
            2,
            "the target and its dashboard summary: {checks:?}"
        );
        assert!(bad[0].message.contains("Render failures"));
        assert!(bad[0].message.contains("render_failure_total"));
        assert!(bad[1].evidence[0].contains("Render failures"));
    }

    #[test]
    fn hidden_targets_are_skipped_and_errors_fail() {
        let checks = check(&[
            (q("Hidden", "x", true), QueryAnswer::Series(0)),
            (
                q("Broken", "sum(", false),
                QueryAnswer::Error("parse error".into()),
            ),
        ]);
        assert_eq!(checks[0].status, Status::Skip);
        assert_eq!(checks[1].status, Status::Fail);
        assert!(checks[1].message.contains("parse error"));
    }
}
