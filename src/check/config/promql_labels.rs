//! Which labels a PromQL expression's result may carry, computed through the tree from the
//! catalog's label sets, and every place the expression names a label its input cannot carry:
//! a matcher that can only match a present label, `by`/`without`, `on`/`ignoring`,
//! `group_left`/`group_right`. Pure.
//!
//! Sets are upper bounds (see [`Labels`]); anything not known is `None` and yields no finding.
//! Labels starting with `__` (`__name__`) are never judged.

use std::collections::BTreeSet;

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::token::{T_COUNT_VALUES, T_LAND, T_LOR, T_LUNLESS};
use promql_parser::parser::{
    AggregateExpr, BinaryExpr, Call, Expr, LabelModifier, VectorMatchCardinality, VectorSelector,
};

use promql_parser::parser::value::ValueType;

use super::catalog::{Catalog, Labels};
use super::rules_metrics::metrics_in;

/// The result's labels and the problems found, each naming the label and what exists.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LabelFlow {
    /// Labels the result may carry (`None`: not known).
    pub output: Labels,
    /// One sentence per label named where it cannot exist.
    pub findings: Vec<String>,
}

/// Walk `expr` against `catalog`.
pub fn label_flow(expr: &Expr, catalog: &Catalog) -> LabelFlow {
    let mut w = Walker {
        catalog,
        findings: Vec::new(),
    };
    let output = w.walk(expr);
    LabelFlow {
        output,
        findings: w.findings,
    }
}

/// `` `a`, `b` `` (or `no labels`), for messages.
pub fn fmt_labels(set: &BTreeSet<String>) -> String {
    if set.is_empty() {
        return "no labels".into();
    }
    set.iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a label is beyond judging (`__name__` and other internal labels).
fn internal(label: &str) -> bool {
    label.starts_with("__")
}

/// `expr` cannot carry `label` (its set is known and lacks it).
fn lacks(set: &Labels, label: &str) -> bool {
    !internal(label) && set.as_ref().is_some_and(|s| !s.contains(label))
}

fn of(labels: &[String]) -> BTreeSet<String> {
    labels.iter().cloned().collect()
}

fn intersect(a: &Labels, b: &BTreeSet<String>) -> BTreeSet<String> {
    match a {
        Some(a) => a.intersection(b).cloned().collect(),
        None => b.clone(),
    }
}

/// What an expression reads, for messages: `` (reads `x`, `y`) ``.
fn reads(e: &Expr) -> String {
    let m = metrics_in(e);
    if m.is_empty() {
        return String::new();
    }
    let names: Vec<String> = m.into_iter().map(|n| format!("`{n}`")).collect();
    format!(" (reads {})", names.join(", "))
}

struct Walker<'a> {
    catalog: &'a Catalog,
    findings: Vec<String>,
}

impl Walker<'_> {
    fn walk(&mut self, e: &Expr) -> Labels {
        match e {
            Expr::VectorSelector(vs) => self.selector(vs),
            Expr::MatrixSelector(ms) => self.selector(&ms.vs),
            Expr::Paren(p) => self.walk(&p.expr),
            Expr::Subquery(s) => self.walk(&s.expr),
            Expr::Unary(u) => self.walk(&u.expr),
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Some(BTreeSet::new()),
            Expr::Extension(_) => None,
            Expr::Aggregate(a) => self.aggregate(a),
            Expr::Binary(b) => self.binary(b),
            Expr::Call(c) => self.call(c),
        }
    }

    fn selector(&mut self, vs: &VectorSelector) -> Labels {
        let all = || {
            vs.matchers
                .matchers
                .iter()
                .chain(vs.matchers.or_matchers.iter().flatten())
        };
        let name = vs.name.clone().or_else(|| {
            all()
                .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
                .map(|m| m.value.clone())
        });
        let labels = name.as_deref().and_then(|n| self.catalog.labels(n));
        if let (Some(set), Some(n)) = (&labels, &name) {
            for m in all().filter(|m| lacks(&labels, &m.name) && !m.is_match("")) {
                self.findings.push(format!(
                    "matcher `{}` on `{n}`: label `{}` does not exist there, so it never \
                     matches; the series carry {}",
                    matcher_text(m),
                    m.name,
                    fmt_labels(set)
                ));
            }
        }
        labels
    }

    fn aggregate(&mut self, a: &AggregateExpr) -> Labels {
        let input = self.walk(&a.expr);
        if let Some(p) = &a.param {
            self.walk(p);
        }
        let op = a.op.to_string();
        let grouping = match &a.modifier {
            Some(m) => {
                let (word, list) = match m {
                    LabelModifier::Include(l) => ("by", &l.labels),
                    LabelModifier::Exclude(l) => ("without", &l.labels),
                };
                self.clause(&format!("`{op} {word} (…)`"), list, &input, &a.expr);
                match m {
                    LabelModifier::Include(l) => Some(intersect(&input, &of(&l.labels))),
                    LabelModifier::Exclude(l) => input
                        .as_ref()
                        .map(|s| s.difference(&of(&l.labels)).cloned().collect()),
                }
            }
            None => Some(BTreeSet::new()),
        };
        match op.as_str() {
            // These return input series, labels intact; grouping only partitions.
            "topk" | "bottomk" | "limitk" | "limit_ratio" => input,
            _ if a.op.id() == T_COUNT_VALUES => match a.param.as_deref() {
                Some(Expr::StringLiteral(s)) => grouping.map(|mut g| {
                    g.insert(s.val.clone());
                    g
                }),
                _ => None,
            },
            _ => grouping,
        }
    }

    /// `by`/`without`/`on`/`ignoring`/`group_x` naming labels `input` cannot carry.
    fn clause(&mut self, what: &str, list: &[String], input: &Labels, e: &Expr) {
        let Some(set) = input else { return };
        for l in list.iter().filter(|l| lacks(input, l)) {
            self.findings.push(format!(
                "{what} names label `{l}`, which its input cannot carry{}; the input carries {}",
                reads(e),
                fmt_labels(set)
            ));
        }
    }

    fn binary(&mut self, b: &BinaryExpr) -> Labels {
        let lhs = self.walk(&b.lhs);
        let rhs = self.walk(&b.rhs);
        let scalar = |e: &Expr| matches!(e.value_type(), ValueType::Scalar | ValueType::String);
        match (scalar(&b.lhs), scalar(&b.rhs)) {
            (true, true) => return Some(BTreeSet::new()),
            (true, false) => return rhs,
            (false, true) => return lhs,
            (false, false) => {}
        }
        let card = b
            .modifier
            .as_ref()
            .map(|m| m.card.clone())
            .unwrap_or(VectorMatchCardinality::OneToOne);
        let matching = b.modifier.as_ref().and_then(|m| m.matching.as_ref());
        self.matching(b, matching, &lhs, &rhs);
        let id = b.op.id();
        if id == T_LOR {
            return match (&lhs, &rhs) {
                (Some(l), Some(r)) => Some(l.union(r).cloned().collect()),
                _ => None,
            };
        }
        if id == T_LAND || id == T_LUNLESS {
            return lhs;
        }
        match card {
            VectorMatchCardinality::ManyToOne(inc) => {
                self.clause("`group_left (…)`", &inc.labels, &rhs, &b.rhs);
                lhs.map(|s| s.union(&of(&inc.labels)).cloned().collect())
            }
            VectorMatchCardinality::OneToMany(inc) => {
                self.clause("`group_right (…)`", &inc.labels, &lhs, &b.lhs);
                rhs.map(|s| s.union(&of(&inc.labels)).cloned().collect())
            }
            _ => match matching {
                Some(LabelModifier::Include(on)) => Some(intersect(&lhs, &of(&on.labels))),
                Some(LabelModifier::Exclude(ig)) => lhs
                    .as_ref()
                    .map(|s| s.difference(&of(&ig.labels)).cloned().collect()),
                // Both sides match on all their labels: each set bounds the result.
                None => match (&lhs, &rhs) {
                    (Some(l), Some(r)) => Some(l.intersection(r).cloned().collect()),
                    (Some(s), None) | (None, Some(s)) => Some(s.clone()),
                    (None, None) => None,
                },
            },
        }
    }

    /// `on (…)` must name labels both sides can carry; `ignoring (…)` one at least one can.
    fn matching(&mut self, b: &BinaryExpr, m: Option<&LabelModifier>, lhs: &Labels, rhs: &Labels) {
        match m {
            Some(LabelModifier::Include(on)) => {
                self.clause("`on (…)` (left side)", &on.labels, lhs, &b.lhs);
                self.clause("`on (…)` (right side)", &on.labels, rhs, &b.rhs);
            }
            Some(LabelModifier::Exclude(ig)) => {
                let (Some(l), Some(r)) = (lhs, rhs) else {
                    return;
                };
                for x in ig.labels.iter().filter(|x| lacks(lhs, x) && lacks(rhs, x)) {
                    self.findings.push(format!(
                        "`ignoring (…)` names label `{x}`, which neither side can carry{}{}; \
                         the left side carries {}, the right side {}",
                        reads(&b.lhs),
                        reads(&b.rhs),
                        fmt_labels(l),
                        fmt_labels(r)
                    ));
                }
            }
            None => {}
        }
    }

    fn call(&mut self, c: &Call) -> Labels {
        let args: Vec<&Expr> = c.args.args.iter().map(|a| a.as_ref()).collect();
        let labels: Vec<Labels> = args.iter().map(|a| self.walk(a)).collect();
        let first_vector = || {
            args.iter()
                .zip(&labels)
                .find(|(a, _)| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix))
                .map(|(_, l)| l.clone())
        };
        let string_arg = |i: usize| match args.get(i) {
            Some(Expr::StringLiteral(s)) => Some(s.val.clone()),
            _ => None,
        };
        if matches!(c.func.return_type, ValueType::Scalar | ValueType::String) {
            return Some(BTreeSet::new());
        }
        match c.func.name {
            "label_replace" | "label_join" => {
                let dst = string_arg(1)?;
                labels.first().cloned().flatten().map(|mut s| {
                    s.insert(dst);
                    s
                })
            }
            "absent" | "absent_over_time" => Some(absent_labels(args.first().copied())),
            "vector" | "time" => Some(BTreeSet::new()),
            "histogram_quantile" | "histogram_fraction" => first_vector().flatten().map(|mut s| {
                s.remove("le");
                s
            }),
            name if KEEPS_LABELS.contains(&name) => first_vector().unwrap_or(Some(BTreeSet::new())),
            _ => None,
        }
    }
}

/// The labels `absent(x{a="v"})` gives: those of its equality matchers.
fn absent_labels(arg: Option<&Expr>) -> BTreeSet<String> {
    let vs = match arg {
        Some(Expr::VectorSelector(vs)) => vs,
        Some(Expr::MatrixSelector(ms)) => &ms.vs,
        _ => return BTreeSet::new(),
    };
    vs.matchers
        .matchers
        .iter()
        .filter(|m| matches!(m.op, MatchOp::Equal) && !internal(&m.name))
        .map(|m| m.name.clone())
        .collect()
}

fn matcher_text(m: &Matcher) -> String {
    let op = match &m.op {
        MatchOp::Equal => "=",
        MatchOp::NotEqual => "!=",
        MatchOp::Re(_) => "=~",
        MatchOp::NotRe(_) => "!~",
    };
    format!("{}{op}{:?}", m.name, m.value)
}

/// Functions whose result carries the labels of their (first vector) argument; a date
/// function without one works on `vector(time())`, which has none.
const KEEPS_LABELS: &[&str] = &[
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "double_exponential_smoothing",
    "exp",
    "first_over_time",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "timestamp",
    "year",
];
