//! `routes.case.<case>`: the batch routing cases of the routes expectations, one check each.
//! obsgate's routing tree (`routes_tree`) routes the case's label set; with `at:`, each route
//! reached notifies only as its time intervals allow at that instant (`routes_time`); the
//! receivers notified must be exactly the expected ones. `inhibited_by` / `not_inhibited_by`
//! are judged against the inhibit rules (`routes_cases_inhibit`). amtool's answer (run by the
//! command layer) is compared with the routing tree's; amtool cannot evaluate time intervals
//! nor inhibition, and the check's evidence says so for the cases that use them.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::config::routes::RoutingModel;
use crate::check::config::routes_amtool::amtool_receivers;
use crate::check::config::routes_cases_inhibit::inhibition_findings;
use crate::check::config::routes_intervals::Interval;
use crate::check::config::routes_time::{by_name, route_at};
use crate::check::config::routes_tree::{RouteNode, matching_routes};
use crate::check::registry::CheckInfo;
use crate::evidence::ToolRun;
use crate::expect::route_cases::{RouteCase, fmt_set};
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Routes;

/// One check per case, in file order. `amtool` holds amtool's run per case key
/// ([`RouteCase::key`]); a case without one was not given to amtool.
pub fn case_checks(
    model: &RoutingModel,
    intervals: &[Interval],
    cases: &[RouteCase],
    amtool: &BTreeMap<String, ToolRun>,
) -> Vec<Check> {
    let named = by_name(intervals);
    cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let key = c.key(i);
            case_check(model, &named, &key, c, amtool.get(&key))
        })
        .collect()
}

fn list(names: &[String]) -> String {
    format!("[{}]", names.join(", "))
}

/// The receivers the routes notify at the case's instant, with what the intervals said;
/// `Err` with every reason when some route's intervals cannot be evaluated.
fn notified(
    routes: &[&RouteNode],
    named: &BTreeMap<&str, &Interval>,
    case: &RouteCase,
    evidence: &mut Vec<String>,
) -> Result<Vec<String>, Vec<String>> {
    let at = case.at_time();
    let (mut out, mut unsure) = (Vec::new(), Vec::new());
    let mut timed = false;
    for r in routes {
        let head = format!("{} (receiver `{}`, line {})", r.path, r.receiver, r.line);
        let has_intervals = !r.mute_intervals.is_empty() || !r.active_intervals.is_empty();
        timed |= has_intervals;
        let notifies = match at {
            None if has_intervals => {
                evidence.push(format!(
                    "{head}: has time intervals, not evaluated (the case has no `at:`)"
                ));
                true
            }
            None => true,
            Some(t) => {
                let rt = route_at(r, named, t);
                evidence.extend(rt.notes.iter().map(|n| format!("{head}: {n}")));
                rt.notifies.unwrap_or_else(|why| {
                    unsure.push(format!("{head}: {why}"));
                    false
                })
            }
        };
        if notifies && !out.contains(&r.receiver) {
            out.push(r.receiver.clone());
        }
    }
    if let (Some(t), false) = (at, timed) {
        evidence.push(format!(
            "no route it reaches has time intervals: nothing mutes it at {}",
            t.to_rfc3339()
        ));
    }
    if unsure.is_empty() {
        Ok(out)
    } else {
        Err(unsure)
    }
}

fn case_check(
    model: &RoutingModel,
    named: &BTreeMap<&str, &Interval>,
    key: &str,
    case: &RouteCase,
    amtool: Option<&ToolRun>,
) -> Check {
    let id = format!("routes.case.{key}");
    let labels = &case.labels.value;
    let routes = matching_routes(&model.tree, labels);
    let mut tree: Vec<String> = Vec::new();
    for r in &routes {
        if !tree.contains(&r.receiver) {
            tree.push(r.receiver.clone());
        }
    }
    let (mut problems, mut evidence) = (Vec::new(), Vec::new());
    evidence.push(format!(
        "routes reached: {}",
        routes
            .iter()
            .map(|r| format!("{} (receiver `{}`)", r.path, r.receiver))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let expected: Vec<String> = case
        .receivers
        .value
        .iter()
        .map(|r| r.value.clone())
        .collect();
    let reached = notified(&routes, named, case, &mut evidence);
    let mut unsure = Vec::new();
    match &reached {
        Ok(got) => {
            let got_set: BTreeSet<String> = got.iter().cloned().collect();
            if got_set != case.expected() {
                problems.push(format!(
                    "notifies {}, expected exactly {}",
                    list(got),
                    list(&expected)
                ));
                for r in expected
                    .iter()
                    .filter(|r| !model.receivers.contains_key(*r))
                {
                    problems.push(format!("receiver `{r}` is not defined in alertmanager.yml"));
                }
            }
        }
        Err(why) => unsure.clone_from(why),
    }
    inhibition_findings(model, case, &mut problems, &mut evidence);
    amtool_findings(case, &tree, amtool, &mut problems, &mut evidence);
    let at = case
        .at
        .as_ref()
        .map(|a| format!(" at {}", a.value))
        .unwrap_or_default();
    let head = format!("case `{key}` {}{at}", fmt_set(labels));
    // The message carries the problems; the evidence is how they came about.
    let mut all = unsure.clone();
    all.extend(evidence);
    if !problems.is_empty() {
        return Check::fail(id, KIND, format!("{head}: {}", problems.join("; ")))
            .with_all_evidence(all);
    }
    if !unsure.is_empty() {
        return Check::warn(
            id,
            KIND,
            format!(
                "{head}: the receivers cannot be judged: {}",
                unsure.join("; ")
            ),
        )
        .with_all_evidence(all);
    }
    let got = reached.unwrap_or_default();
    Check::pass(id, KIND, format!("{head} notifies exactly {}", list(&got))).with_all_evidence(all)
}

/// amtool's answer beside the routing tree's, and what amtool cannot judge of this case.
fn amtool_findings(
    case: &RouteCase,
    tree: &[String],
    run: Option<&ToolRun>,
    problems: &mut Vec<String>,
    evidence: &mut Vec<String>,
) {
    match run {
        None => evidence.push("amtool was not run: routing not cross-checked".into()),
        Some(ToolRun::Missing { tool }) => {
            evidence.push(format!("{tool} is not on PATH: routing not cross-checked"))
        }
        Some(ToolRun::Skipped { reason }) => {
            evidence.push(format!("amtool {reason}: routing not cross-checked"))
        }
        Some(ToolRun::Failed { error }) => problems.push(format!("amtool could not run: {error}")),
        Some(ToolRun::Ran {
            success: false,
            stdout,
            stderr,
        }) => problems.push(format!(
            "amtool config routes test failed: {} {}",
            stdout.trim(),
            stderr.trim()
        )),
        Some(ToolRun::Ran { stdout, .. }) => {
            let theirs = amtool_receivers(stdout);
            let ours: BTreeSet<String> = tree.iter().cloned().collect();
            let theirs_list: Vec<String> = theirs.iter().cloned().collect();
            if theirs == ours {
                evidence.push(format!(
                    "amtool config routes test agrees with obsgate's routing tree: {}",
                    list(&theirs_list)
                ));
            } else {
                problems.push(format!(
                    "amtool config routes test reaches {}, obsgate's routing tree {}",
                    list(&theirs_list),
                    list(tree)
                ));
            }
        }
    }
    if case.at.is_some() {
        evidence.push(
            "amtool cannot evaluate time intervals: `at:` is judged by obsgate's evaluator only \
             (amtool's answer is compared with the routes before time intervals)"
                .into(),
        );
    }
    if case.asserts_inhibition() {
        evidence.push(
            "amtool cannot evaluate inhibition: `inhibited_by` / `not_inhibited_by` are judged \
             by obsgate's evaluator only"
                .into(),
        );
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "routes.case.<case>",
    kind: KIND,
    proves: "the case's label set notifies exactly the expected receivers (at its `at:` \
             instant) and is inhibited by exactly the alerts it says",
    failure: "the alert would reach the wrong receivers, or be (not) muted: the evidence names \
              the routes, intervals and inhibit rules involved",
    explain: "Each entry of `cases:` in expectations/routes.yaml is routed through \
              alertmanager.yml's tree by obsgate; with `at:`, a route whose \
              mute_time_intervals cover the instant, or whose active_time_intervals do not, does \
              not notify. The receivers notified must be exactly `receivers`. Each \
              `inhibited_by` alert must inhibit it under an inhibit rule, no `not_inhibited_by` \
              alert may. amtool config routes test cross-checks the routing tree; it cannot \
              evaluate time intervals or inhibition, and the evidence says so.\n\
              Example failure: case `weekend-page` {alertname=\"X\", severity=\"critical\"} at \
              2026-03-07T10:00:00Z: notifies [], expected exactly [oncall]",
}];
