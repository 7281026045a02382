//! What the health probes of running stack components saw (`obsgate health`, and a run's
//! acceptance checks): plain answers of HTTP endpoints and of the Prometheus and Alertmanager
//! APIs, before anyone decides whether they are healthy.

/// How one HTTP GET ended; `B` is the body as the probe decoded it (text by default).
#[derive(Debug, Clone, PartialEq)]
pub enum HttpOutcome<B = String> {
    /// A 2xx answer, with its content type and body (Err: the body could not be read).
    Answered {
        /// The `Content-Type` header ("" when absent).
        content_type: String,
        /// The body, or why reading it failed.
        body: Result<B, String>,
    },
    /// A non-2xx answer, with its status as HTTP prints it (`404 Not Found`).
    Status(String),
    /// No answer: connection refused, timeout, bad URL.
    Failed(String),
}

/// One HTTP GET and how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpProbe<B = String> {
    /// The URL that was asked.
    pub url: String,
    /// What came back.
    pub outcome: HttpOutcome<B>,
}

/// A `/metrics` body through the strict exposition parser: Ok(sample count) or every
/// malformed line (bounded), each with its line and column.
pub type ExpositionParse = Result<usize, Vec<String>>;

/// Grafana's answer for one dashboard uid.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardProbe {
    /// The dashboard uid asked for.
    pub uid: String,
    /// `GET /api/dashboards/uid/<uid>`.
    pub probe: HttpProbe,
}

/// One active scrape target as Prometheus reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetState {
    /// The `job` label.
    pub job: String,
    /// The scrape URL.
    pub scrape_url: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// Last scrape error.
    pub last_error: String,
}

/// One rule as Prometheus reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleState {
    /// Rule group name.
    pub group: String,
    /// Alert name or recorded series name.
    pub name: String,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    /// Last evaluation error, if any.
    pub last_error: Option<String>,
}

/// What Prometheus answered: readiness, then its targets and rules (each Err when the API
/// call failed). Targets and rules are not asked when Prometheus cannot be reached at all.
#[derive(Debug, Clone, PartialEq)]
pub enum PrometheusHealth {
    /// `/-/ready` got no answer.
    Unreachable {
        /// Why.
        error: String,
    },
    /// Prometheus answered.
    Reached {
        /// Its base URL.
        base: String,
        /// `/-/ready` answered 200.
        ready: bool,
        /// `/api/v1/targets`, active targets.
        targets: Result<Vec<TargetState>, String>,
        /// `/api/v1/rules`.
        rules: Result<Vec<RuleState>, String>,
    },
}

/// `/api/v2/status` of Alertmanager, the parts health looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct AmStatusSeen {
    /// `ready`, `settling` or `disabled`.
    pub cluster_status: String,
    /// Peers in the cluster.
    pub peers: usize,
    /// Whether a loaded config is reported.
    pub has_config: bool,
    /// Alertmanager version.
    pub version: String,
}

/// What Alertmanager answered: readiness, then its status (not asked when unreachable).
#[derive(Debug, Clone, PartialEq)]
pub enum AlertmanagerHealth {
    /// `/-/ready` got no answer.
    Unreachable {
        /// Why.
        error: String,
    },
    /// Alertmanager answered.
    Reached {
        /// Its base URL.
        base: String,
        /// `/-/ready` answered 200.
        ready: bool,
        /// `/api/v2/status`, or why it failed.
        status: Result<AmStatusSeen, String>,
    },
}

/// A process the run started that died during the run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ComponentDeath {
    /// `stub`, `prometheus` or `alertmanager`.
    pub component: String,
    /// How it ended: `exited by signal 9`, `exited with status 1`.
    pub how: String,
    /// When it was seen dead, Unix milliseconds.
    pub at_unix_ms: i64,
}
