//! Declarations of the checks emitted outside `crate::check`, by the command layer, which
//! reads files and runs tools before (or instead of) calling the pure checks. Each list names
//! the file that emits its ids.

use crate::check::registry::CheckInfo;
use crate::verdict::Kind;

/// Emitted by `src/cmd/check.rs` (`obsgate check`, and `obsgate run` with an acceptance file):
/// the required inputs (`Gathered::required`), the promtool/amtool runs (`tool_check`) and the
/// provisioning files it reads itself.
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "prometheus.parse",
        kind: Kind::Rules,
        proves: "the config folder's prometheus.yml parses",
        failure: "prometheus.yml is missing or not valid YAML: exit 2, the message has its line",
        explain: "prometheus.yml gives the rule files and the targets the other checks read; \
                  without it `obsgate check` stops with exit 2.\n\
                  Example failure: cannot parse: config/prometheus.yml:12:3: did not find expected key",
    },
    CheckInfo {
        id: "rules.promtool",
        kind: Kind::Rules,
        proves: "`promtool check rules` accepts every rule file",
        failure: "Prometheus itself rejects a rule file: the message quotes promtool",
        explain: "Run when promtool is on PATH (skipped otherwise, or with --no-tools); an error \
                  when it could not run at all.\n\
                  Example failure: promtool check rules: config/alert-rules.yaml: 42:11: \
                  group \"pipeline\", rule 3, \"RenderFailures\": could not parse expression",
    },
    CheckInfo {
        id: "alertmanager.parse",
        kind: Kind::Routes,
        proves: "(only ever an error) alertmanager.yml could not be read or parsed",
        failure: "alertmanager.yml is missing or invalid: exit 2, the message has its line",
        explain: "Without the Alertmanager config no routing check can run.\n\
                  Example failure: cannot parse: config/alertmanager.yml:7:5: mapping values are \
                  not allowed in this context",
    },
    CheckInfo {
        id: "alertmanager.config",
        kind: Kind::Routes,
        proves: "`amtool check-config` accepts alertmanager.yml",
        failure: "Alertmanager itself rejects its config: the message quotes amtool",
        explain: "Run when amtool is on PATH (skipped otherwise, or with --no-tools).\n\
                  Example failure: amtool check-config: undefined receiver \"critcal\" used in route",
    },
    CheckInfo {
        id: "routes.expectations",
        kind: Kind::Routes,
        proves: "(never a pass) expectations/routes.yaml is absent (skip) or unparseable (error)",
        failure: "the routing expectations cannot be read: exit 2, the message has its line",
        explain: "Without routes.yaml the routes are only checked for structure, not against \
                  expected receivers: that is a skip.\n\
                  Example failure: cannot parse: expectations/routes.yaml:3:1: unknown field `alert`",
    },
    CheckInfo {
        id: "dashboards.provisioning.<file>",
        kind: Kind::Dashboards,
        proves: "(only ever a failure) a datasource provisioning file could not be parsed",
        failure: "Grafana would not provision the datasources of this file: fix its YAML",
        explain: "Files in grafana/provisioning/datasources/ are parsed to know the datasources \
                  dashboards may use.\n\
                  Example failure: config/grafana/provisioning/datasources/ds.yaml:4:1: invalid type",
    },
    CheckInfo {
        id: "dashboards.datasources",
        kind: Kind::Dashboards,
        proves: "a Prometheus datasource with a uid is provisioned",
        failure: "dashboards cannot reference Prometheus by a stable uid: add one",
        explain: "Counts the provisioned datasources; one of type prometheus with a uid is required.\n\
                  Example failure: 1 provisioned datasource(s); a Prometheus one with a uid is required",
    },
    CheckInfo {
        id: "dashboards.files",
        kind: Kind::Dashboards,
        proves: "(only ever a failure) no dashboard JSON is provisioned",
        failure: "Grafana would show no dashboard: add JSON to grafana/provisioning/dashboards/",
        explain: "Emitted when the dashboards folder holds no .json file.\n\
                  Example failure: no dashboard JSON in config/grafana/provisioning/dashboards",
    },
    CheckInfo {
        id: "dashboards.parse.<file>",
        kind: Kind::Dashboards,
        proves: "(only ever a failure) a dashboard JSON file could not be parsed",
        failure: "Grafana would skip this dashboard: the message has file:line",
        explain: "The id carries the file name; its other checks are not run.\n\
                  Example failure: config/grafana/provisioning/dashboards/sla.json:10:5: \
                  expected `,` or `}`",
    },
    CheckInfo {
        id: "compose.parse",
        kind: Kind::Compose,
        proves: "(only ever a failure) the compose file could not be read or parsed",
        failure: "no compose check can run: see the message for file:line",
        explain: "The compose file (--compose) is read for the compose checks and for the \
                  Grafana provider and datasource URL checks.\n\
                  Example failure: docker-compose.monitoring.yml:0:0: cannot read: No such file or directory",
    },
];

/// Emitted by `check::judge` and `run::stack` when an
/// input of a run's judgement is missing.
pub const RUN_CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "logs.capture",
        kind: Kind::Logs,
        proves: "(only ever an error) the target's log lines could not be captured",
        failure: "no log check is trustworthy: see the error (log file, stub stdout)",
        explain: "Emitted when reading the stub's stdout or the --logs file failed.\n\
                  Example failure: cannot read /var/log/pipeline.log: No such file or directory",
    },
    CheckInfo {
        id: "alerts.stack",
        kind: Kind::Alerts,
        proves: "(only ever an error) alerts are expected but no Prometheus/Alertmanager was observed",
        failure: "alert expectations were not checked: run with a managed or external stack",
        explain: "Emitted so that skipped alert checks cannot let a scenario that \
                  expects alerts pass.\n\
                  Example failure: the scenario expects alerts but no Prometheus/Alertmanager was \
                  observed (--stack none or binaries missing): alert expectations were not checked",
    },
    CheckInfo {
        id: "dashboards.live",
        kind: Kind::Dashboards,
        proves: "(only ever a skip) no Prometheus to evaluate dashboard queries on",
        failure: "live dashboard checks did not run: give the run a stack",
        explain: "Emitted with --stack none when dashboards are expected.\n\
                  Example: no Prometheus to evaluate dashboard queries on (--stack none)",
    },
    CheckInfo {
        id: "static.input",
        kind: Kind::Static,
        proves: "(only ever an error) a required input of the static checks is missing or broken",
        failure: "the run's static checks are incomplete: the message names the file",
        explain: "Emitted for each bad input when an acceptance file makes a \
                  run add the static checks of `obsgate check`.\n\
                  Example failure: config/alertmanager.yml:7:5: mapping values are not allowed",
    },
    CheckInfo {
        id: "static",
        kind: Kind::Static,
        proves: "(only ever an error) the static checks could not run within the run",
        failure: "no static check was judged: see the message",
        explain: "Emitted when the static checks' task itself failed.\n\
                  Example failure: check task failed: task panicked",
    },
    CheckInfo {
        id: "traces.backend",
        kind: Kind::Traces,
        proves: "(only ever an error) reads of traces back from Jaeger failed",
        failure: "trace checks judged what could be read: see Jaeger's URL and health",
        explain: "Emitted with --jaeger-url when some reads failed.\n\
                  Example failure: 3 reads from Jaeger at http://localhost:16686 failed; last: \
                  connection refused",
    },
];
