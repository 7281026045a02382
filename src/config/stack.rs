//! Everything the static checks read, loaded in one place: [`StackPaths`] says where the
//! stack's files are, [`StackConfig::load`] reads and parses all of them, keeping each
//! outcome (parsed value or [`ConfigError`]) so that one pass reports every broken input and
//! the checks in `crate::check::config` judge values without touching the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::compose::{ComposeFile, host_mounts};
use crate::config::dashboard::Dashboard;
use crate::config::files::{expand, list_files};
use crate::config::grafana::{DashboardProvisioning, DatasourceProvisioning};
use crate::config::prometheus::PrometheusConfig;
use crate::config::rules_file::{Rule, RuleFile};
use crate::config::{ConfigError, load_dashboard, load_yaml};
use crate::expect::routes::RoutesExpectations;

/// Where the stack's files are.
#[derive(Debug, Clone, PartialEq)]
pub struct StackPaths {
    /// The config folder (`prometheus.yml`, rule files, `alertmanager.yml`, `grafana/`).
    pub config_dir: PathBuf,
    /// The expectations folder (`routes.yaml`, `metrics.yaml`).
    pub expect_dir: PathBuf,
    /// The compose file.
    pub compose: PathBuf,
    /// The documentation folder (runbooks in `runbooks/`, the README beside it).
    pub docs_dir: PathBuf,
    /// `None`: the stack's layout under `config_dir` (what `obsgate run` and a bare `obsgate
    /// check` read). `Some`: only the files named on the command line.
    pub named: Option<NamedInputs>,
    /// Whether the expectations folder is read: the contract checks (the seed's alerts, its
    /// routes, the metric contract) run only then.
    pub contract: bool,
}

/// Files named on the command line, each a file, a folder or a glob.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamedInputs {
    /// `--rules`: rule files, PrometheusRule manifests, ConfigMaps carrying rule files.
    pub rules: Vec<String>,
    /// `--dashboards`: dashboard JSON, API exports, ConfigMaps carrying dashboards.
    pub dashboards: Vec<String>,
    /// `--alertmanager`: an `alertmanager.yml`.
    pub alertmanager: Option<PathBuf>,
}

impl StackPaths {
    /// `prometheus.yml`.
    pub fn prometheus(&self) -> PathBuf {
        self.config_dir.join("prometheus.yml")
    }

    /// `alertmanager.yml`.
    pub fn alertmanager(&self) -> PathBuf {
        self.config_dir.join("alertmanager.yml")
    }

    /// Grafana's dashboard provisioning folder (provider files and dashboard JSON).
    pub fn dashboards_dir(&self) -> PathBuf {
        self.config_dir.join("grafana/provisioning/dashboards")
    }

    /// Grafana's datasource provisioning folder.
    pub fn datasources_dir(&self) -> PathBuf {
        self.config_dir.join("grafana/provisioning/datasources")
    }

    /// The routes expectations file.
    pub fn routes_expectations(&self) -> PathBuf {
        self.expect_dir.join("routes.yaml")
    }

    /// The runbooks folder.
    pub fn runbooks_dir(&self) -> PathBuf {
        self.docs_dir.join("runbooks")
    }

    /// The README beside the docs folder (`./README.md` for a bare `docs`).
    pub fn readme(&self) -> Option<PathBuf> {
        let parent = self.docs_dir.parent()?;
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        Some(parent.join("README.md"))
    }

    /// The folder compose resolves relative mounts from.
    pub fn compose_base(&self) -> PathBuf {
        self.compose
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

/// One input file: where it is and what reading it gave.
#[derive(Debug)]
pub struct Loaded<T> {
    /// The file, as found from [`StackPaths`].
    pub path: PathBuf,
    /// Its parsed content, or why it has none.
    pub parsed: Result<T, ConfigError>,
}

impl<T> Loaded<T> {
    pub(crate) fn read(path: PathBuf, load: impl FnOnce(&Path) -> Result<T, ConfigError>) -> Self {
        let parsed = load(&path);
        Self { path, parsed }
    }

    /// The path as checks print it.
    pub fn file(&self) -> String {
        self.path.display().to_string()
    }

    /// The parsed value, when there is one.
    pub fn ok(&self) -> Option<&T> {
        self.parsed.as_ref().ok()
    }

    /// The loading error, when there is one.
    pub fn err(&self) -> Option<&ConfigError> {
        self.parsed.as_ref().err()
    }
}

/// Everything the static checks read, each file with its loading outcome.
#[derive(Debug)]
pub struct StackConfig {
    /// Where it was read from.
    pub paths: StackPaths,
    /// `prometheus.yml`; `None` when only named files are checked.
    pub prometheus: Option<Loaded<PrometheusConfig>>,
    /// The rule files `prometheus.yml` names (globs expanded), else `alert-rules.yaml`; or
    /// the named ones.
    pub rule_files: Vec<Loaded<RuleFile>>,
    /// `rule_files` entries and named arguments that match no file.
    pub unmatched: Vec<Unmatched>,
    /// `alertmanager.yml`; `None` when only named files are checked and none was named.
    pub alertmanager: Option<Loaded<AlertmanagerConfig>>,
    /// The routes expectations; `None` when the file does not exist (routing is then judged
    /// without them).
    pub routes_expectations: Option<Loaded<RoutesExpectations>>,
    /// Grafana dashboard provider files (`.yaml`, then `.yml`).
    pub dashboard_providers: Vec<Loaded<DashboardProvisioning>>,
    /// Grafana datasource provisioning files (`.yaml`, then `.yml`).
    pub datasource_files: Vec<Loaded<DatasourceProvisioning>>,
    /// The provisioned dashboard JSON files, walked.
    pub dashboards: Vec<Loaded<Dashboard>>,
    /// The compose file; `None` when only named files are checked.
    pub compose: Option<Loaded<ComposeFile>>,
    /// For each host mount source of the compose file (as written): whether it exists,
    /// resolved from the compose file's folder.
    pub mount_exists: BTreeMap<String, bool>,
    /// Runbook file name → text.
    pub runbooks: BTreeMap<String, String>,
    /// Relative `runbook_url`s of the alerts → whether they name a file, from the rule file's
    /// folder or the working folder.
    pub local_links: BTreeMap<String, bool>,
    /// The README's text, when it can be read.
    pub readme: Option<String>,
    /// The metrics expectations' families as a catalog source (`None`: no such file; an
    /// error: the file does not load).
    pub expected_metrics: Option<Result<crate::evidence::CatalogSource, String>>,
    /// `slos.yaml` and the rule file generated from it, when the config folder has SLOs.
    pub slos: Option<SloInputs>,
}

/// A `rule_files` entry or a command-line argument that names no file.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    /// Where it was written: `config/prometheus.yml rule_files`, `--rules`.
    pub origin: String,
    /// The entry as written.
    pub pattern: String,
}

/// An SLO file and the rule file `obsgate slo generate` writes beside it.
#[derive(Debug)]
pub struct SloInputs {
    /// `slos.yaml` as given.
    pub path: PathBuf,
    /// The resolved SLOs, or every problem of the file.
    pub parsed: Result<crate::slo::SloSet, String>,
    /// `slo-rules.yaml` beside it.
    pub rules_path: PathBuf,
    /// Its text, when it can be read.
    pub rules_text: Option<String>,
}

impl SloInputs {
    /// Whether one of `rule_files` is the generated file (paths resolved on disk).
    pub fn loaded_by<'a>(&self, mut rule_files: impl Iterator<Item = &'a Path>) -> bool {
        let key = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let want = key(&self.rules_path);
        rule_files.any(|p| key(p) == want)
    }

    /// Read `slos.yaml` in `config_dir`, if there is one, and the generated file beside it.
    pub fn load(config_dir: &Path) -> Option<Self> {
        let path = config_dir.join("slos.yaml");
        if !path.is_file() {
            return None;
        }
        let rules_path = config_dir.join("slo-rules.yaml");
        Some(Self {
            parsed: crate::slo::load(&path).map_err(|e| e.message),
            rules_text: std::fs::read_to_string(&rules_path).ok(),
            rules_path,
            path,
        })
    }
}

impl StackConfig {
    /// Read every file the static checks judge. Never stops early: a broken file is kept as
    /// its error and the rest is read anyway, so [`Self::errors`] lists all of them.
    pub fn load(paths: &StackPaths) -> Self {
        let mut cfg = match &paths.named {
            Some(named) => crate::config::stack_named::load(paths, named),
            None => Self::load_layout(paths),
        };
        cfg.local_links = crate::config::files::local_links(&cfg.rule_files);
        cfg
    }

    /// [`Self::load`] for the stack's layout under the config folder.
    fn load_layout(paths: &StackPaths) -> Self {
        let prometheus = Loaded::read(paths.prometheus(), load_yaml::<PrometheusConfig>);
        let (rule_paths, unmatched) = rule_paths(paths, prometheus.ok());
        let rule_files = rule_paths
            .into_iter()
            .map(|p| Loaded::read(p, load_yaml::<RuleFile>))
            .collect();
        let compose = Loaded::read(paths.compose.clone(), load_yaml::<ComposeFile>);
        let mount_exists = mounts(paths, compose.ok());
        Self {
            prometheus: Some(prometheus),
            rule_files,
            unmatched,
            alertmanager: Some(Loaded::read(
                paths.alertmanager(),
                load_yaml::<AlertmanagerConfig>,
            )),
            routes_expectations: routes_expectations(paths),
            dashboard_providers: yaml_files(&paths.dashboards_dir()),
            datasource_files: yaml_files(&paths.datasources_dir()),
            dashboards: list_files(&paths.dashboards_dir(), "json")
                .into_iter()
                .map(|p| Loaded::read(p, load_dashboard))
                .collect(),
            compose: Some(compose),
            mount_exists,
            local_links: Default::default(),
            runbooks: runbooks(&paths.runbooks_dir()),
            readme: paths.readme().and_then(|p| std::fs::read_to_string(p).ok()),
            expected_metrics: expected_metrics(paths),
            slos: SloInputs::load(&paths.config_dir),
            paths: paths.clone(),
        }
    }

    /// obsgate's own inputs that are broken (present routes expectations that do not parse),
    /// as their error text: `obsgate check` cannot judge against them, a usage error. A broken
    /// file of the stack is a finding of its check instead.
    pub fn bad_inputs(&self) -> Vec<String> {
        self.routes_expectations
            .iter()
            .filter_map(Loaded::err)
            .map(ConfigError::to_string)
            .collect()
    }

    /// Every input that could not be read or parsed, required or not, in reading order.
    pub fn errors(&self) -> Vec<&ConfigError> {
        let mut out: Vec<&ConfigError> = self.prometheus.iter().filter_map(Loaded::err).collect();
        out.extend(self.rule_files.iter().filter_map(Loaded::err));
        out.extend(self.alertmanager.iter().filter_map(Loaded::err));
        out.extend(self.routes_expectations.iter().filter_map(Loaded::err));
        out.extend(self.dashboard_providers.iter().filter_map(Loaded::err));
        out.extend(self.datasource_files.iter().filter_map(Loaded::err));
        out.extend(self.dashboards.iter().filter_map(Loaded::err));
        out.extend(self.compose.iter().filter_map(Loaded::err));
        out
    }

    /// The parsed `prometheus.yml`, when read and valid.
    pub fn prometheus_ok(&self) -> Option<&PrometheusConfig> {
        self.prometheus.as_ref().and_then(Loaded::ok)
    }

    /// The parsed `alertmanager.yml`, when read and valid.
    pub fn alertmanager_ok(&self) -> Option<&AlertmanagerConfig> {
        self.alertmanager.as_ref().and_then(Loaded::ok)
    }

    /// The parsed compose file, when read and valid.
    pub fn compose_ok(&self) -> Option<&ComposeFile> {
        self.compose.as_ref().and_then(Loaded::ok)
    }

    /// Every alerting rule of the rule files that parse, in file order.
    pub fn alert_rules(&self) -> impl Iterator<Item = (&str, &Rule)> {
        self.rule_files
            .iter()
            .filter_map(Loaded::ok)
            .flat_map(|f| f.groups.iter())
            .flat_map(|g| g.rules.iter())
            .filter_map(|r| r.alert.as_ref().map(|a| (a.value.as_str(), r)))
    }
}

/// The rule files `prometheus.yml` lists, relative to the config folder, and the entries that
/// match no file; without a readable list, the shipped `alert-rules.yaml` (so a broken
/// `prometheus.yml` still gets its rules checked).
fn rule_paths(
    paths: &StackPaths,
    prom: Option<&PrometheusConfig>,
) -> (Vec<PathBuf>, Vec<Unmatched>) {
    let cfg = &paths.config_dir;
    let Some(p) = prom.filter(|p| !p.rule_files.is_empty()) else {
        return (vec![cfg.join("alert-rules.yaml")], Vec::new());
    };
    let (mut files, mut unmatched) = (Vec::new(), Vec::new());
    for entry in &p.rule_files {
        let found = expand(cfg, entry);
        if found.is_empty() {
            unmatched.push(Unmatched {
                origin: format!("{} rule_files", paths.prometheus().display()),
                pattern: entry.clone(),
            });
        }
        files.extend(found);
    }
    (files, unmatched)
}

/// The routes expectations, when the contract is checked and the file exists.
pub(crate) fn routes_expectations(paths: &StackPaths) -> Option<Loaded<RoutesExpectations>> {
    let exp_path = paths.routes_expectations();
    (paths.contract && exp_path.is_file())
        .then(|| Loaded::read(exp_path, crate::expect::routes::load))
}

/// The metrics expectations' families as a catalog source, when the contract is checked.
pub(crate) fn expected_metrics(
    paths: &StackPaths,
) -> Option<Result<crate::evidence::CatalogSource, String>> {
    if !paths.contract {
        return None;
    }
    crate::config::files::expected_families(&paths.expect_dir.join("metrics.yaml"))
}

/// The `.yaml` then the `.yml` files of a provisioning folder, parsed.
fn yaml_files<T: serde::de::DeserializeOwned>(dir: &Path) -> Vec<Loaded<T>> {
    list_files(dir, "yaml")
        .into_iter()
        .chain(list_files(dir, "yml"))
        .map(|p| Loaded::read(p, load_yaml::<T>))
        .collect()
}

fn mounts(paths: &StackPaths, compose: Option<&ComposeFile>) -> BTreeMap<String, bool> {
    let base = paths.compose_base();
    compose
        .map(host_mounts)
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let exists = base.join(&m).exists();
            (m, exists)
        })
        .collect()
}

/// Runbook file name → text; an unreadable runbook counts as absent.
pub(crate) fn runbooks(dir: &Path) -> BTreeMap<String, String> {
    list_files(dir, "md")
        .into_iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            std::fs::read_to_string(&p).ok().map(|t| (name, t))
        })
        .collect()
}

#[cfg(test)]
#[path = "stack_tests.rs"]
mod tests;
