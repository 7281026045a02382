//! [`StackConfig::load`] for files named on the command line (`obsgate check --rules …
//! --dashboards … --alertmanager …`): no `prometheus.yml`, no provisioning, no compose file;
//! rule files and dashboards in any of the shapes [`crate::config::manifests`] reads.

use std::path::{Path, PathBuf};

use crate::config::dashboard::{Dashboard, walk};
use crate::config::inputs::{
    DASHBOARD_EXTENSIONS, Expanded, RULE_EXTENSIONS, expand_all, unique_files,
};
use crate::config::manifests::{dashboard_sources, parse_rule_sources};
use crate::config::rules_file::RuleFile;
use crate::config::stack::{
    Loaded, NamedInputs, StackConfig, StackPaths, Unmatched, expected_metrics, routes_expectations,
    runbooks,
};
use crate::config::{ConfigError, load_yaml, read_text};

/// Read the named files (and, in contract mode, the expectations).
pub fn load(paths: &StackPaths, named: &NamedInputs) -> StackConfig {
    let rules = expand_all(&named.rules, RULE_EXTENSIONS);
    let dashboards = expand_all(&named.dashboards, DASHBOARD_EXTENSIONS);
    let mut unmatched = unmatched_of("--rules", &rules);
    unmatched.extend(unmatched_of("--dashboards", &dashboards));
    StackConfig {
        prometheus: None,
        rule_files: unique_files(&rules)
            .into_iter()
            .map(|p| Loaded::read(p, load_rule_sources))
            .collect(),
        unmatched,
        alertmanager: named
            .alertmanager
            .clone()
            .map(|p| Loaded::read(p, load_yaml)),
        routes_expectations: routes_expectations(paths),
        dashboard_providers: Vec::new(),
        datasource_files: Vec::new(),
        dashboards: unique_files(&dashboards)
            .iter()
            .flat_map(|p| load_dashboards(p))
            .collect(),
        compose: None,
        mount_exists: Default::default(),
        local_links: Default::default(),
        runbooks: if paths.contract {
            runbooks(&paths.runbooks_dir())
        } else {
            Default::default()
        },
        readme: None,
        expected_metrics: expected_metrics(paths),
        slos: None,
        paths: paths.clone(),
    }
}

fn unmatched_of(origin: &str, expanded: &[Expanded]) -> Vec<Unmatched> {
    expanded
        .iter()
        .filter(|e| e.files.is_empty())
        .map(|e| Unmatched {
            origin: origin.to_string(),
            pattern: e.pattern.clone(),
        })
        .collect()
}

fn load_rule_sources(path: &Path) -> Result<RuleFile, ConfigError> {
    let text = read_text(path)?;
    parse_rule_sources(&path.display().to_string(), &text)
}

/// Every dashboard of one file (a ConfigMap may carry many), each walked, or its error.
fn load_dashboards(path: &Path) -> Vec<Loaded<Dashboard>> {
    let file = path.display().to_string();
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => return vec![loaded(path.to_path_buf(), Err(e))],
    };
    // Positions are read for a JSON file; a dashboard embedded in a ConfigMap is named by its
    // JSON path only (its text is a YAML scalar, whose columns are not the JSON's).
    let positions = text
        .trim_start()
        .starts_with('{')
        .then(|| crate::config::json_pos::positions(&text));
    dashboard_sources(&file, &text)
        .into_iter()
        .map(|r| {
            let walked = r.map(|(name, v)| {
                let mut d = walk(&name, &v);
                if let Some(p) = &positions {
                    d.locate(p);
                }
                d
            });
            loaded(path.to_path_buf(), walked)
        })
        .collect()
}

fn loaded<T>(path: PathBuf, parsed: Result<T, ConfigError>) -> Loaded<T> {
    Loaded { path, parsed }
}
