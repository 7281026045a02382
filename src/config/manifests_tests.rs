use super::*;

const RULE: &str = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n";

fn expr_lines(rf: &RuleFile) -> Vec<u64> {
    rf.groups
        .iter()
        .flat_map(|g| g.rules.iter().map(|r| g.line_of(&r.expr)))
        .collect()
}

#[test]
fn documents_split_with_their_line_offsets() {
    let docs = split_documents("# head\n---\na: 1\n--- # two\nb: 2\n...\n");
    assert_eq!(docs.len(), 2);
    assert_eq!((docs[0].text, docs[0].line_offset), ("a: 1\n", 2));
    assert_eq!((docs[1].text, docs[1].line_offset), ("b: 2\n", 4));
}

#[test]
fn multi_document_rule_files_keep_every_group_at_its_line() {
    let text = format!("{RULE}---\n{RULE}");
    let rf = parse_rule_sources("r.yaml", &text).expect("parses");
    assert_eq!(expr_lines(&rf), vec![5, 11]);
}

#[test]
fn prometheus_rule_manifests_are_read_from_spec() {
    let text = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: x\n\
                spec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up == 0\n";
    let rf = parse_rule_sources("pr.yaml", text).expect("parses");
    assert_eq!(expr_lines(&rf), vec![10]);
}

#[test]
fn config_maps_carry_rule_files_at_their_lines() {
    let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  alerts.yaml: |\n    groups:\n    - name: g\n      \
                rules:\n      - alert: A\n        expr: up == 0\n  notes.txt: hi\n";
    let rf = parse_rule_sources("cm.yaml", text).expect("parses");
    assert_eq!(expr_lines(&rf), vec![9]);
    let list = format!(
        "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {}",
        "data:\n    r.rules: |\n      groups:\n      - name: g\n        rules:\n        - record: r\n          expr: up\n"
    );
    let rf = parse_rule_sources("list.yaml", &list).expect("parses");
    assert_eq!(expr_lines(&rf), vec![10]);
}

#[test]
fn errors_point_into_the_whole_file() {
    let text = format!("{RULE}---\ngroups:\n- name: g\n  rules:\n  - alert: A\n    exprr: up\n");
    let e = parse_rule_sources("r.yaml", &text).expect_err("unknown field");
    assert_eq!(e.line, Some(11), "{e}");
    let other = "apiVersion: v1\nkind: Service\nmetadata: {}\n";
    let e = parse_rule_sources("svc.yaml", other).expect_err("no groups");
    assert!(e.message.contains("Service"), "{e}");
}

#[test]
fn dashboards_plain_exported_and_in_config_maps() {
    let plain = dashboard_sources("d.json", r#"{"title": "T", "panels": []}"#);
    assert_eq!(plain.len(), 1);
    let api = dashboard_sources("e.json", r#"{"dashboard": {"title": "T"}, "meta": {}}"#);
    let (_, v) = api[0].as_ref().expect("parses");
    assert_eq!(v["title"], "T");
    let cm = "kind: ConfigMapList\nitems:\n- data:\n    a.json: |\n      {\"title\": \"A\"}\n    \
              b.json: |\n      {\"title\": \n";
    let got = dashboard_sources("cm.yaml", cm);
    assert_eq!(got.len(), 2);
    let (name, v) = got[0].as_ref().expect("a parses");
    assert_eq!(
        (name.as_str(), v["title"].as_str()),
        ("cm.yaml (data.a.json)", Some("A"))
    );
    let e = got[1].as_ref().expect_err("b is cut");
    assert!(
        e.file.contains("data.b.json") && e.line.is_some_and(|l| l >= 7),
        "{e}"
    );
}
