//! The managed stack's config files: overlays generated from the shipped `config/` (see
//! [`super::overlay`]), rule files copied into the run dir, all of it written there and beside
//! the logs, then validated with `promtool`/`amtool` before anything is started, so a config
//! Prometheus or Alertmanager would reject is reported as such instead of as a startup crash.
//! Every duration is compressed to the run's time scale on the way ([`super::clock`]).

use std::path::{Path, PathBuf};

use super::clock::{Timers, compress_rule_file};
use super::managed::ManagedOptions;
use super::overlay::{PromOverlayInput, alertmanager_overlay, prometheus_overlay};
use super::process::{read, resolve_rule_files, validate};
use crate::config::duration::parse_prom_duration;
use crate::config::prometheus::PrometheusConfig;
use crate::config::secrets::redact_text;
use crate::config::timing::StackTiming;
use crate::evidence::{RuleRewrite, StackClock};
use crate::exit::AppError;

/// Where the managed processes listen and the fake receivers answer.
#[derive(Debug, Clone)]
pub(super) struct Addresses {
    /// `127.0.0.1:PORT` of Prometheus.
    pub prometheus: String,
    /// `127.0.0.1:PORT` of Alertmanager.
    pub alertmanager: String,
    /// Base URL of obsgate's fake receivers.
    pub receivers_base: String,
}

/// The generated configs, written and validated.
#[derive(Debug)]
pub(super) struct GeneratedConfigs {
    /// The Prometheus config in the run dir.
    pub prometheus: PathBuf,
    /// The Alertmanager config in the run dir.
    pub alertmanager: PathBuf,
    /// Every deviation from the shipped configs.
    pub deviations: Vec<String>,
    /// The timing the generated configs give, in scenario seconds.
    pub timing: StackTiming,
    /// What the compressed clock changed: flags, rewritten rules, the largest usable K.
    pub clock: StackClock,
}

/// Generate both overlays into `dir`, keep copies in the report dir, and validate them.
pub(super) async fn prepare(
    opts: &ManagedOptions,
    dir: &Path,
    addrs: &Addresses,
) -> Result<GeneratedConfigs, AppError> {
    let prom_src_path = opts.config_dir.join("prometheus.yml");
    let prom_src = read(&prom_src_path)?;
    let prom_name = prom_src_path.display().to_string();
    let am_src_path = opts
        .alertmanager_config
        .clone()
        .unwrap_or_else(|| opts.config_dir.join("alertmanager.yml"));
    let am_src = read(&am_src_path)?;
    let mut timers = Timers::new(opts.time_scale);
    let rules = copy_rule_files(opts, dir, &prom_src, &prom_name, &mut timers)?;
    let overlay = prometheus_overlay(
        &prom_src,
        &prom_name,
        &PromOverlayInput {
            stub_target: opts.scrape_target.clone(),
            prometheus_target: addrs.prometheus.clone(),
            alertmanager_target: addrs.alertmanager.clone(),
            interval_override_s: opts.interval_override_s,
            rule_files: rules.names,
        },
        &mut timers,
    )
    .map_err(AppError::usage)?;
    let am_name = am_src_path.display().to_string();
    let (am_text, am_dev) =
        alertmanager_overlay(&am_src, &am_name, &addrs.receivers_base, &mut timers)
            .map_err(AppError::usage)?;
    let prometheus_flags = timers.prometheus_flags().map_err(AppError::usage)?;
    timers.check_floor().map_err(AppError::usage)?;
    let mut deviations = overlay.deviations.clone();
    let added: Vec<String> = opts
        .extra_rule_files
        .iter()
        .filter(|p| rules.paths.contains(p))
        .map(|p| p.display().to_string())
        .collect();
    if !added.is_empty() {
        deviations.push(format!(
            "rule files added for the SLO expectations: {}",
            added.join(", ")
        ));
    }
    if opts.rule_files.is_some() {
        deviations.push(format!(
            "rule files replaced by {}",
            rules
                .paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    deviations.extend(am_dev);
    deviations.extend(prometheus_flags.iter().map(|f| {
        format!(
            "prometheus {f} (its default divided by time scale {})",
            opts.time_scale
        )
    }));
    // The compressed configs' timing, back in scenario seconds: what the bounds are judged in.
    let timing = StackTiming::from_configs(&overlay.text, &rules.texts, &am_text)
        .map_err(AppError::usage)?
        .scaled(opts.time_scale);
    let (prometheus, alertmanager) = write(opts, dir, &overlay.text, &am_text)?;
    validate_both(&prometheus, &prom_src_path, &alertmanager, &am_src_path).await?;
    Ok(GeneratedConfigs {
        prometheus,
        alertmanager,
        deviations,
        timing,
        clock: StackClock {
            time_scale: opts.time_scale,
            prometheus_flags,
            rewrites: rules.rewrites,
            largest_time_scale: timers.largest_k(),
        },
    })
}

/// The rule files the managed Prometheus loads, copied into the run dir.
struct CopiedRules {
    /// The originals.
    paths: Vec<PathBuf>,
    /// Their names in the run dir.
    names: Vec<String>,
    /// Their texts as loaded (compressed).
    texts: Vec<String>,
    /// Every rule, original beside rewrite.
    rewrites: Vec<RuleRewrite>,
}

/// Copy the rule files (the fixtures', else the shipped config's) into the run dir under
/// numbered names, so that two files of the same name from different folders cannot collide,
/// each compressed to the run's clock. Every rule that cannot be compressed is listed at once.
fn copy_rule_files(
    opts: &ManagedOptions,
    dir: &Path,
    prom_src: &str,
    prom_name: &str,
    timers: &mut Timers,
) -> Result<CopiedRules, AppError> {
    let typed: PrometheusConfig = crate::config::parse_yaml(prom_name, prom_src)
        .map_err(|e| AppError::usage(e.to_string()))?;
    let scrape_s = production_scrape_interval_s(opts, &typed)?;
    let mut paths = match &opts.rule_files {
        Some(r) => r.clone(),
        None => resolve_rule_files(&opts.config_dir, &typed.rule_files)?,
    };
    let key = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    for extra in &opts.extra_rule_files {
        if !paths.iter().any(|p| key(p) == key(extra)) {
            paths.push(extra.clone());
        }
    }
    let mut out = CopiedRules {
        paths: paths.clone(),
        names: Vec::new(),
        texts: Vec::new(),
        rewrites: Vec::new(),
    };
    let mut refused = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        let text = read(p)?;
        let c = match compress_rule_file(&text, &p.display().to_string(), timers, scrape_s) {
            Ok(c) => c,
            Err(e) => {
                refused.extend(e);
                continue;
            }
        };
        let name = format!(
            "rules-{i}-{}",
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("rules.yaml")
        );
        std::fs::write(dir.join(&name), &c.text)
            .map_err(|e| AppError::harness(format!("{name}: {e}")))?;
        out.names.push(name);
        out.texts.push(c.text);
        out.rewrites.extend(c.rewrites);
    }
    if !refused.is_empty() {
        return Err(AppError::usage(format!(
            "the rules cannot run at time scale {}:\n  {}",
            timers.k(),
            refused.join("\n  ")
        )));
    }
    Ok(out)
}

/// The production scrape interval the rule windows are checked against: `--scrape-interval`
/// when given, else the shipped global one (Prometheus's default 1m when absent).
fn production_scrape_interval_s(
    opts: &ManagedOptions,
    typed: &PrometheusConfig,
) -> Result<f64, AppError> {
    if let Some(s) = opts.interval_override_s {
        return Ok(s);
    }
    match typed
        .global
        .as_ref()
        .and_then(|g| g.scrape_interval.as_deref())
    {
        Some(s) => {
            parse_prom_duration(s).map_err(|e| AppError::usage(format!("scrape_interval: {e}")))
        }
        None => Ok(60.0),
    }
}

/// Write both configs into the run dir, and copies beside the logs (the report's deviations
/// point at them).
fn write(
    opts: &ManagedOptions,
    dir: &Path,
    prom_text: &str,
    am_text: &str,
) -> Result<(PathBuf, PathBuf), AppError> {
    let prom_cfg = dir.join("prometheus.yml");
    let am_cfg = dir.join("alertmanager.yml");
    for (p, t) in [(&prom_cfg, prom_text), (&am_cfg, am_text)] {
        std::fs::write(p, t).map_err(|e| AppError::harness(format!("{}: {e}", p.display())))?;
    }
    // The copies are for people to read: every secret of the user's config is redacted.
    let report = |name: &str, text: &str| {
        let _ = std::fs::write(opts.report_dir.join(name), redact_text(text));
    };
    report("prometheus.overlay.yml", prom_text);
    report("alertmanager.overlay.yml", am_text);
    Ok((prom_cfg, am_cfg))
}

/// `promtool check config` and `amtool check-config` on the generated files; the error names
/// the shipped file each was generated from, since that is what the user can fix.
async fn validate_both(
    prom_cfg: &Path,
    prom_src: &Path,
    am_cfg: &Path,
    am_src: &Path,
) -> Result<(), AppError> {
    if let Some(msg) = validate(
        "promtool",
        &["check", "config", &prom_cfg.display().to_string()],
    )
    .await
    {
        return Err(AppError::harness(format!(
            "Prometheus rejects the config generated from {}:\n{msg}",
            prom_src.display()
        )));
    }
    if let Some(msg) = validate("amtool", &["check-config", &am_cfg.display().to_string()]).await {
        return Err(AppError::harness(format!(
            "Alertmanager rejects the config generated from {}:\n{msg}",
            am_src.display()
        )));
    }
    Ok(())
}
