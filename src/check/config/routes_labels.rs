//! Label checks of the routing config: route and inhibition matchers, and the rules' own
//! labels, use only expected values of constrained labels (`severity: critial` is caught);
//! every alerting rule has a routing expectation and every expectation names a rule.

use std::collections::BTreeSet;

use crate::check::config::routes::{RoutingModel, RuleLabels};
use crate::check::config::routes_matchers::MatchKind;
use crate::check::config::routes_tree::walk;
use crate::check::registry::CheckInfo;
use crate::expect::routes::RoutesExpectations;
use crate::verdict::Check;
use crate::verdict::Kind;

const KIND: Kind = Kind::Routes;

/// Every alerting rule has a routing expectation and every expectation names a rule: an
/// unrouted new alert, or an expectation left behind by a renamed one, is caught.
pub(crate) fn coverage_check(exp: &RoutesExpectations, rules: &RuleLabels) -> Check {
    let expected: BTreeSet<&String> = exp.alerts.iter().map(|a| &a.alert).collect();
    let mut problems: Vec<String> = rules
        .keys()
        .filter(|r| !expected.contains(r))
        .map(|r| format!("alert `{r}` has no routing expectation"))
        .collect();
    for e in &expected {
        if !rules.contains_key(*e) {
            let hint = crate::util::nearest(e, rules.keys().map(String::as_str))
                .map(|h| format!("; did you mean `{h}`?"))
                .unwrap_or_default();
            problems.push(format!("expected alert `{e}` has no alerting rule{hint}"));
        }
    }
    if problems.is_empty() {
        Check::pass(
            "routes.coverage",
            KIND,
            format!(
                "all {} alerting rules have routing expectations",
                rules.len()
            ),
        )
    } else {
        Check::fail("routes.coverage", KIND, problems.join("; "))
    }
}

/// Matchers and rule labels on constrained labels can match an expected value.
pub(crate) fn label_values_check(
    file: &str,
    model: &RoutingModel,
    exp: &RoutesExpectations,
    rules: &RuleLabels,
) -> Check {
    let mut nodes = Vec::new();
    walk(&model.tree, &mut nodes);
    let mut problems = Vec::new();
    let inhibit_matchers = model.inhibitions.iter().flat_map(|i| {
        i.source
            .iter()
            .chain(i.target.iter())
            .map(move |m| (i.path.clone(), 0u64, m))
    });
    let route_matchers = nodes
        .iter()
        .flat_map(|n| n.matchers.iter().map(move |m| (n.path.clone(), n.line, m)));
    for (path, line, m) in route_matchers.chain(inhibit_matchers) {
        let Some(allowed) = exp.label_values.get(&m.name) else {
            continue;
        };
        let ok = match &m.kind {
            MatchKind::Equal => allowed.contains(&m.value),
            MatchKind::Regex(r) => allowed.iter().any(|v| r.is_match(v)),
            // Negative matchers are satisfied by other values or by absence.
            MatchKind::NotEqual | MatchKind::NotRegex(_) => true,
        };
        if !ok {
            let hint = crate::util::nearest(&m.value, allowed.iter().map(String::as_str))
                .map(|h| format!("; did you mean `{h}`?"))
                .unwrap_or_default();
            let at = if line > 0 {
                format!("{path} (line {line})")
            } else {
                path
            };
            problems.push(format!(
                "{at}: {m} matches no expected value of `{}` ({}){hint}",
                m.name,
                allowed.join(", ")
            ));
        }
    }
    // The rules' own label values too: a `severity: critial` rule routes nowhere expected.
    for (alert, labels) in rules {
        for (k, v) in labels {
            if let Some(allowed) = exp.label_values.get(k)
                && !allowed.contains(v)
            {
                let hint = crate::util::nearest(v, allowed.iter().map(String::as_str))
                    .map(|h| format!("; did you mean `{h}`?"))
                    .unwrap_or_default();
                problems.push(format!(
                    "alert `{alert}` sets {k}={v:?}, not an expected value ({}){hint}",
                    allowed.join(", ")
                ));
            }
        }
    }
    if problems.is_empty() {
        Check::pass(
            "routes.label_values",
            KIND,
            format!("{file}: every matcher on a constrained label can match"),
        )
    } else {
        Check::fail("routes.label_values", KIND, problems[0].clone()).with_all_evidence(problems)
    }
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: "routes.coverage",
        kind: KIND,
        proves: "every alerting rule has a routing expectation and every expectation a rule",
        failure: "a new alert is unrouted or an expectation outlived a renamed alert",
        explain: "Compares the alerting rules' names with expectations/routes.yaml both ways.\n\
                  Example failure: alert `QueueBacklog` has no routing expectation; expected alert \
                  `RenderFailure` has no alerting rule; did you mean `RenderFailures`?",
    },
    CheckInfo {
        id: "routes.label_values",
        kind: KIND,
        proves: "matchers and rule labels on constrained labels use expected values",
        failure: "a typo like `severity: critial` routes nowhere: the message gives the line",
        explain: "Route and inhibition matchers, and the rules' own labels, on a label whose \
                  values the expectations constrain (e.g. severity) must be able to match one of them.\n\
                  Example failure: alert `RenderFailures` sets severity=\"critial\", not an expected \
                  value (critical, warning); did you mean `critical`?",
    },
];
