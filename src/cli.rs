//! Command-line interface (clap derive). Every flag documented here is part of the contract
//! with CI scripts: rename nothing without a deprecation path.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Synthetic testing and load harness that gates an observability stack.
#[derive(Debug, Parser)]
#[command(name = "obsgate", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
// Parsed once per process: the size of the largest arguments costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Run a scenario: drive load against the stub, observe the stack, check, report.
    Run(RunArgs),
    /// Serve the instrumented pipeline stub (the system under test).
    Stub(StubArgs),
    /// Static checks of the stack's config: rules, routes, dashboards, compose.
    Check(CheckArgs),
    /// Check the health of running stack components.
    Health(HealthArgs),
    /// Work with written reports (e.g. compare two runs).
    Report(ReportArgs),
    /// List every check obsgate can emit, or explain one (`checks explain ID`).
    Checks(ChecksArgs),
    /// Service level objectives: generate their burn-rate rules (`slo generate`).
    Slo(SloArgs),
}

/// Machine-readable or human output on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// A human summary.
    #[default]
    Human,
    /// The report as JSON (the same contract as report.json).
    Json,
}

/// Which findings make `obsgate check` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    /// Failures (bugs) only; warnings are advice.
    #[default]
    Fail,
    /// Warnings too.
    Warn,
}

/// Which Prometheus/Alertmanager the run observes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StackMode {
    /// Start Prometheus and Alertmanager as child processes on loopback.
    Managed,
    /// Observe a running stack through its HTTP APIs.
    External,
    /// No stack: alert expectations are skipped.
    None,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// Where to write the report (default: reports/<scenario>-<UTC timestamp>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Drive a running stub at this base URL instead of starting one.
    #[arg(long)]
    pub target: Option<String>,
    /// Allow a target that is not a loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    /// Scenario seconds per wall second (overrides the scenario's `time_scale`).
    #[arg(long)]
    pub time_scale: Option<f64>,
    /// Defect switch passed to the started stub (repeatable), e.g. `drop-traceparent`.
    #[arg(long = "stub-defect", value_name = "NAME")]
    pub stub_defects: Vec<String>,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Run only slice I of N of the schedule (every N-th job from I) and write a partial
    /// report for `obsgate report merge`, e.g. `--shard 0/3`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// Prometheus/Alertmanager: managed (default when their binaries are on PATH), external or none.
    #[arg(long, value_enum)]
    pub stack: Option<StackMode>,
    /// Prometheus base URL (with `--stack external`).
    #[arg(long)]
    pub prometheus_url: Option<String>,
    /// Alertmanager base URL (with `--stack external`).
    #[arg(long)]
    pub alertmanager_url: Option<String>,
    /// Grafana base URL: also check its health and that every dashboard is loaded.
    #[arg(long)]
    pub grafana_url: Option<String>,
    /// Read traces back from Jaeger at this URL instead of obsgate's own OTLP receiver.
    #[arg(long)]
    pub jaeger_url: Option<String>,
    /// Tail this log file for the target's JSON logs (for `--target`).
    #[arg(long)]
    pub logs: Option<PathBuf>,
    /// Override Prometheus's scrape and evaluation interval, in scenario time, e.g. `5s` (the
    /// managed stack divides it by the time scale like every other interval).
    #[arg(long)]
    pub scrape_interval: Option<String>,
    /// With `--stack external` or `--target`: how long a component may fail every probe
    /// before the run stops as `incomplete` (wall time, e.g. `10s`); a shorter outage (a
    /// restart) is survived and stated in the report.
    #[arg(long, default_value = "10s")]
    pub outage_limit: String,
    /// With `--stack external`, run alert expectations although the stack keeps wall time
    /// while the stub runs at the time scale (alert timings are then reported in wall time).
    #[arg(long)]
    pub allow_clock_skew: bool,
    /// The stack's config folder (managed stack overlays and rule checks).
    #[arg(long, default_value = "config")]
    pub config_dir: PathBuf,
    /// The expectations folder the static checks read (with an acceptance file).
    #[arg(long, default_value = "expectations")]
    pub expect_dir: PathBuf,
    /// The compose file the static checks read (with an acceptance file).
    #[arg(long, default_value = "docker-compose.monitoring.yml")]
    pub compose: PathBuf,
    /// The documentation folder the static checks read (runbooks in `<docs-dir>/runbooks/`).
    #[arg(long, default_value = "docs")]
    pub docs_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct StubArgs {
    /// Address to listen on, e.g. `127.0.0.1:8000` (`:0` picks a free port; the chosen address
    /// is printed on stderr as `listening on ADDR`).
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub listen: String,
    /// Full OTLP/HTTP traces URL, used verbatim (like OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
    #[arg(long)]
    pub otlp_endpoint: Option<String>,
    /// Scenario seconds per wall second.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Defect switch (repeatable): drop-traceparent, omit-log-field=F, rename-metric=OLD:NEW,
    /// wrong-metric-type=NAME, unbounded-label, no-trace-export.
    #[arg(long = "defect", value_name = "NAME")]
    pub defects: Vec<String>,
    /// Bearer token required on /admin routes (mandatory on a non-loopback address).
    #[arg(long, env = "OBSGATE_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Maximum number of queued jobs before POST /v1/jobs answers 503.
    #[arg(long, default_value_t = 10_000)]
    pub queue_capacity: usize,
    /// Worker pool size (jobs processed concurrently).
    #[arg(long, default_value_t = 64)]
    pub workers: usize,
    /// Seed of the pipeline model's random numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Seconds to let in-flight jobs finish on shutdown before failing them.
    #[arg(long, default_value_t = 10.0)]
    pub shutdown_grace_s: f64,
    /// Also log every stage start/end (DEBUG lines).
    #[arg(long)]
    pub debug_logs: bool,
    /// Exit at once when the process that started this stub dies (obsgate's own stub child:
    /// a SIGKILLed run must not leave it behind).
    #[arg(long)]
    pub exit_with_parent: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The stack's config folder (default `config`; not read when files are named with
    /// --rules, --dashboards or --alertmanager).
    #[arg(long)]
    pub config_dir: Option<PathBuf>,
    /// The expectations folder: the contract checks (the seed's alerts, routes, metric
    /// contract) run only with one. Default: `expectations` when it exists and no files are
    /// named.
    #[arg(long)]
    pub expect_dir: Option<PathBuf>,
    /// Rule files to check: a file, a folder or a glob (repeatable). Plain rule files,
    /// multi-document YAML, PrometheusRule manifests and ConfigMaps carrying rule files.
    #[arg(long = "rules", value_name = "FILE|DIR|GLOB")]
    pub rules: Vec<String>,
    /// Dashboards to check: a file, a folder or a glob (repeatable). Dashboard JSON, API
    /// exports (`{"dashboard": …}`) and ConfigMaps carrying dashboards.
    #[arg(long = "dashboards", value_name = "FILE|DIR|GLOB")]
    pub dashboards: Vec<String>,
    /// An alertmanager.yml to check beside the named files.
    #[arg(long, value_name = "FILE")]
    pub alertmanager: Option<PathBuf>,
    /// The policy file: exceptions that turn checks off or change their severity, each with
    /// a reason (default: `obsgate.yaml` in the config folder, else in the working folder).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Exit 1 on failures only (default), or on warnings too.
    #[arg(long, value_enum, default_value_t)]
    pub fail_on: FailOn,
    /// The compose file.
    #[arg(long, default_value = "docker-compose.monitoring.yml")]
    pub compose: PathBuf,
    /// Where to write the report (default: reports/check-<UTC timestamp>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
    /// The documentation folder (runbooks in `<docs-dir>/runbooks/`, README beside it).
    #[arg(long, default_value = "docs")]
    pub docs_dir: PathBuf,
    /// A metric name rules and dashboards may read besides the contract's (repeatable; a
    /// comma list `a,b`, or `@FILE` with one name a line).
    #[arg(long = "known-metric", value_name = "NAME")]
    pub known_metrics: Vec<String>,
    /// A metric catalog source (repeatable): a names file, an exposition file, a `/metrics`
    /// URL or a Prometheus base URL; exposition and Prometheus sources also give labels.
    #[arg(long = "metrics-from", value_name = "SOURCE")]
    pub metrics_from: Vec<String>,
    /// Let --metrics-from read URLs that are not loopback (GET only).
    #[arg(long)]
    pub allow_remote: bool,
    /// Do not run promtool/amtool even when they are on PATH.
    #[arg(long)]
    pub no_tools: bool,
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    /// Prometheus base URL.
    #[arg(long)]
    pub prometheus_url: Option<String>,
    /// Alertmanager base URL.
    #[arg(long)]
    pub alertmanager_url: Option<String>,
    /// Grafana base URL.
    #[arg(long)]
    pub grafana_url: Option<String>,
    /// Jaeger query base URL.
    #[arg(long)]
    pub jaeger_url: Option<String>,
    /// The pipeline service (stub) base URL.
    #[arg(long)]
    pub target: Option<String>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Compare two runs of the same scenario and flag regressions (exit 1 on regression).
    Diff(DiffArgs),
    /// Merge the partial reports of `obsgate run --shard I/N` into one report (exit codes as
    /// for `obsgate run`; 2 when the reports are not every shard of one run).
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Every shard's report folder (or its report.json).
    #[arg(required = true, num_args = 1..)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged report (default: reports/<scenario>-merged-<UTC timestamp>/).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older run's report folder.
    pub old: PathBuf,
    /// The newer run's report folder.
    pub new: PathBuf,
    /// Allowed relative increase of a latency percentile, in percent.
    #[arg(long, default_value_t = 10.0)]
    pub latency_tolerance_pct: f64,
    /// Allowed relative drop of an achieved rate, in percent.
    #[arg(long, default_value_t = 1.0)]
    pub rate_tolerance_pct: f64,
    /// Allowed increase of an alert timing, in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub alert_tolerance_s: f64,
    /// Latency or job-time increases smaller than this, in milliseconds, are never regressions
    /// (sub-millisecond percentiles jitter by more than any sensible percentage between runs).
    #[arg(long, default_value_t = 1.0)]
    pub latency_floor_ms: f64,
    /// Allowed increase of the error budget an SLO phase spends, in points of the budget
    /// (`0.5`: from 2.0 % to 2.5 % of the budget is within tolerance).
    #[arg(long, default_value_t = 0.5)]
    pub budget_tolerance_pts: f64,
    /// Output on stdout.
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    #[command(subcommand)]
    pub command: Option<ChecksCommand>,
    /// Output on stdout (of the listing).
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// What a check proves, what its failure means and an example (exit 2 when unknown).
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A check id as in a report (`alerts.fired.RenderFailures`) or its pattern
    /// (`alerts.fired.<alert>`).
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SloArgs {
    #[command(subcommand)]
    pub command: SloCommand,
}

#[derive(Debug, Subcommand)]
pub enum SloCommand {
    /// Write the recording and burn-rate alerting rules of an SLO file (exit 1 with `--check`
    /// when the written file is out of date).
    Generate(SloGenerateArgs),
}

#[derive(Debug, Args)]
pub struct SloGenerateArgs {
    /// The SLO file.
    #[arg(long, default_value = "config/slos.yaml")]
    pub slos: PathBuf,
    /// The generated rule file (default: `slo-rules.yaml` beside the SLO file).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write nothing; exit 1 when the rule file differs from what would be generated.
    #[arg(long)]
    pub check: bool,
}
