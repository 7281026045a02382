//! Unit tests of the check registry: declarations are well-formed and concrete ids find the
//! pattern they belong to.

use super::*;

#[test]
fn ids_are_unique_and_sorted() {
    let ids: Vec<&str> = all().iter().map(|c| c.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "ids must be unique and all() sorted");
}

#[test]
fn every_field_is_filled_and_one_liners_are_one_line() {
    for c in all() {
        for (what, text) in [
            ("id", c.id),
            ("proves", c.proves),
            ("failure", c.failure),
            ("explain", c.explain),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", c.id);
        }
        assert!(!c.proves.contains('\n'), "{}: proves is one line", c.id);
        assert!(!c.failure.contains('\n'), "{}: failure is one line", c.id);
        assert!(
            c.explain.contains("Example"),
            "{}: explain gives an example message",
            c.id
        );
        assert!(!c.id.contains(' '), "{}: no spaces in an id", c.id);
        let p = pieces(c.id);
        assert!(
            matches!(p.first(), Some(Piece::Lit(_))),
            "{}: starts with a literal",
            c.id
        );
        assert_eq!(
            c.id.matches('<').count(),
            c.id.matches('>').count(),
            "{}: balanced placeholders",
            c.id
        );
    }
}

fn found(id: &str) -> Option<&'static str> {
    find(id).map(|c| c.id)
}

#[test]
fn find_maps_concrete_ids_onto_their_pattern() {
    for (concrete, pattern) in [
        ("alerts.fired.RenderFailures", "alerts.fired.<alert>"),
        ("alerts.unexpected", "alerts.unexpected"),
        (
            "dashboards.live.config/grafana/x.json",
            "dashboards.live.<dashboard>",
        ),
        ("dashboards.live.pipeline", "dashboards.live.<dashboard>"),
        (
            "dashboards.live.fixture-no-data.render_failures.A",
            "dashboards.live.<dashboard>.<panel>.<ref>",
        ),
        ("dashboards.live", "dashboards.live"),
        ("routes.SLABreach", "routes.<alert>"),
        ("routes.inhibit.PipelineDegraded", "routes.inhibit.<alert>"),
        ("routes.structure", "routes.structure"),
        ("rules.parse.alert-rules.yaml", "rules.parse.<file>"),
        ("rules.metric.RenderFailures#2", "rules.metric.<rule>"),
        ("metrics.type.pipeline_active_jobs", "metrics.type.<family>"),
        (
            "metrics.relation.failure_ratio_matches_fault",
            "metrics.relation.<relation>",
        ),
        ("load.rate.storm", "load.rate.<phase>"),
        ("logs.field.correlation_id", "logs.field.<field>"),
        ("health.prometheus.ready", "health.prometheus.ready"),
        ("compose.image.pipeline-stub", "compose.image.<service>"),
        ("alerts.fired.<alert>", "alerts.fired.<alert>"),
    ] {
        assert_eq!(found(concrete), Some(pattern), "{concrete}");
    }
}

#[test]
fn find_refuses_unknown_ids_and_empty_placeholders() {
    for id in [
        "alerts.fired.",
        "alerts.fired",
        "nope",
        "",
        "metrics.present",
    ] {
        assert_eq!(found(id), None, "{id}");
    }
}

#[test]
fn suggestions_name_close_patterns() {
    assert!(suggest("alerts.fird.X").contains(&"alerts.fired.<alert>"));
    let s = suggest("traces.nonsense");
    assert!(
        !s.is_empty() && s.iter().all(|p| p.starts_with("traces.")),
        "{s:?}"
    );
}

#[test]
fn every_alert_aspect_is_registered() {
    let exp = crate::expect::alerts::parse(
        "alerts:\n  - alert: A\n    fires_in: storm\n    within: 2m\n    inhibited_by: B\n    receivers: [critical]\n",
        "t.yaml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let checks = crate::check::signals::alerts::skipped(&exp, "no stack");
    assert!(checks.len() >= 7, "{checks:?}");
    for c in checks {
        assert!(find(&c.id).is_some(), "{} is not registered", c.id);
    }
}

#[test]
fn listings_show_every_check() {
    let all = all();
    let t = table(&all);
    assert!(t.starts_with("id"), "{t}");
    assert!(t.contains("alerts.fired.<alert>"));
    assert!(t.contains(&format!("{} registered checks", all.len())));
    let v: serde_json::Value = serde_json::from_str(&json(&all)).expect("JSON");
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), all.len());
    assert_eq!(arr[0]["kind"], all[0].kind.as_str());
    assert!(arr[0]["failure"].is_string() && arr[0].get("explain").is_none());
    let fired = find("alerts.fired.X").expect("registered");
    assert!(explain(fired, "alerts.fired.X").contains("`alerts.fired.X` is an instance of"));
    assert!(!explain(fired, fired.id).contains("instance of"));
}

#[test]
fn explain_wraps_long_lines() {
    assert_eq!(wrap("aa bb cc", 5), "aa bb\ncc");
    assert_eq!(wrap("abcdefgh ij", 4), "abcdefgh\nij");
    for c in all() {
        let text = explain(c, c.id);
        for l in text.lines().skip(4) {
            assert!(l.chars().count() <= 96 || !l.contains(' '), "{}: {l}", c.id);
        }
    }
}
