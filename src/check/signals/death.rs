//! A process the run started died during it: the run is incomplete, and every verdict that
//! depended on the dead component becomes an `error` naming it, never a `fail` of the thing
//! under test. `stack.component.<name>` says what died, when, and in which phase.

use crate::check::registry::CheckInfo;
use crate::evidence::{ComponentDeath, PhaseWindow};
use crate::verdict::{Check, Kind, Status};

pub const ID: &str = "stack.component";

/// Whether checks of `kind` read what `component` provides.
fn depends(component: &str, kind: Kind) -> bool {
    use Kind::*;
    match component {
        "prometheus" => matches!(kind, Alerts | Slo | Dashboards | Health),
        "alertmanager" => matches!(kind, Alerts | Slo | Health),
        // The stub is the source of every signal.
        _ => matches!(
            kind,
            Load | Metrics | Logs | Traces | Alerts | Slo | Dashboards | Health
        ),
    }
}

/// "prometheus exited by signal 9 at 07:44:12 UTC, 35 s into phase `fault`; observations after
/// that are missing".
pub fn cause(d: &ComponentDeath, phases: &[PhaseWindow]) -> String {
    let at = chrono::DateTime::from_timestamp_millis(d.at_unix_ms)
        .map_or_else(String::new, |t| t.format("%H:%M:%S UTC").to_string());
    let phase = phases
        .iter()
        .find(|p| d.at_unix_ms >= p.start_unix_ms && d.at_unix_ms < p.end_unix_ms)
        .map_or_else(
            || "after the load".to_string(),
            |p| {
                format!(
                    "{} s into phase `{}`",
                    (d.at_unix_ms - p.start_unix_ms) / 1000,
                    p.name
                )
            },
        );
    format!(
        "{} {} at {at}, {phase}; observations after that are missing",
        d.component, d.how
    )
}

/// Turn every failing or skipped check that depended on the dead component into an error,
/// and add the component's own check.
pub fn apply(d: &ComponentDeath, phases: &[PhaseWindow], checks: &mut Vec<Check>) {
    let why = cause(d, phases);
    for c in checks.iter_mut() {
        if depends(&d.component, c.kind) && matches!(c.status, Status::Fail | Status::Skip) {
            c.status = Status::Error;
            c.message = format!(
                "not observed: {} was down ({why}); as seen: {}",
                d.component, c.message
            );
        }
    }
    checks.push(Check::error(
        format!("{ID}.{}", d.component),
        Kind::Stack,
        why,
    ));
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "stack.component.<name>",
    kind: Kind::Stack,
    proves: "nothing: it is only emitted, as an error, when a process the run started died",
    failure: "the stub, Prometheus or Alertmanager died during the run: the run is incomplete (exit 3), and the checks that read it are errors",
    explain: "obsgate watches every process it started; the first death stops the schedule, \
              and the report is written, `incomplete`, with the cause.\n\
              Example error: prometheus exited by signal 9 at 07:44:12 UTC, 35 s into phase \
              `fault`; observations after that are missing",
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependent_failures_become_errors_naming_the_dead_component() {
        let phases = vec![PhaseWindow {
            name: "fault".into(),
            start_unix_ms: 1_000,
            end_unix_ms: 100_000,
        }];
        let d = ComponentDeath {
            component: "prometheus".into(),
            how: "exited by signal 9".into(),
            at_unix_ms: 36_000,
        };
        let mut checks = vec![
            Check::fail(
                "alerts.resolved.X",
                Kind::Alerts,
                "still active at the end of the run",
            ),
            Check::fail("metrics.present", Kind::Metrics, "family missing"),
            Check::pass("alerts.fired.X", Kind::Alerts, "fired"),
        ];
        apply(&d, &phases, &mut checks);
        assert_eq!(checks[0].status, Status::Error);
        assert!(
            checks[0].message.contains("prometheus was down"),
            "{}",
            checks[0].message
        );
        assert!(
            checks[0].message.contains("35 s into phase `fault`"),
            "{}",
            checks[0].message
        );
        assert_eq!(
            checks[1].status,
            Status::Fail,
            "the stub's metrics do not need Prometheus"
        );
        assert_eq!(
            checks[2].status,
            Status::Pass,
            "what was seen before the death stands"
        );
        assert_eq!(checks[3].id, "stack.component.prometheus");
        assert!(
            checks[3]
                .message
                .starts_with("prometheus exited by signal 9 at ")
        );
    }
}
