//! Which checks a sharded run judges once (`shard.once`). Every shard drives its own slice of
//! the load and watches its own target's metrics, logs and traces; the alerts, dashboards, the
//! stack's health, SLOs, coverage and the static checks are about the one stack all shards
//! drove, so shard 0 alone judges them and the merge keeps shard 0's. Pure.

use crate::check::registry::CheckInfo;
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Stack;
const ID: &str = "shard.once";

/// Kinds every shard judges on its own evidence (the load is re-judged over the merged counts).
const PER_SHARD: [Kind; 4] = [Kind::Load, Kind::Metrics, Kind::Logs, Kind::Traces];

/// Whether checks of `kind` are judged once, by shard 0.
pub fn judged_once(kind: Kind) -> bool {
    !PER_SHARD.contains(&kind)
}

/// `shard.once` in shard `index`'s own report: shard 0 judges the stack, the others say so.
pub fn on_shard(index: u64, count: u64) -> Check {
    if index == 0 {
        Check::pass(
            ID,
            KIND,
            format!(
                "shard 0 of {count}: alert, dashboard, health, SLO, coverage and static checks are judged here, once for all shards"
            ),
        )
    } else {
        Check::skip(
            ID,
            KIND,
            format!(
                "shard {index} of {count}: alert, dashboard and stack checks are judged by shard 0; this shard judges its load, metrics, logs and traces"
            ),
        )
    }
}

/// `shard.once` of a merge: `shards` are (index, checks) of every partial report. Fails when a
/// shard other than 0 judged a once-only check (the stack would be judged twice, on different
/// evidence, and the merge could not say which verdict holds).
pub fn merged(shards: &[(u64, &[Check])]) -> Check {
    let mut twice = Vec::new();
    for (index, checks) in shards.iter().filter(|(i, _)| *i != 0) {
        for c in checks.iter().filter(|c| judged_once(c.kind) && c.id != ID) {
            twice.push(format!("shard {index}: {}", c.id));
        }
    }
    if twice.is_empty() {
        return Check::pass(
            ID,
            KIND,
            format!(
                "alert, dashboard and stack checks come from shard 0 alone ({} shards merged)",
                shards.len()
            ),
        );
    }
    Check::fail(
        ID,
        KIND,
        format!(
            "{} check(s) judged once per run were also judged by another shard; only shard 0 may judge the stack (were the shards run with different obsgate versions?)",
            twice.len()
        ),
    )
    .with_evidence(twice)
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: ID,
    kind: KIND,
    proves: "a sharded run judges the alert, dashboard and stack checks once, on shard 0",
    failure: "a shard other than 0 judged the stack: its partial report cannot be merged as one run",
    explain: "With `obsgate run --shard I/N` shard 0 passes it (it judges the stack) and every \
              other shard skips it. `obsgate report merge` passes it when only shard 0's report \
              carries alert, dashboard, health, SLO, coverage or static checks, and fails naming \
              each such check of another shard.\n\
              Example failure: 1 check(s) judged once per run were also judged by another \
              shard; only shard 0 may judge the stack",
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;

    #[test]
    fn shard_zero_judges_the_others_skip() {
        assert_eq!(on_shard(0, 3).status, Status::Pass);
        let other = on_shard(2, 3);
        assert_eq!(other.status, Status::Skip);
        assert!(other.message.contains("judged by shard 0"), "{}", other.message);
        assert!(judged_once(Kind::Alerts) && judged_once(Kind::Dashboards));
        assert!(!judged_once(Kind::Load) && !judged_once(Kind::Metrics));
    }

    #[test]
    fn merge_passes_with_shard_zero_alone_and_fails_otherwise() {
        let zero = vec![
            Check::pass("alerts.fired.X", Kind::Alerts, "ok"),
            on_shard(0, 2),
        ];
        let one = vec![
            Check::pass("metrics.type.m", Kind::Metrics, "ok"),
            on_shard(1, 2),
        ];
        assert_eq!(merged(&[(0, &zero), (1, &one)]).status, Status::Pass);
        let twice = vec![Check::pass("dashboards.live", Kind::Dashboards, "ok")];
        let c = merged(&[(0, &zero), (1, &twice)]);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.evidence, vec!["shard 1: dashboards.live".to_string()]);
    }
}
