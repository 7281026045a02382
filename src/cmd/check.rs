//! `obsgate check`: read the stack's config files, run promtool/amtool when present, call the
//! pure checks in `crate::check`, print a table (or JSON) and exit 0 (all pass), 1 (a check
//! failed), 2 (a required file is missing or unparseable) or 3 (the report cannot be written).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::config::compose::{ComposeInput, check_compose, host_mounts};
use crate::check::config::dashboards::{DashboardPolicy, check_dashboard, check_unique_uids};
use crate::check::config::dashboards_provider::{check_datasource_urls, check_provider};
use crate::check::config::docs::{check_readme, check_runbooks};
use crate::check::config::routes::{
    AmtoolCase, RoutingModel, RuleLabels, alert_labels, amtool_cross_check, check_routes,
};
use crate::check::config::rules::{RulesPolicy, check_rule_file, file_key};
use crate::check::config::rules_metrics::KnownMetrics;
use crate::check::config::rules_tool::tool_check;
use crate::cli::{CheckArgs, OutputFormat};
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::compose::ComposeFile;
use crate::config::files::{expand, expected_metric_names, list_files};
use crate::config::grafana::{
    DashboardProvisioning, DatasourceProvisioning, ProvisionedDatasource,
};
use crate::config::prometheus::PrometheusConfig;
use crate::config::rules_file::RuleFile;
use crate::config::{ConfigError, load_dashboard, load_yaml};
use crate::exit::{AppError, AppResult, Outcome};
use crate::expect::routes::RoutesExpectations;
use crate::observe::tools::run_tool;
use crate::verdict::Kind;
use crate::verdict::{Check, Status};

/// Entry point of `obsgate check`.
pub async fn run(args: CheckArgs) -> AppResult {
    if !args.config_dir.is_dir() {
        return Err(AppError::usage(format!(
            "config folder `{}` does not exist (use --config-dir)",
            args.config_dir.display()
        )));
    }
    // File reads and promtool/amtool runs block: keep them off the async workers.
    let (g, args) = tokio::task::spawn_blocking(move || {
        let mut g = Gathered::default();
        g.run_all(&args);
        (g, args)
    })
    .await
    .map_err(|e| AppError::harness(format!("check task failed: {e}")))?;
    finish(&args, g.checks, g.bad_input)
}

/// Every static check of `obsgate check` (rules, routes, dashboards, compose, docs), off the
/// async workers: `obsgate run` adds them to a run's report when its acceptance file asks.
/// Returns the checks and the required inputs that were missing or unparseable.
pub async fn static_checks(args: CheckArgs) -> Result<(Vec<Check>, Vec<String>), AppError> {
    tokio::task::spawn_blocking(move || {
        let mut g = Gathered::default();
        g.run_all(&args);
        (g.checks, g.bad_input)
    })
    .await
    .map_err(|e| AppError::harness(format!("check task failed: {e}")))
}

fn finish(args: &CheckArgs, checks: Vec<Check>, bad_input: Vec<String>) -> AppResult {
    let text = match args.output {
        OutputFormat::Json => {
            let body = serde_json::json!({ "checks": checks });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&body).unwrap_or_default()
            )
        }
        OutputFormat::Human => table(&checks),
    };
    // A closed pipe (`obsgate check | head`) is not an error of the checks.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    for b in &bad_input {
        eprintln!("obsgate check: {b}");
    }
    let failed = checks
        .iter()
        .any(|c| matches!(c.status, Status::Fail | Status::Error));
    let outcome = if !bad_input.is_empty() {
        Outcome::Usage
    } else if failed {
        Outcome::Fail
    } else {
        Outcome::Pass
    };
    let dir = args.report_dir.clone().unwrap_or_else(|| {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        PathBuf::from("reports").join(format!("check-{stamp}"))
    });
    write_report(&dir, &checks, outcome)?;
    Ok(outcome)
}

/// The human table: id, status, message; then a count line.
pub fn table(checks: &[Check]) -> String {
    let w = checks.iter().map(|c| c.id.len()).max().unwrap_or(2).max(2);
    let mut s = format!("{:<w$}  {:<6}  message\n", "id", "status");
    for c in checks {
        let status = serde_json::to_value(c.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        s.push_str(&format!("{:<w$}  {:<6}  {}\n", c.id, status, c.message));
        for e in c.evidence.iter().skip(1).take(4) {
            s.push_str(&format!("{:<w$}  {:<6}    {e}\n", "", ""));
        }
    }
    let count = |st: Status| checks.iter().filter(|c| c.status == st).count();
    s.push_str(&format!(
        "checks: {} pass, {} fail, {} error, {} skip\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Error),
        count(Status::Skip)
    ));
    s
}

fn write_report(dir: &Path, checks: &[Check], outcome: Outcome) -> Result<(), AppError> {
    use crate::evidence::LoadReport;
    use crate::report::model::{Report, SCHEMA_VERSION};
    use crate::verdict::Verdict;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let report = Report {
        schema_version: SCHEMA_VERSION,
        scenario: "check".into(),
        verdict: if outcome == Outcome::Pass {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        started_at: now.clone(),
        finished_at: now,
        obsgate_version: env!("CARGO_PKG_VERSION").into(),
        time_scale: 1.0,
        deviations: Vec::new(),
        load: LoadReport::default(),
        checks: checks.to_vec(),
        alerts: Vec::new(),
        criteria: Vec::new(),
    };
    // The same writers as `obsgate run`: report.json, report.md, junit.xml, report.html.
    crate::report::write_report(dir, &report).map_err(|e| {
        AppError::harness(format!(
            "cannot write the report into {}: {e}",
            dir.display()
        ))
    })
}

/// Every check so far and the required inputs that were missing or unparseable.
#[derive(Default)]
struct Gathered {
    checks: Vec<Check>,
    bad_input: Vec<String>,
}

impl Gathered {
    fn required<T>(&mut self, id: &str, kind: Kind, r: Result<T, ConfigError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.checks
                    .push(Check::error(id, kind, format!("cannot parse: {e}")));
                self.bad_input.push(e.to_string());
                None
            }
        }
    }

    fn run_all(&mut self, args: &CheckArgs) {
        let cfg = &args.config_dir;
        let tools = !args.no_tools;
        let mut extra = args.known_metrics.clone();
        extra.extend(expected_metric_names(&args.expect_dir.join("metrics.yaml")));
        let known = KnownMetrics::contract_plus(extra);
        let prom_path = cfg.join("prometheus.yml");
        let prom = self.required(
            "prometheus.parse",
            Kind::Rules,
            load_yaml::<PrometheusConfig>(&prom_path),
        );
        if prom.is_some() {
            self.checks.push(Check::pass(
                "prometheus.parse",
                Kind::Rules,
                format!("{} parses", prom_path.display()),
            ));
        }

        // Rules.
        let rule_paths: Vec<PathBuf> = match &prom {
            Some(p) if !p.rule_files.is_empty() => {
                p.rule_files.iter().flat_map(|f| expand(cfg, f)).collect()
            }
            _ => vec![cfg.join("alert-rules.yaml")],
        };
        let runbook_dir = args.docs_dir.join("runbooks");
        let runbooks: BTreeMap<String, String> = list_files(&runbook_dir, "md")
            .into_iter()
            .filter_map(|p| {
                let name = p.file_name()?.to_string_lossy().into_owned();
                std::fs::read_to_string(&p).ok().map(|t| (name, t))
            })
            .collect();
        let policy = RulesPolicy::shipped(known.clone(), Some(runbooks.keys().cloned().collect()));
        let mut rule_labels = RuleLabels::new();
        let mut runbook_urls = BTreeMap::new();
        for path in &rule_paths {
            let file = path.display().to_string();
            let parsed = load_yaml::<RuleFile>(path);
            if let Err(e) = &parsed {
                self.bad_input.push(e.to_string());
            }
            self.checks.extend(check_rule_file(&file, &parsed, &policy));
            for r in parsed
                .iter()
                .flat_map(|f| f.groups.iter())
                .flat_map(|g| g.rules.iter())
            {
                if let Some(a) = &r.alert {
                    rule_labels.insert(a.value.clone(), r.labels.clone());
                    runbook_urls.insert(a.value.clone(), r.annotations.get("runbook_url").cloned());
                }
            }
        }
        let mut promtool_args = vec!["check".to_string(), "rules".to_string()];
        promtool_args.extend(rule_paths.iter().map(|p| p.display().to_string()));
        self.checks.push(tool_check(
            "rules.promtool",
            Kind::Rules,
            "promtool check rules",
            &run_tool(tools, "promtool", &promtool_args),
        ));

        // Routing.
        let am_path = cfg.join("alertmanager.yml");
        let am = self.required(
            "alertmanager.parse",
            Kind::Routes,
            load_yaml::<AlertmanagerConfig>(&am_path),
        );
        let am_file = am_path.display().to_string();
        self.checks.push(tool_check(
            "alertmanager.config",
            Kind::Routes,
            "amtool check-config",
            &run_tool(tools, "amtool", &["check-config".into(), am_file.clone()]),
        ));
        let exp_path = args.expect_dir.join("routes.yaml");
        let exp = if exp_path.is_file() {
            self.required(
                "routes.expectations",
                Kind::Routes,
                load_yaml::<RoutesExpectations>(&exp_path),
            )
        } else {
            self.checks.push(Check::skip(
                "routes.expectations",
                Kind::Routes,
                format!(
                    "{} not found: routes not checked against expectations",
                    exp_path.display()
                ),
            ));
            None
        };
        if let Some(am) = &am {
            let model = RoutingModel::new(am);
            let exp = exp.unwrap_or_default();
            self.checks
                .extend(check_routes(&am_file, &model, &exp, &rule_labels));
            let cases: Vec<AmtoolCase> = exp
                .alerts
                .iter()
                .map(|a| {
                    let labels = alert_labels(&a.alert, &a.labels, &rule_labels);
                    let mut targs = vec![
                        "config".into(),
                        "routes".into(),
                        "test".into(),
                        format!("--config.file={am_file}"),
                    ];
                    targs.extend(labels.iter().map(|(k, v)| format!("{k}={v:?}")));
                    AmtoolCase {
                        alert: a.alert.clone(),
                        ours: model.receivers_for(&labels),
                        run: run_tool(tools, "amtool", &targs),
                    }
                })
                .collect();
            if !cases.is_empty() {
                self.checks.push(amtool_cross_check(&cases));
            }
        }

        let compose = load_yaml::<ComposeFile>(&args.compose);

        // Dashboards.
        let prov = cfg.join("grafana/provisioning");
        for p in list_files(&prov.join("dashboards"), "yaml")
            .into_iter()
            .chain(list_files(&prov.join("dashboards"), "yml"))
        {
            match load_yaml::<DashboardProvisioning>(&p) {
                Ok(d) => self.checks.push(check_provider(
                    &d,
                    compose.as_ref().ok(),
                    "./config/grafana/provisioning/dashboards",
                )),
                Err(e) => self.checks.push(Check::fail(
                    "dashboards.provider",
                    Kind::Dashboards,
                    e.to_string(),
                )),
            }
        }
        let mut datasources: Vec<ProvisionedDatasource> = Vec::new();
        for p in list_files(&prov.join("datasources"), "yaml")
            .into_iter()
            .chain(list_files(&prov.join("datasources"), "yml"))
        {
            match load_yaml::<DatasourceProvisioning>(&p) {
                Ok(d) => datasources.extend(d.datasources),
                Err(e) => self.checks.push(Check::fail(
                    format!("dashboards.provisioning.{}", file_key(&e.file)),
                    Kind::Dashboards,
                    e.to_string(),
                )),
            }
        }
        self.checks.push(Check::from_bool(
            "dashboards.datasources",
            Kind::Dashboards,
            datasources
                .iter()
                .any(|d| d.kind == "prometheus" && d.uid.is_some()),
            format!(
                "{} provisioned datasource(s); a Prometheus one with a uid is required",
                datasources.len()
            ),
        ));
        if let Ok(c) = &compose {
            self.checks.push(check_datasource_urls(&datasources, c));
        }
        let mut dashboards = Vec::new();
        let json_files = list_files(&prov.join("dashboards"), "json");
        if json_files.is_empty() {
            self.checks.push(Check::fail(
                "dashboards.files",
                Kind::Dashboards,
                format!("no dashboard JSON in {}", prov.join("dashboards").display()),
            ));
        }
        for p in json_files {
            match load_dashboard(&p) {
                Ok(d) => {
                    self.checks.extend(check_dashboard(
                        &d,
                        &datasources,
                        &known,
                        &DashboardPolicy::default(),
                    ));
                    dashboards.push(d);
                }
                Err(e) => self.checks.push(Check::fail(
                    format!("dashboards.parse.{}", file_key(&e.file)),
                    Kind::Dashboards,
                    e.to_string(),
                )),
            }
        }
        if !dashboards.is_empty() {
            self.checks.push(check_unique_uids(&dashboards));
        }

        // Compose.
        match &compose {
            Ok(c) => {
                let base = args
                    .compose
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let mount_exists: BTreeMap<String, bool> = host_mounts(c)
                    .into_iter()
                    .map(|m| {
                        let exists = base.join(&m).exists();
                        (m, exists)
                    })
                    .collect();
                let file = args.compose.display().to_string();
                self.checks.extend(check_compose(&ComposeInput {
                    file: &file,
                    compose: c,
                    mount_exists: &mount_exists,
                    prometheus: prom.as_ref(),
                }));
            }
            Err(e) => self
                .checks
                .push(Check::fail("compose.parse", Kind::Compose, e.to_string())),
        }

        // Docs.
        let readme = args
            .docs_dir
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .map(|p| p.join("README.md"));
        let readme_text = readme.and_then(|p| std::fs::read_to_string(p).ok());
        self.checks.push(check_readme(readme_text.as_deref()));
        self.checks.extend(check_runbooks(&runbook_urls, &runbooks));
    }
}
