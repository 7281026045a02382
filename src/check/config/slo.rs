//! SLO checks of `obsgate check` (pure): `slos.yaml` resolves, `slo-rules.yaml` is exactly what
//! it generates and every rule of it parses, Prometheus loads it, and Alertmanager's inhibit
//! rules let a page suppress the tickets of its own SLO (and of no other).

use crate::check::config::routes_matchers::LabelSet;
use crate::check::config::routes_tree::{build_inhibitions, inhibited_by};
use crate::check::registry::CheckInfo;
use crate::config::alertmanager::AlertmanagerConfig;
use crate::config::rules_file::RuleFile;
use crate::config::stack::SloInputs;
use crate::slo::{SloSet, TierSeverity, generate};
use crate::verdict::{Check, Kind};

const KIND: Kind = Kind::Slo;
pub const PARSE: &str = "slo.parse";
pub const CURRENT: &str = "slo.rules_current";
pub const RULES_PARSE: &str = "slo.rules_parse";
pub const LOADED: &str = "slo.rules_loaded";
pub const INHIBITION: &str = "slo.inhibition";

/// What the SLO checks read, beside the SLO inputs.
pub struct SloCheckInput<'a> {
    pub slos: &'a SloInputs,
    /// Whether `prometheus.yml`'s rule files include the generated file.
    pub loaded: bool,
    /// `alertmanager.yml`, when it parses.
    pub alertmanager: Option<&'a AlertmanagerConfig>,
}

fn verdict(id: &str, ok: String, problems: Vec<String>) -> Check {
    if problems.is_empty() {
        Check::pass(id, KIND, ok)
    } else {
        Check::fail(id, KIND, problems.join("; ")).with_all_evidence(problems)
    }
}

/// Every SLO check.
pub fn check_slos(input: &SloCheckInput<'_>) -> Vec<Check> {
    let s = input.slos;
    let shown = s.path.display().to_string();
    let set = match &s.parsed {
        Ok(set) => set,
        Err(e) => return vec![Check::fail(PARSE, KIND, e.clone())],
    };
    let tiers: usize = set.slos.iter().map(|x| x.tiers.len()).sum();
    let mut out = vec![Check::pass(
        PARSE,
        KIND,
        format!("{shown}: {} SLOs, {tiers} burn-rate tiers", set.slos.len()),
    )];
    out.push(current(s, set));
    out.push(rules_parse(s));
    out.push(loaded(s, input.loaded));
    out.push(match input.alertmanager {
        Some(am) => inhibition(set, am),
        None => Check::error(INHIBITION, KIND, "alertmanager.yml does not parse"),
    });
    out
}

fn current(s: &SloInputs, set: &SloSet) -> Check {
    let rules = s.rules_path.display().to_string();
    let name = s
        .path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let want = generate::rules_file(set, &name);
    let fix = format!("run `obsgate slo generate --slos {}`", s.path.display());
    let Some(have) = &s.rules_text else {
        return Check::fail(CURRENT, KIND, format!("{rules} does not exist: {fix}"));
    };
    if *have == want {
        return Check::pass(CURRENT, KIND, format!("{rules} is what {name} generates"));
    }
    // Bounded: texts that differ only in line endings or the last newline have no differing
    // line, and say so.
    let (have_l, want_l): (Vec<&str>, Vec<&str>) = (have.lines().collect(), want.lines().collect());
    let first = (0..have_l.len().max(want_l.len())).find(|&i| have_l.get(i) != want_l.get(i));
    let end = "(end of file)";
    let msg = match first {
        Some(i) => format!(
            "{rules}:{}: out of date with {name}: has `{}`, {name} generates `{}`: {fix}",
            i + 1,
            have_l.get(i).copied().unwrap_or(end),
            want_l.get(i).copied().unwrap_or(end)
        ),
        None => format!(
            "{rules}: differs from what {name} generates in its line endings or final newline: {fix}"
        ),
    };
    Check::fail(CURRENT, KIND, msg)
}

fn rules_parse(s: &SloInputs) -> Check {
    let rules = s.rules_path.display().to_string();
    let Some(text) = &s.rules_text else {
        return Check::fail(RULES_PARSE, KIND, format!("{rules} does not exist"));
    };
    let f: RuleFile = match serde_saphyr::from_str(text) {
        Ok(f) => f,
        Err(e) => return Check::fail(RULES_PARSE, KIND, format!("{rules}: {e}")),
    };
    let mut problems = Vec::new();
    let mut n = 0;
    for r in f.groups.iter().flat_map(|g| g.rules.iter()) {
        n += 1;
        let e = r.expr.value.text();
        if let Err(err) = crate::config::promql::parse(&e) {
            let (line, col) = (r.expr.referenced.line(), r.expr.referenced.column());
            problems.push(format!("{rules}:{line}:{col}: `{e}` does not parse: {err}"));
        }
    }
    verdict(
        RULES_PARSE,
        format!("{rules}: all {n} rules parse"),
        problems,
    )
}

fn loaded(s: &SloInputs, loaded: bool) -> Check {
    let rules = s.rules_path.display().to_string();
    Check::from_bool(
        LOADED,
        KIND,
        loaded,
        if loaded {
            format!("prometheus.yml loads {rules}")
        } else {
            format!("prometheus.yml's rule_files do not include {rules}: its alerts never evaluate")
        },
    )
}

/// The labels of one tier's alert, as Alertmanager sees them.
fn tier_labels(set: &SloSet) -> Vec<(String, TierSeverity, LabelSet)> {
    set.slos
        .iter()
        .flat_map(|slo| {
            slo.tiers.iter().map(move |t| {
                let mut l = generate::alert_labels(slo, t);
                l.insert("alertname".into(), slo.alert_name(t));
                (slo.name.clone(), t.severity, l)
            })
        })
        .collect()
}

fn inhibition(set: &SloSet, am: &AlertmanagerConfig) -> Check {
    let (rules, errors) = build_inhibitions(&am.inhibit_rules);
    let tiers = tier_labels(set);
    let mut problems = errors;
    let mut pairs = 0;
    for (slo, _, labels) in tiers.iter().filter(|t| t.1 == TierSeverity::Ticket) {
        for (other, _, page) in tiers.iter().filter(|t| t.1 == TierSeverity::Page) {
            let muted = inhibited_by(labels, std::slice::from_ref(page), &rules).is_some();
            let (ticket, p) = (&labels["alertname"], &page["alertname"]);
            if other == slo && !muted {
                problems.push(format!(
                    "{p} firing does not inhibit {ticket} of the same SLO `{slo}`: add an inhibit rule with source tier=\"page\", target tier=\"ticket\", equal [slo]"
                ));
            } else if other != slo && muted {
                problems.push(format!(
                    "{p} (SLO `{other}`) inhibits {ticket} of another SLO `{slo}`: add `slo` to the rule's `equal`"
                ));
            }
            pairs += usize::from(other == slo);
        }
    }
    verdict(
        INHIBITION,
        format!("each of {pairs} page/ticket pairs: the page inhibits the ticket of its SLO only"),
        problems,
    )
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo {
        id: PARSE,
        kind: KIND,
        proves: "slos.yaml resolves: objectives, windows, selectors and tiers are valid",
        failure: "the SLO file has errors, each named with file:line:column",
        explain: "Read when the config folder has slos.yaml.\n\
                  Example failure: slos.yaml:3:24: objective_percent 100: must be strictly between 0 and 100",
    },
    CheckInfo {
        id: CURRENT,
        kind: KIND,
        proves: "slo-rules.yaml is byte for byte what slos.yaml generates",
        failure: "the generated file was edited by hand or not regenerated: run `obsgate slo generate`",
        explain: "The rules are regenerated in memory and compared; the first differing line is named.\n\
                  Example failure: config/slo-rules.yaml:214: out of date with slos.yaml: has \
                  `(1.44 * 0.005)`, slos.yaml generates `(14.4 * 0.005)`",
    },
    CheckInfo {
        id: RULES_PARSE,
        kind: KIND,
        proves: "every rule of slo-rules.yaml is a rule Prometheus can load",
        failure: "a rule's PromQL does not parse (file:line:column named)",
        explain: "Each `expr` is parsed with the PromQL parser.\n\
                  Example failure: config/slo-rules.yaml:8:15: `1 - (sum(rate(x[5m]) /` does not parse",
    },
    CheckInfo {
        id: LOADED,
        kind: KIND,
        proves: "prometheus.yml's rule_files load slo-rules.yaml",
        failure: "the SLO alerts are generated but never evaluated",
        explain: "Add slo-rules.yaml to rule_files (and mount it where Prometheus looks).\n\
                  Example failure: prometheus.yml's rule_files do not include config/slo-rules.yaml",
    },
    CheckInfo {
        id: INHIBITION,
        kind: KIND,
        proves: "a firing page inhibits every ticket of the same SLO, and no ticket of another",
        failure: "tickets notify beside their page, or one SLO's page mutes another's tickets",
        explain: "Alertmanager's inhibition is evaluated on every (ticket, page) pair of the \
                  generated alerts' labels.\n\
                  Example failure: JobSuccessBudgetBurn1h firing does not inhibit \
                  JobSuccessBudgetBurn1d of the same SLO `job-success`",
    },
];
