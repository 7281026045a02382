//! Integration tests: the metric catalog — corpus rule files against a catalog of the corpus
//! expositions, `obsgate check --metrics-from`, `--known-metric` lists and bad names, and the
//! label-existence defect of the contract.

use std::path::{Path, PathBuf};

use obsgate::check::config::catalog::Catalog;
use obsgate::check::config::rules::{RulesPolicy, check_rule_file};
use obsgate::config::load_yaml;
use obsgate::config::rules_file::RuleFile;
use obsgate::evidence::ExpositionFormat;
use obsgate::observe::metric_sources::from_exposition;
use obsgate::verdict::{Check, Status};

use crate::util::{assert_registered, config_with, corpus_dir, obsgate, repo_root};

/// The catalog of the node_exporter, Prometheus and Alertmanager expositions of the corpus.
fn exporters_catalog(dir: &Path) -> Catalog {
    let mut c = Catalog::new(Some(Default::default()));
    for f in [
        "node_exporter-1.5.0_metrics.prom",
        "prometheus-2.42.0_metrics.prom",
        "alertmanager-0.25.0_metrics.prom",
    ] {
        let p = dir.join("exposition").join(f);
        let text = std::fs::read_to_string(&p).expect("corpus exposition");
        let exp = obsgate::observe::exposition::parse(&text, ExpositionFormat::Text004)
            .expect("corpus exposition parses");
        c.add_source(&from_exposition(f.to_string(), &exp));
    }
    c
}

fn rule_checks(file: &Path, catalog: &Catalog) -> Vec<Check> {
    let parsed = load_yaml::<RuleFile>(file);
    let policy = RulesPolicy::shipped(catalog.clone(), None);
    check_rule_file(&file.display().to_string(), &parsed, &policy)
}

fn failing<'a>(checks: &'a [Check], prefix: &str) -> Vec<&'a Check> {
    checks
        .iter()
        .filter(|c| c.id.starts_with(prefix) && c.status == Status::Fail)
        .collect()
}

#[test]
fn corpus_exporter_rules_report() {
    let Some(dir) = corpus_dir() else { return };
    let catalog = exporters_catalog(&dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("rules"))
        .expect("rules")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let checks = rule_checks(&f, &catalog);
        let m = failing(&checks, "rules.metric.").len();
        let l = failing(&checks, "rules.label_exists.");
        println!("{}: {m} metric, {} label", f.display(), l.len());
        for c in l {
            println!("  {}", c.message);
        }
    }
}

#[test]
fn corpus_tmp_metrics() {
    let Some(dir) = corpus_dir() else { return };
    let catalog = exporters_catalog(&dir);
    for f in ["kube-prometheus_node-exporter.rules.yaml", "awesome-prometheus-alerts_node-exporter.yml", "dockprom_alert.rules", "prometheus_promtool-testdata_rules.yml", "node_exporter_example-16-compatibility-rules.yml"] {
        let checks = rule_checks(&dir.join("rules").join(f), &catalog);
        for c in failing(&checks, "rules.metric.").iter().take(10) {
            println!("{f}: {}", c.message);
        }
    }
}
