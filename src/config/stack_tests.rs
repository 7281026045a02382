use super::*;

fn write(dir: &Path, file: &str, text: &str) {
    let p = dir.join(file);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn every_broken_input_is_reported_at_once() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cfg = tmp.path().join("config");
    write(&cfg, "prometheus.yml", "global: [\n");
    write(&cfg, "alertmanager.yml", "route: {\n");
    write(&cfg, "grafana/provisioning/dashboards/d.json", "{ nope");
    let paths = StackPaths {
        config_dir: cfg.clone(),
        expect_dir: tmp.path().join("expectations"),
        compose: tmp.path().join("compose.yml"),
        docs_dir: tmp.path().join("docs"),
        named: None,
        contract: true,
    };
    let loaded = StackConfig::load(&paths);
    let files: Vec<&str> = loaded.errors().iter().map(|e| e.file.as_str()).collect();
    // prometheus.yml, the fallback rule file, alertmanager.yml, the dashboard, compose.
    assert_eq!(files.len(), 5, "{files:?}");
    assert!(files[0].ends_with("prometheus.yml"), "{files:?}");
    assert!(files[1].ends_with("alert-rules.yaml"), "{files:?}");
    assert!(loaded.errors()[0].line.is_some());
    // Broken stack files are findings, not bad inputs: only obsgate's own inputs (routes
    // expectations, absent here) are.
    assert!(loaded.bad_inputs().is_empty());
    assert!(loaded.routes_expectations.is_none());
}

#[test]
fn run_layout_and_readme_beside_docs() {
    let p = StackPaths {
        config_dir: PathBuf::from("cfg"),
        expect_dir: PathBuf::from("expectations"),
        compose: PathBuf::from("docker-compose.monitoring.yml"),
        docs_dir: PathBuf::from("docs"),
        named: None,
        contract: true,
    };
    assert_eq!(p.prometheus(), Path::new("cfg/prometheus.yml"));
    assert_eq!(p.readme(), Some(PathBuf::from("./README.md")));
    let nested = StackPaths {
        docs_dir: PathBuf::from("a/docs"),
        ..p
    };
    assert_eq!(nested.readme(), Some(PathBuf::from("a/README.md")));
}
