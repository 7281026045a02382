//! Evaluates relation expressions (`expect::expr`) over one exposition and the run's facts, and
//! turns each relation into a `metrics.relation.<name>` check.

use crate::check::registry::CheckInfo;
use crate::evidence::{Exposition, Sample};
use crate::expect::expr::{Agg, BinOp, Expr, MathFn, Selector};
use crate::expect::metrics::Relation;
use crate::verdict::Check;

use super::METRICS;
use super::facts::RunFacts;

/// Evaluate `e`. Errors name what is missing (a sample never exposed, an unknown fact, a
/// division by zero) so a failing relation says why it could not be computed.
pub fn eval(e: &Expr, expo: &Exposition, facts: &RunFacts<'_>) -> Result<f64, String> {
    match e {
        Expr::Num(n) => Ok(*n),
        Expr::Fact(f) => facts
            .value(f)
            .ok_or_else(|| format!("unknown fact `facts.{f}`")),
        Expr::Neg(x) => Ok(-eval(x, expo, facts)?),
        Expr::Math(m, x) => {
            let v = eval(x, expo, facts)?;
            Ok(match m {
                MathFn::Sqrt => v.sqrt(),
                MathFn::Abs => v.abs(),
            })
        }
        Expr::Bin(a, op, b) => {
            let (a, b) = (eval(a, expo, facts)?, eval(b, expo, facts)?);
            match op {
                BinOp::Add => Ok(a + b),
                BinOp::Sub => Ok(a - b),
                BinOp::Mul => Ok(a * b),
                BinOp::Div if b == 0.0 => Err(format!("division by zero ({a} / 0)")),
                BinOp::Div => Ok(a / b),
            }
        }
        Expr::Agg(agg, sel) => aggregate(*agg, sel, expo),
    }
}

fn selected<'a>(
    sel: &'a Selector,
    expo: &'a Exposition,
) -> (bool, impl Iterator<Item = &'a Sample>) {
    let named = expo
        .families
        .iter()
        .flat_map(|f| f.samples.iter())
        .filter(move |s| s.name == sel.sample);
    let any = named.clone().next().is_some();
    let picked = named.filter(move |s| {
        sel.matchers
            .iter()
            .all(|m| m.matches(s.label(&m.name).unwrap_or("")))
    });
    (any, picked)
}

fn aggregate(agg: Agg, sel: &Selector, expo: &Exposition) -> Result<f64, String> {
    let (any, picked) = selected(sel, expo);
    if !any {
        let names = expo
            .families
            .iter()
            .flat_map(|f| f.samples.iter().map(|s| s.name.as_str()));
        let hint = crate::util::nearest(&sel.sample, names)
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        return Err(format!("no sample named `{}` is exposed{hint}", sel.sample));
    }
    let vals: Vec<f64> = picked.map(|s| s.value).collect();
    match agg {
        Agg::Sum => Ok(vals.iter().sum()),
        Agg::Count => Ok(vals.len() as f64),
        Agg::Max => vals
            .iter()
            .copied()
            .reduce(f64::max)
            .ok_or_else(|| format!("max over no series of `{}`", sel.sample)),
        Agg::Min => vals
            .iter()
            .copied()
            .reduce(f64::min)
            .ok_or_else(|| format!("min over no series of `{}`", sel.sample)),
    }
}

/// The relation's `when:` condition: a skip when it does not hold, an error when it cannot be
/// evaluated, None when the relation applies.
fn precondition(r: &Relation, expo: &Exposition, facts: &RunFacts<'_>, id: &str) -> Option<Check> {
    let (src, c) = r.when.as_ref()?;
    match (eval(&c.left, expo, facts), eval(&c.right, expo, facts)) {
        (Ok(a), Ok(b)) if c.op.holds(a, b, 0.0) => None,
        (Ok(a), Ok(b)) => Some(Check::skip(
            id,
            METRICS,
            format!(
                "not applicable: `{src}` does not hold ({a} {} {b})",
                c.op.as_str()
            ),
        )),
        (Err(e), _) | (_, Err(e)) => Some(Check::error(
            id,
            METRICS,
            format!("cannot evaluate `when: {src}`: {e}"),
        )),
    }
}

/// The check for one relation on the final scrape.
pub fn check_relation(r: &Relation, expo: &Exposition, facts: &RunFacts<'_>) -> Check {
    let id = format!("metrics.relation.{}", r.name);
    if let Some(c) = precondition(r, expo, facts, &id) {
        return c;
    }
    let left = eval(&r.left, expo, facts);
    let right = eval(&r.right, expo, facts);
    let (l, rv) = match (left, right) {
        (Ok(l), Ok(rv)) => (l, rv),
        (Err(e), _) => {
            return Check::fail(
                id,
                METRICS,
                format!("`{}` cannot be computed: {e}", r.left_src),
            );
        }
        (_, Err(e)) => {
            return Check::fail(
                id,
                METRICS,
                format!("`{}` cannot be computed: {e}", r.right_src),
            );
        }
    };
    let extra = match &r.tolerance_expr {
        Some((src, e)) => match eval(e, expo, facts) {
            Ok(v) if v.is_finite() => v,
            Ok(v) => {
                return Check::error(id, METRICS, format!("tolerance `{src}` is {v}"));
            }
            Err(err) => {
                return Check::error(
                    id,
                    METRICS,
                    format!("tolerance `{src}` cannot be computed: {err}"),
                );
            }
        },
        None => 0.0,
    };
    let tol = r.tolerance + r.tolerance_ratio * rv.abs() + extra;
    let ok = r.op.holds(l, rv, tol);
    let tol_txt = if tol > 0.0 {
        format!(" (tolerance {tol:.4})")
    } else {
        String::new()
    };
    let what = r
        .description
        .as_deref()
        .map(|d| format!("{d}: "))
        .unwrap_or_default();
    let msg = if ok {
        format!(
            "{what}`{}` = {l} {} `{}` = {rv}{tol_txt}",
            r.left_src,
            r.op.as_str(),
            r.right_src
        )
    } else {
        format!(
            "{what}expected `{}` {} `{}`{tol_txt}, found {l} vs {rv} (difference {})",
            r.left_src,
            r.op.as_str(),
            r.right_src,
            l - rv
        )
    };
    Check::from_bool(id, METRICS, ok, msg)
}

/// The checks this module emits (see [`crate::check::registry`]).
pub const CHECKS: &[CheckInfo] = &[CheckInfo {
    id: "metrics.relation.<relation>",
    kind: METRICS,
    proves: "the relation between exposed values and the run's facts holds (within tolerance)",
    failure: "the metrics disagree with what the harness did: the message shows both sides",
    explain: "A relation of expectations/metrics.yaml (e.g. the failures counter equals the \
              failed jobs the harness saw) is evaluated on the final scrape; `when:` makes it \
              skip when it does not apply; a side that cannot be computed is an error.\n\
              Example failure: expected `sum(render_failures_total)` == `facts.failed_jobs` \
              (tolerance 2.0000), found 0 vs 17 (difference 17)",
}];
