//! Trace checker tests.

use super::fixtures::*;
use crate::check::signals::traces::check;
use crate::evidence::{JobRecord, SpanKind, SpanRecord, SpanStatus};
use crate::verdict::{Check, Status};

fn run(d: Defect) -> Vec<Check> {
    let js = jobs_for(d);
    check(&traces_exp(), &spans(&js, d), &facts(&js))
}

fn edited(edit: impl Fn(&mut Vec<SpanRecord>, &[JobRecord])) -> Vec<Check> {
    let js = jobs();
    let mut sp = spans(&js, Defect::None);
    edit(&mut sp, &js);
    check(&traces_exp(), &sp, &facts(&js))
}

#[test]
fn healthy_traces_pass_everything() {
    let checks = run(Defect::None);
    assert_eq!(failing(&checks), Vec::<String>::new(), "{checks:#?}");
    for id in [
        "traces.received",
        "traces.propagation",
        "traces.tree",
        "traces.completeness",
        "traces.orphans",
        "traces.duration",
    ] {
        assert_eq!(find(&checks, id).status, Status::Pass, "{id}");
    }
}

#[test]
fn dropped_traceparent_fails_propagation_only() {
    let checks = run(Defect::DropTraceparent);
    assert_eq!(failing(&checks), vec!["traces.propagation"]);
    let c = find(&checks, "traces.propagation");
    assert!(
        c.message.contains("context not propagated for 8 of 8 jobs"),
        "{}",
        c.message
    );
    assert!(
        c.evidence[0].contains("`traceparent` not honoured"),
        "{:?}",
        c.evidence
    );
}

#[test]
fn no_trace_export_fails_received_and_skips_the_rest() {
    let checks = run(Defect::NoTraceExport);
    assert_eq!(failing(&checks), vec!["traces.received"]);
    assert_eq!(
        find(&checks, "traces.received").message,
        "no spans received: is trace export on?"
    );
    assert_eq!(find(&checks, "traces.tree").status, Status::Skip);
}

#[test]
fn spans_from_another_service_name_the_nearest() {
    let checks = edited(|sp, _| {
        for s in sp.iter_mut() {
            s.service_name = "pipeline_stub".into();
        }
    });
    let c = find(&checks, "traces.received");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.message
            .contains("none from service `pipeline-stub`; did you mean `pipeline_stub`?"),
        "{}",
        c.message
    );
}

#[test]
fn server_span_with_wrong_parent_fails_propagation() {
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "POST /v1/jobs") {
            s.parent_span_id = Some("00000000000000aa".into());
        }
    });
    let f = failing(&checks);
    assert!(f.contains(&"traces.propagation".to_string()), "{f:?}");
    let c = find(&checks, "traces.propagation");
    assert!(
        c.message
            .contains("has parent 00000000000000aa, expected the harness's client span"),
        "{}",
        c.message
    );
    // A server span's parent is remote by design: not an orphan.
    assert_eq!(f, vec!["traces.propagation"]);
}

#[test]
fn wrong_kind_attribute_parent_and_status_break_the_tree() {
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "db.insert") {
            s.kind = SpanKind::Internal;
            s.attributes.clear();
        }
    });
    assert_eq!(failing(&checks), vec!["traces.tree"]);
    let c = find(&checks, "traces.tree");
    assert!(
        c.message
            .contains("kind internal, expected client; attribute `db.operation.name` missing"),
        "{}",
        c.message
    );
    let checks = edited(|sp, _| {
        let server = sp
            .iter()
            .find(|s| s.name == "POST /v1/jobs")
            .map(|s| s.span_id.clone());
        if let Some(s) = sp.iter_mut().find(|s| s.name == "qa.gate") {
            s.parent_span_id = server;
        }
    });
    assert!(
        find(&checks, "traces.tree")
            .message
            .contains("parent `POST /v1/jobs`, expected `pipeline.run`")
    );
    let checks = edited(|sp, _| {
        for s in sp.iter_mut().filter(|s| s.name == "pipeline.run") {
            s.status = SpanStatus::Unset;
        }
    });
    let c = find(&checks, "traces.tree");
    assert!(
        c.message
            .contains("job failed but the span has no error status"),
        "{}",
        c.message
    );
}

#[test]
fn missing_stage_fails_completeness() {
    let checks = edited(|sp, js| {
        let t = js[0].trace_id.clone();
        sp.retain(|s| !(s.trace_id == t && s.name == "qa.gate"));
    });
    assert_eq!(failing(&checks), vec!["traces.completeness"]);
    let c = find(&checks, "traces.completeness");
    assert!(
        c.message.contains(
            "7 of 8 finished jobs have a complete trace (87.5%, at least 100.0% expected)"
        ),
        "{}",
        c.message
    );
    assert!(
        c.evidence[0].contains("`qa.gate` ×0, expected exactly 1"),
        "{:?}",
        c.evidence
    );
}

#[test]
fn orphans_and_long_spans_fail() {
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "render") {
            s.parent_span_id = Some("0000000000000bad".into());
        }
    });
    let f = failing(&checks);
    assert!(f.contains(&"traces.orphans".to_string()), "{f:?}");
    assert!(find(&checks, "traces.orphans").evidence[0].contains("parent 0000000000000bad"));
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "pipeline.run") {
            s.end_unix_nano = s.start_unix_nano + 9_000_000_000;
        }
    });
    assert_eq!(failing(&checks), vec!["traces.duration"]);
    let c = find(&checks, "traces.duration");
    assert!(
        c.evidence[0].contains("`pipeline.run` lasted 9000.0 ms, the job took 5000.0 ms"),
        "{:?}",
        c.evidence
    );
}

/// Held spans keep only the attributes an expectation names, but a span missing one keeps the
/// rest, so the finding still names the misspelt key; a wrong value among others is judged.
#[test]
fn a_misspelt_or_wrong_attribute_is_named_although_held_spans_are_slimmed() {
    use crate::evidence::AttrValue;
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "db.insert") {
            let v = s.attributes.remove("db.operation.name");
            s.attributes
                .insert("db.operation_name".into(), v.unwrap_or(AttrValue::Int(1)));
            s.attributes
                .insert("db.system.name".into(), AttrValue::Str("postgresql".into()));
        }
    });
    assert_eq!(failing(&checks), vec!["traces.tree"]);
    let c = find(&checks, "traces.tree");
    assert!(
        c.message
            .contains("attribute `db.operation.name` missing (did you mean `db.operation_name`?)"),
        "{}",
        c.message
    );
    let checks = edited(|sp, _| {
        if let Some(s) = sp.iter_mut().find(|s| s.name == "POST /v1/jobs") {
            s.attributes
                .insert("http.request.method".into(), AttrValue::Str("GET".into()));
            s.attributes
                .insert("url.scheme".into(), AttrValue::Str("http".into()));
        }
    });
    let c = find(&checks, "traces.tree");
    assert!(
        c.message
            .contains("attribute `http.request.method`=`GET` is not"),
        "{}",
        c.message
    );
}
