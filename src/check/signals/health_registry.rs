//! Declarations of the `health.*` checks of [`super::health`] (`obsgate health`, and the
//! health checks of a run), and of the Grafana dashboard probe it also runs.

use crate::check::registry::CheckInfo;
use crate::verdict::Kind;

const KIND: Kind = Kind::Health;

/// Emitted by [`super::health`].
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "health.prometheus.ready",
        kind: KIND,
        proves: "Prometheus answers 200 on /-/ready",
        failure: "Prometheus is down or still starting: see its log and URL",
        explain: "Example failure: Prometheus unreachable: connection refused",
    },
    CheckInfo {
        id: "health.prometheus.targets",
        kind: KIND,
        proves: "Prometheus has active scrape targets and all are up",
        failure: "a target is down: the evidence gives job, URL and last error",
        explain: "Reads /api/v1/targets.\n\
                  Example failure: 1 of 3 target(s) not up",
    },
    CheckInfo {
        id: "health.prometheus.rules",
        kind: KIND,
        proves: "every loaded rule evaluates without error",
        failure: "a rule fails to evaluate on live data: the evidence quotes the error",
        explain: "Reads /api/v1/rules; a rule with health `err` fails.\n\
                  Example failure: 1 rule(s) failing to evaluate",
    },
    CheckInfo {
        id: "health.alertmanager.ready",
        kind: KIND,
        proves: "Alertmanager answers 200 on /-/ready",
        failure: "Alertmanager is down or still starting: see its log and URL",
        explain: "Example failure: Alertmanager unreachable: connection refused",
    },
    CheckInfo {
        id: "health.alertmanager.status",
        kind: KIND,
        proves: "Alertmanager's cluster is ready (or disabled) and its config is loaded",
        failure: "Alertmanager would not notify reliably: see /api/v2/status",
        explain: "Example failure: version 0.26.0, cluster settling (2 peer(s)), config loaded",
    },
    CheckInfo {
        id: "health.grafana",
        kind: KIND,
        proves: "Grafana's /api/health answers 200 with database ok",
        failure: "Grafana is down or its database is not ok: see the URL",
        explain: "Example failure: http://localhost:3000/api/health: HTTP 503",
    },
    CheckInfo {
        id: "health.jaeger",
        kind: KIND,
        proves: "Jaeger query answers 200 on /api/services (or /)",
        failure: "Jaeger is down: traces cannot be read back",
        explain: "Example failure: http://localhost:16686/: connection refused",
    },
    CheckInfo {
        id: "health.target.metrics",
        kind: KIND,
        proves: "the target's /metrics answers 200 and parses strictly",
        failure: "Prometheus would fail to scrape the target: the evidence gives line:column",
        explain: "The same strict parser as metrics.exposition: a probe that accepts what the \
                  gate rejects would lie.\n\
                  Example failure: http://127.0.0.1:8000/metrics: 1 malformed line(s)",
    },
    CheckInfo {
        id: "dashboards.grafana.<uid>",
        kind: Kind::Dashboards,
        proves: "Grafana serves the dashboard with this uid (it was provisioned)",
        failure: "Grafana did not load the dashboard: see its provisioning log",
        explain: "GET /api/dashboards/uid/<uid> must answer 200 (credentials in the URL when \
                  Grafana needs them).\n\
                  Example failure: Grafana does not serve dashboard `pipeline`: \
                  http://localhost:3000/api/dashboards/uid/pipeline answered HTTP 404",
    },
];
