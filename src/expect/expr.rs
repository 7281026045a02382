//! The tiny expression language of metric relations: numbers, `facts.*` names, aggregations over
//! exposed samples with optional partial label matchers (`sum(x_total{status="failed"})`,
//! `count(...)`, `max(...)`, `min(...)`), `sqrt(...)`, `abs(...)`, `+ - * /` and parentheses.
//! Types only (the parser is `expr_parser`); evaluation over an exposition lives in
//! `check::relations`.

use regex::Regex;

/// Aggregation over the samples a selector picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Sum,
    Count,
    Max,
    Min,
}

/// Label matcher operator (PromQL's four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelOp {
    Eq,
    Ne,
    Re,
    NotRe,
}

/// One label matcher of a selector.
#[derive(Debug, Clone)]
pub struct LabelMatch {
    pub name: String,
    pub op: LabelOp,
    pub value: String,
    /// Compiled (anchored) for `=~` / `!~`.
    pub regex: Option<Regex>,
}

impl LabelMatch {
    /// True when a sample whose label `name` has value `v` (absent = "") is selected.
    pub fn matches(&self, v: &str) -> bool {
        match self.op {
            LabelOp::Eq => v == self.value,
            LabelOp::Ne => v != self.value,
            LabelOp::Re => self.regex.as_ref().is_some_and(|r| r.is_match(v)),
            LabelOp::NotRe => self.regex.as_ref().is_none_or(|r| !r.is_match(v)),
        }
    }
}

/// Samples by exact sample name (`pipeline_duration_seconds_count`) with partial label matching:
/// labels not named are ignored.
#[derive(Debug, Clone)]
pub struct Selector {
    pub sample: String,
    pub matchers: Vec<LabelMatch>,
}

/// Binary arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// Math function of one argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathFn {
    Sqrt,
    Abs,
}

/// An expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Num(f64),
    /// A `facts.` name, without the prefix (`succeeded`, `fault.job_failure_ratio`).
    Fact(String),
    Agg(Agg, Selector),
    Math(MathFn, Box<Expr>),
    Neg(Box<Expr>),
    Bin(Box<Expr>, BinOp, Box<Expr>),
}

impl Expr {
    /// Every `facts.` name used (for validation against the known vocabulary).
    pub fn facts(&self, out: &mut Vec<String>) {
        match self {
            Expr::Fact(f) => out.push(f.clone()),
            Expr::Math(_, e) | Expr::Neg(e) => e.facts(out),
            Expr::Bin(a, _, b) => {
                a.facts(out);
                b.facts(out);
            }
            Expr::Num(_) | Expr::Agg(..) => {}
        }
    }
}

/// Comparison operator of a relation or condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
pub enum CmpOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
}

impl CmpOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
    /// `left op right`, equality within `tol` (absolute). NaN never holds.
    pub fn holds(self, left: f64, right: f64, tol: f64) -> bool {
        if left.is_nan() || right.is_nan() {
            return false;
        }
        let diff = left - right;
        match self {
            CmpOp::Eq => diff.abs() <= tol,
            CmpOp::Ne => diff.abs() > tol,
            CmpOp::Lt => diff < tol,
            CmpOp::Le => diff <= tol,
            CmpOp::Gt => diff > -tol,
            CmpOp::Ge => diff >= -tol,
        }
    }
}

/// `left op right`, as used by a relation's `when`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub left: Expr,
    pub op: CmpOp,
    pub right: Expr,
}

pub use super::expr_parser::{ParseError, parse_condition, parse_expr};
