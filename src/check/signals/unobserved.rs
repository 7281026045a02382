//! When part of what a run observed was lost (a log capture that broke, spans the receiver
//! dropped, alert state changes beyond the watcher's bound), every verdict that read it is an
//! `error` naming the loss, never a `pass` or `fail` judged on a partial view.

use crate::verdict::{Check, Kind, Status};

/// Turn every check of `kind` in `checks` into an error that says what was lost, keeping what
/// it saw for the reader. Errors stay as they are.
pub fn mark_kind(checks: &mut [Check], kind: Kind, lost: &str) {
    for c in checks.iter_mut().filter(|c| c.kind == kind) {
        if c.status != Status::Error {
            c.status = Status::Error;
            c.message = format!("not fully observed: {lost}; as seen: {}", c.message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kind_that_lost_data_is_marked() {
        let mut checks = vec![
            Check::pass("logs.json", Kind::Logs, "all 10 lines are JSON objects"),
            Check::fail("logs.correlation", Kind::Logs, "2 of 9 requests"),
            Check::pass("load.rate.a", Kind::Load, "ok"),
        ];
        mark_kind(&mut checks, Kind::Logs, "log capture broke");
        assert_eq!(checks[0].status, Status::Error);
        assert_eq!(
            checks[0].message,
            "not fully observed: log capture broke; as seen: all 10 lines are JSON objects"
        );
        assert_eq!(checks[1].status, Status::Error);
        assert_eq!(checks[2].status, Status::Pass);
    }
}
