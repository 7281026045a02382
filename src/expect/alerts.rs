//! Alert expectations (`expectations/alerts.yaml`): raw strict serde model with source
//! positions, resolved into [`AlertExpectations`] (durations in seconds, regexes compiled).
//! Durations are wall-clock: Prometheus and Alertmanager run on wall time whatever the
//! scenario's time scale.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::alerts_notification::RawNotification;
pub use super::alerts_notification::{NotificationExpectation, Requirement};
use crate::config::duration::parse_prom_duration;
use crate::exit::AppError;

/// What to do with an alert that fires without being expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UnexpectedPolicy {
    /// A failure (the default: an unplanned page is a defect).
    #[default]
    Fail,
    /// Reported in the timeline only.
    Ignore,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// fail (default) or ignore.
    #[serde(default)]
    unexpected_alerts: UnexpectedPolicy,
    /// Alert names this file does not judge (anchored regexes), e.g. `.*BudgetBurn.*` where an
    /// SLO file judges the burn-rate alerts: they are neither expected nor unexpected here.
    #[serde(default)]
    ignore_alerts: Vec<Spanned<String>>,
    /// An always-firing alert whose notifications must keep reaching one receiver.
    #[serde(default)]
    heartbeat: Option<super::heartbeat::RawHeartbeat>,
    /// One entry per expected alert.
    alerts: Vec<RawAlert>,
}

/// One expected alert as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    /// The `alertname`.
    alert: Spanned<String>,
    /// Scenario phase during which it must fire.
    fires_in: Spanned<String>,
    /// Wall duration from that phase's start by which it must be firing, e.g. `20m`.
    within: Spanned<String>,
    /// Phases in which it must not start firing (default: every phase but `fires_in`).
    #[serde(default)]
    silent_in: Option<Vec<Spanned<String>>>,
    /// Wall duration after the phase ends by which it must be resolved.
    #[serde(default)]
    resolves_within: Option<Spanned<String>>,
    /// Exact set of receivers: names, `slack:#channel`, `pagerduty:<routing_key>`, `webhook:<name>`.
    #[serde(default)]
    receivers: Vec<String>,
    /// Labels it must carry (values are anchored regexes; unlisted labels are not checked).
    #[serde(default)]
    labels: BTreeMap<String, Spanned<String>>,
    /// Annotations it must carry (values are anchored regexes).
    #[serde(default)]
    annotations: BTreeMap<String, Spanned<String>>,
    /// Another alert that must inhibit this one while it fires.
    #[serde(default)]
    inhibited_by: Option<String>,
    /// What its notifications must say and carry.
    #[serde(default)]
    notification: Option<RawNotification>,
}

/// One resolved alert expectation.
#[derive(Debug, Clone)]
pub struct AlertExpectation {
    /// The `alertname`.
    pub alert: String,
    /// Phase in which it must fire.
    pub fires_in: String,
    /// `file:line:column` of `fires_in` (for phase errors).
    pub fires_in_at: String,
    /// Seconds from that phase's start by which it must fire.
    pub within_s: f64,
    /// Phases in which it must stay silent (None: every other phase).
    pub silent_in: Option<Vec<String>>,
    /// Seconds after the phase ends by which it must be resolved.
    pub resolves_within_s: Option<f64>,
    /// Expected receivers (names and destinations).
    pub receivers: Vec<String>,
    /// Label name → anchored regex.
    pub labels: BTreeMap<String, Regex>,
    /// Annotation name → anchored regex.
    pub annotations: BTreeMap<String, Regex>,
    /// Inhibiting alert.
    pub inhibited_by: Option<String>,
    /// What its notifications must say and carry (`notification:`).
    pub notification: Option<NotificationExpectation>,
}

/// The whole resolved file.
#[derive(Debug, Clone)]
pub struct AlertExpectations {
    /// The file it came from.
    pub source: String,
    /// What an unexpected alert means.
    pub unexpected_alerts: UnexpectedPolicy,
    /// Alert names (anchored) this file does not judge.
    pub ignore_alerts: Vec<Regex>,
    /// The heartbeat (`alerts.heartbeat.<alert>`); its alert is expected, never unexpected.
    pub heartbeat: Option<super::heartbeat::Heartbeat>,
    /// Expected alerts, in file order.
    pub alerts: Vec<AlertExpectation>,
}

fn at<T>(src: &str, s: &Spanned<T>) -> String {
    format!("{src}:{}:{}", s.referenced.line(), s.referenced.column())
}

fn regexes(
    src: &str,
    m: BTreeMap<String, Spanned<String>>,
    errs: &mut Vec<String>,
) -> BTreeMap<String, Regex> {
    let mut out = BTreeMap::new();
    for (k, v) in m {
        match Regex::new(&format!("^(?:{})$", v.value)) {
            Ok(r) => {
                out.insert(k, r);
            }
            Err(e) => errs.push(format!(
                "{}: `{k}`: bad regex `{}`: {e}",
                at(src, &v),
                v.value
            )),
        }
    }
    out
}

fn duration(src: &str, s: &Spanned<String>, errs: &mut Vec<String>) -> f64 {
    parse_prom_duration(&s.value).unwrap_or_else(|e| {
        errs.push(format!("{}: {e}", at(src, s)));
        0.0
    })
}

/// Parse an alert expectations file's text; every problem is reported at once with file:line:column.
pub fn parse(text: &str, source: &str) -> Result<AlertExpectations, AppError> {
    let raw: RawFile =
        serde_saphyr::from_str(text).map_err(|e| AppError::usage(format!("{source}: {e}")))?;
    let mut errs = Vec::new();
    let mut alerts: Vec<AlertExpectation> = Vec::new();
    for a in raw.alerts {
        if alerts.iter().any(|x| x.alert == a.alert.value) {
            errs.push(format!(
                "{}: alert `{}` is expected twice",
                at(source, &a.alert),
                a.alert.value
            ));
        }
        for r in &a.receivers {
            let ok = match r.split_once(':') {
                Some((kind, rest)) => {
                    matches!(kind, "slack" | "pagerduty" | "webhook") && !rest.is_empty()
                }
                None => !r.is_empty(),
            };
            if !ok {
                errs.push(format!(
                    "{}: alert `{}`: bad receiver `{r}` (allowed: a receiver name, slack:#channel, pagerduty:<routing_key>, webhook:<name>)",
                    at(source, &a.alert),
                    a.alert.value
                ));
            }
        }
        let notification = a
            .notification
            .as_ref()
            .map(|n| n.resolve(source, &a.alert.value, &mut errs));
        alerts.push(AlertExpectation {
            notification,
            within_s: duration(source, &a.within, &mut errs),
            resolves_within_s: a
                .resolves_within
                .as_ref()
                .map(|r| duration(source, r, &mut errs)),
            labels: regexes(source, a.labels, &mut errs),
            annotations: regexes(source, a.annotations, &mut errs),
            alert: a.alert.value,
            fires_in_at: at(source, &a.fires_in),
            fires_in: a.fires_in.value,
            silent_in: a
                .silent_in
                .map(|v| v.into_iter().map(|s| s.value).collect()),
            receivers: a.receivers,
            inhibited_by: a.inhibited_by,
        });
    }
    let ignore_alerts = raw
        .ignore_alerts
        .iter()
        .filter_map(|r| match Regex::new(&format!("^(?:{})$", r.value)) {
            Ok(re) => Some(re),
            Err(e) => {
                errs.push(format!(
                    "{}: ignore_alerts: bad regex `{}`: {e}",
                    at(source, r),
                    r.value
                ));
                None
            }
        })
        .collect();
    let heartbeat = raw
        .heartbeat
        .and_then(|h| super::heartbeat::resolve(source, h, &mut errs));
    if !errs.is_empty() {
        return Err(AppError::usage(errs.join("\n")));
    }
    Ok(AlertExpectations {
        source: source.to_string(),
        unexpected_alerts: raw.unexpected_alerts,
        ignore_alerts,
        heartbeat,
        alerts,
    })
}

/// Read and parse an alert expectations file.
pub fn load(path: &std::path::Path) -> Result<AlertExpectations, AppError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::usage(format!("{}: {e}", path.display())))?;
    parse(&text, &path.display().to_string())
}

impl AlertExpectations {
    /// Check every phase named exists in the scenario (with "did you mean").
    pub fn validate_phases(&self, phases: &[&str]) -> Result<(), AppError> {
        let mut errs = Vec::new();
        let mut check = |name: &str, whence: &str, alert: &str| {
            if !phases.contains(&name) {
                let hint = crate::util::nearest(name, phases.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                errs.push(format!(
                    "{whence}: alert `{alert}`: unknown phase `{name}` (phases: {}){hint}",
                    phases.join(", ")
                ));
            }
        };
        for a in &self.alerts {
            check(&a.fires_in, &a.fires_in_at, &a.alert);
            for s in a.silent_in.iter().flatten() {
                check(s, &self.source, &a.alert);
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(AppError::usage(errs.join("\n")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "alerts:\n  - alert: A\n    fires_in: storm\n    within: 2m\n    resolves_within: 5m\n    receivers: [critical, 'slack:#critical', 'pagerduty:k']\n    labels: {severity: critical}\n    annotations: {runbook_url: '.*/A\\.md'}\n";

    #[test]
    fn parses_and_defaults() {
        let e = parse(GOOD, "a.yaml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.unexpected_alerts, UnexpectedPolicy::Fail);
        let a = &e.alerts[0];
        assert_eq!((a.within_s, a.resolves_within_s), (120.0, Some(300.0)));
        assert!(a.labels["severity"].is_match("critical"));
        assert!(!a.labels["severity"].is_match("not-critical"));
        assert!(a.annotations["runbook_url"].is_match("docs/runbooks/A.md"));
        assert_eq!(a.fires_in_at, "a.yaml:3:15");
        assert!(e.validate_phases(&["baseline", "storm"]).is_ok());
        let err = e
            .validate_phases(&["baseline", "storms"])
            .unwrap_err()
            .message;
        assert!(
            err.contains("a.yaml:3:15") && err.contains("did you mean `storms`"),
            "{err}"
        );
    }

    #[test]
    fn errors_carry_line_column_and_value() {
        let bad = GOOD.replace("within: 2m", "within: 2 minutes");
        let err = parse(&bad, "a.yaml").unwrap_err();
        assert!(
            err.message.contains("a.yaml:4:13") && err.message.contains("2 minutes"),
            "{}",
            err.message
        );
        let unknown = GOOD.replace("within:", "withn:");
        let err = parse(&unknown, "a.yaml").unwrap_err().message;
        assert!(err.contains("withn") && err.contains("a.yaml"), "{err}");
        let badre = GOOD.replace("critical}", "'(crit'}");
        let err = parse(&badre, "a.yaml").unwrap_err().message;
        assert!(err.contains("bad regex `(crit`"), "{err}");
        let badrcv = GOOD.replace("'pagerduty:k'", "'email:x'");
        let err = parse(&badrcv, "a.yaml").unwrap_err().message;
        assert!(err.contains("bad receiver `email:x`"), "{err}");
    }

    #[test]
    fn shipped_storm_expectations_cover_the_ten_alerts_and_its_phases() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let e = load(&root.join("expectations/alerts.yaml")).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = e.alerts.iter().map(|a| a.alert.as_str()).collect();
        for a in [
            "PipelineHighErrorRate",
            "PipelineCostThreshold",
            "SLABreach",
            "PubSubQueueDepth",
            "AIAgentTimeouts",
            "QAGateRejection",
            "RenderFailures",
            "DatabaseLatency",
            "PrometheusDown",
            "ActiveJobsSpike",
        ] {
            assert!(
                names.contains(&a),
                "{a} missing from expectations/alerts.yaml"
            );
        }
        let text =
            std::fs::read_to_string(root.join("scenarios/alert-storm.yaml")).unwrap_or_default();
        let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_default();
        let phases: Vec<&str> = v["phases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(phases.len(), 6);
        e.validate_phases(&phases).unwrap_or_else(|e| panic!("{e}"));
        for f in [
            "tests/fixtures/alerts/expectations.yaml",
            "tests/fixtures/alerts/run-expectations.yaml",
        ] {
            load(&root.join(f)).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
