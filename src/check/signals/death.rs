//! A process the run started died during it: the run is incomplete, and every verdict that
//! depended on the dead component becomes an `error` naming it, never a `fail` of the thing
//! under test. `stack.component.<name>` says what died, when, and in which phase.

use crate::check::registry::CheckInfo;
use crate::evidence::{ComponentDeath, PhaseWindow};
use crate::verdict::{Check, Kind, Status};

pub const ID: &str = "stack.component";

/// Whether checks of `kind` are cut short by a death: every check of what the run observed.
/// The dead component's signals stop, and the schedule stops with it, so the load and the
/// stub's signals cover shortened phases too. The static checks of the files are not affected.
fn depends(kind: Kind) -> bool {
    use Kind::*;
    matches!(
        kind,
        Load | Metrics | Logs | Traces | Alerts | Slo | Dashboards | Health | Coverage
    )
}

/// Where in the run the death was: in scenario time into its phase (`time_scale` scenario
/// seconds per wall second; the phases are on the wall clock), or before or after the load.
fn when(d: &ComponentDeath, phases: &[PhaseWindow], time_scale: f64) -> String {
    let inside = phases
        .iter()
        .find(|p| d.at_unix_ms >= p.start_unix_ms && d.at_unix_ms < p.end_unix_ms);
    match inside {
        Some(p) => {
            let s = (d.at_unix_ms - p.start_unix_ms) as f64 / 1000.0 * time_scale;
            format!(
                "{} of scenario time into phase `{}`",
                crate::config::duration::format_prom_duration(s.round()),
                p.name
            )
        }
        None if phases
            .first()
            .is_some_and(|p| d.at_unix_ms < p.start_unix_ms) =>
        {
            "before the load started".to_string()
        }
        None => "after the load".to_string(),
    }
}

/// "prometheus exited by signal 9 at 07:44:12 UTC, 35s of scenario time into phase `fault`;
/// observations after that are missing".
pub fn cause(d: &ComponentDeath, phases: &[PhaseWindow], time_scale: f64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(d.at_unix_ms)
        .map_or_else(String::new, |t| t.format("%H:%M:%S UTC").to_string());
    format!(
        "{} {} at {at}, {}; observations after that are missing",
        d.component,
        d.how,
        when(d, phases, time_scale)
    )
}

/// Turn every failing or skipped check of what the run observed into an error naming the
/// dead component, and add the component's own check.
pub fn apply(d: &ComponentDeath, phases: &[PhaseWindow], time_scale: f64, checks: &mut Vec<Check>) {
    let why = cause(d, phases, time_scale);
    for c in checks.iter_mut() {
        if depends(c.kind) && matches!(c.status, Status::Fail | Status::Skip) {
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
              Example error: prometheus exited by signal 9 at 07:44:12 UTC, 35s of scenario time into phase \
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
        apply(&d, &phases, 10.0, &mut checks);
        assert_eq!(checks[0].status, Status::Error);
        assert!(
            checks[0].message.contains("prometheus was down"),
            "{}",
            checks[0].message
        );
        assert!(
            // 35 wall seconds at time scale 10.
            checks[0]
                .message
                .contains("5m50s of scenario time into phase `fault`"),
            "{}",
            checks[0].message
        );
        assert_eq!(
            checks[1].status,
            Status::Error,
            "the schedule stopped with it: the load's signals are cut short too"
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
