//! Which checks a sharded run judges once (`shard.once`). Every shard drives its own slice of
//! the load and watches its own target's metrics, logs and traces; the alerts, dashboards, the
//! stack's health, SLOs, coverage and the static checks are about the one stack all shards
//! drove, so shard 0 alone judges them and the merge keeps shard 0's. Pure.

use crate::check::registry::CheckInfo;
use crate::verdict::{Check, Kind, Status};

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

/// The per-shard checks of every shard but the load's (re-judged over the merged counts), one
/// per id: the worst status any shard gave it (fail, error, warn, pass, skip), with that
/// shard's message and evidence, and every shard's status when they differ.
pub fn combine_per_shard(shards: &[(u64, &[Check])]) -> Vec<Check> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_id: std::collections::HashMap<&str, Vec<(u64, &Check)>> = Default::default();
    for (index, checks) in shards {
        for c in checks
            .iter()
            .filter(|c| !judged_once(c.kind) && c.kind != Kind::Load)
        {
            let e = by_id.entry(c.id.as_str()).or_default();
            if e.is_empty() {
                order.push(c.id.as_str());
            }
            e.push((*index, c));
        }
    }
    let count = shards.len();
    order
        .into_iter()
        .filter_map(|id| by_id.get(id))
        .filter_map(|seen| {
            // The first shard of the worst status speaks (max_by_key would pick the last).
            let (worst_i, worst) = seen.iter().rev().max_by_key(|(_, c)| rank(c.status))?;
            let mut out = (*worst).clone();
            out.message = format!("shard {worst_i} of {count}: {}", worst.message);
            if seen.iter().any(|(_, c)| c.status != worst.status) || seen.len() < count {
                let all: Vec<String> = seen
                    .iter()
                    .map(|(i, c)| format!("shard {i} {}", c.status.as_str()))
                    .collect();
                out.message.push_str(&format!(" ({})", all.join(", ")));
            }
            Some(out)
        })
        .collect()
}

/// Severity order for [`combine_per_shard`]: a skip where others judged says least.
fn rank(s: Status) -> u8 {
    match s {
        Status::Skip => 0,
        Status::Pass => 1,
        Status::Warn => 2,
        Status::Error => 3,
        Status::Fail => 4,
    }
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

    #[test]
    fn shard_zero_judges_the_others_skip() {
        assert_eq!(on_shard(0, 3).status, Status::Pass);
        let other = on_shard(2, 3);
        assert_eq!(other.status, Status::Skip);
        assert!(
            other.message.contains("judged by shard 0"),
            "{}",
            other.message
        );
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

    #[test]
    fn per_shard_checks_keep_the_worst_status() {
        let zero = vec![
            Check::pass("metrics.type.m", Kind::Metrics, "fine"),
            Check::pass("load.rate.a", Kind::Load, "re-judged"),
            Check::pass("alerts.fired.X", Kind::Alerts, "shard 0's"),
            Check::pass("logs.schema", Kind::Logs, "ok"),
        ];
        let one = vec![
            Check::fail("metrics.type.m", Kind::Metrics, "wrong type"),
            Check::pass("logs.schema", Kind::Logs, "ok"),
        ];
        let out = combine_per_shard(&[(0, &zero), (1, &one)]);
        let ids: Vec<&str> = out.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["metrics.type.m", "logs.schema"]);
        assert_eq!(out[0].status, Status::Fail);
        assert_eq!(
            out[0].message,
            "shard 1 of 2: wrong type (shard 0 pass, shard 1 fail)"
        );
        assert_eq!(out[1].status, Status::Pass);
        assert_eq!(out[1].message, "shard 0 of 2: ok");
    }
}
