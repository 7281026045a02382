//! Time compression of PromQL: the rewrite that lets a Prometheus whose clock runs K times
//! faster than the scenario keep each expression's production meaning in scenario seconds.
//!
//! A managed stack at `--time-scale K` scrapes and evaluates K times as often, so one wall
//! second holds K scenario seconds. A window `[5m]` of scenario time is then `[5m/K]` of wall
//! time, and a per-second value measured on the wall clock is K times the per-scenario-second
//! value the production threshold was written for. The rewrite divides every duration by K
//! and divides every per-second function by K again; counts over a window (`increase`,
//! `changes`, `*_over_time`, ...) hold the same samples once the window is scaled, so they
//! need nothing more. What reads the wall clock itself (`time()`, `@`, calendar functions)
//! has no scenario meaning and is refused, naming the construct.

use std::fmt;
use std::time::Duration;

use promql_parser::label::{Labels, METRIC_NAME};
use promql_parser::parser::token::{T_DIV, TokenType};
use promql_parser::parser::{
    AtModifier, BinModifier, BinaryExpr, Call, Expr, LabelModifier, MatrixSelector, NumberLiteral,
    Offset, ParenExpr, SubqueryExpr, VectorMatchCardinality, VectorSelector,
};
use promql_parser::util::display_duration;

use super::duration::{at_written_back, check_scale, divide_ms, format_ms, spelled_exactly};

/// The shortest scrape interval a compressed stack is run with: below it Prometheus spends
/// more on scraping than the run is worth, so a larger K does not shrink the interval further.
pub const MIN_SCRAPE_INTERVAL_MS: u64 = 100;

/// How many scrape intervals a range must span: `rate` needs two samples in the window, and
/// four intervals keep it answering when a scrape is late or missed (the usual advice).
pub const MIN_SCRAPES_PER_RANGE: u64 = 4;

/// Deepest expression tree rewritten: the rewrite and the printer recurse once per level,
/// and an expression nested a few hundred levels deep overflows a 2 MiB thread stack.
pub const MAX_DEPTH: usize = 128;

/// Functions whose value is per second of the clock that stamped the samples: after the
/// window is compressed their value is K times the scenario value, so it is divided by K.
const PER_SECOND: &[&str] = &["rate", "irate", "deriv"];

/// Functions that read the wall clock or the calendar: a compressed clock has no mapping to
/// the production clock for them, so a rule using one only keeps its meaning at K = 1.
const CLOCK_FUNCTIONS: &[&str] = &[
    "time",
    "timestamp",
    "ts_of_first_over_time",
    "ts_of_last_over_time",
    "ts_of_max_over_time",
    "ts_of_min_over_time",
    "minute",
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "days_in_month",
    "month",
    "year",
];

/// A compressed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Rewritten {
    /// The PromQL text to load into the compressed stack (it re-parses).
    pub text: String,
    /// Every duration the rewrite divided (ranges, subquery ranges and steps, offsets), in
    /// the order met, as (original, compressed): what the caller reports or cross-checks.
    pub windows: Vec<(Duration, Duration)>,
}

/// Why an expression cannot run on a compressed clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The offending construct as written, e.g. `time()`, `@ modifier`, `range [30s]`.
    pub construct: String,
    /// What goes wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.construct, self.message)
    }
}

impl Refusal {
    pub(super) fn new(construct: impl Into<String>, message: impl Into<String>) -> Refusal {
        Refusal {
            construct: construct.into(),
            message: message.into(),
        }
    }
}

/// Compresses `expr` by the time scale `k` for a stack whose production scrape interval is
/// `scrape_interval_s` (scenario seconds). At `k == 1` nothing is compressed, so nothing is
/// refused but text that is not PromQL, and the result re-parses to the same expression.
pub fn compress_expr(expr: &str, k: f64, scrape_interval_s: f64) -> Result<Rewritten, Refusal> {
    check_scale(k).map_err(|m| Refusal::new("time scale", m))?;
    if !(scrape_interval_s.is_finite() && scrape_interval_s > 0.0) {
        return Err(Refusal::new(
            "scrape interval",
            format!("{scrape_interval_s} s is not a positive number of seconds"),
        ));
    }
    let parsed = crate::config::promql::parse(expr)
        .map_err(|e| Refusal::new("PromQL syntax", format!("not valid PromQL: {e}")))?;
    let mut rw = Rewriter {
        k,
        scrape_ms: (scrape_interval_s * 1000.0).round().max(1.0) as u64,
        windows: Vec::new(),
        depth: 0,
    };
    let text = rw.expr(parsed)?.to_string();
    // The printer and the parser are separate code: a text that does not come back is a
    // bug here, and is refused rather than handed to Prometheus.
    crate::config::promql::parse(&text).map_err(|e| {
        Refusal::new(
            "rewrite",
            format!("the rewritten `{text}` does not parse ({e}); please report it"),
        )
    })?;
    Ok(Rewritten {
        text,
        windows: rw.windows,
    })
}

/// One rewrite: the scale, the scrape interval ranges are checked against, and the
/// durations divided so far.
struct Rewriter {
    k: f64,
    scrape_ms: u64,
    windows: Vec<(Duration, Duration)>,
    /// Levels of the tree above the node being rewritten.
    depth: usize,
}

impl Rewriter {
    /// Whether anything is compressed at all (K = 1 is the identity).
    fn compressing(&self) -> bool {
        self.k != 1.0
    }

    /// Rewrites one node and everything under it.
    fn expr(&mut self, e: Expr) -> Result<Expr, Refusal> {
        Ok(match e {
            Expr::Aggregate(mut a) => {
                self.child(&mut a.expr)?;
                if let Some(p) = a.param.as_mut() {
                    self.child(p)?;
                }
                Expr::Aggregate(a)
            }
            Expr::Unary(mut u) => {
                self.child(&mut u.expr)?;
                Expr::Unary(u)
            }
            Expr::Binary(mut b) => {
                self.child(&mut b.lhs)?;
                self.child(&mut b.rhs)?;
                if let Some(m) = b.modifier.as_mut() {
                    writable_matching(m);
                }
                Expr::Binary(b)
            }
            Expr::Paren(mut p) => {
                self.child(&mut p.expr)?;
                Expr::Paren(p)
            }
            Expr::Subquery(s) => Expr::Subquery(self.subquery(s)?),
            Expr::VectorSelector(vs) => Expr::VectorSelector(self.selector(vs)?),
            Expr::MatrixSelector(m) => Expr::MatrixSelector(self.matrix(m)?),
            Expr::Call(c) => self.call(c)?,
            other @ (Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_)) => other,
        })
    }

    /// Rewrites a child node where it stands (the AST owns its children through boxes).
    fn child(&mut self, e: &mut Expr) -> Result<(), Refusal> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Refusal::new(
                "nesting",
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        let old = std::mem::replace(e, Expr::from(0.0));
        *e = self.expr(old)?;
        self.depth -= 1;
        Ok(())
    }

    /// A subquery: its inner query, its range and step (its resolution), and its offset.
    fn subquery(&mut self, mut s: SubqueryExpr) -> Result<SubqueryExpr, Refusal> {
        if let Some(at) = &s.at {
            self.refuse_at(at)?;
        }
        self.child(&mut s.expr)?;
        s.range = self.scale(s.range, |d| format!("subquery range [{d}:]"))?;
        s.step = s
            .step
            .map(|st| self.scale(st, |d| format!("subquery step [:{d}]")))
            .transpose()?;
        s.offset = self.offset(s.offset)?;
        Ok(s)
    }

    /// An instant selector: only its `@` and `offset` touch time.
    fn selector(&mut self, mut vs: VectorSelector) -> Result<VectorSelector, Refusal> {
        if let Some(at) = &vs.at {
            self.refuse_at(at)?;
        }
        vs.offset = self.offset(vs.offset)?;
        Ok(vs)
    }

    /// A range selector: its range must keep enough scrapes after compression.
    fn matrix(&mut self, mut m: MatrixSelector) -> Result<MatrixSelector, Refusal> {
        if self.compressing() {
            self.check_range(m.range)?;
        }
        m.range = self.scale(m.range, |d| format!("range [{d}]"))?;
        m.vs = self.selector(m.vs)?;
        Ok(m)
    }

    fn offset(&mut self, o: Option<Offset>) -> Result<Option<Offset>, Refusal> {
        Ok(match o {
            None => None,
            Some(Offset::Pos(d)) => Some(Offset::Pos(self.scale(d, |d| format!("offset {d}"))?)),
            Some(Offset::Neg(d)) => Some(Offset::Neg(self.scale(d, |d| format!("offset -{d}"))?)),
        })
    }

    /// A function call: clock functions are refused, per-second functions divided by K,
    /// and `predict_linear`'s horizon (scenario seconds) compressed like a duration.
    fn call(&mut self, mut c: Call) -> Result<Expr, Refusal> {
        let name = c.func.name;
        if self.compressing() && CLOCK_FUNCTIONS.contains(&name) {
            return Err(Refusal::new(
                format!("{name}()"),
                format!(
                    "`{name}()` reads the wall clock or the calendar, which a stack running \
                     {k} times faster than the scenario does not keep; this rule keeps its \
                     meaning only with `--time-scale 1`",
                    k = self.k
                ),
            ));
        }
        for a in c.args.args.iter_mut() {
            self.child(a)?;
        }
        if !self.compressing() {
            return Ok(Expr::Call(c));
        }
        if let (true, Some(t)) = (name == "predict_linear", c.args.args.get_mut(1)) {
            let horizon = std::mem::replace(t.as_mut(), Expr::from(0.0));
            **t = self.divided_scalar(horizon);
        }
        if PER_SECOND.contains(&name) {
            return Ok(divided(Expr::Call(c), self.k));
        }
        Ok(Expr::Call(c))
    }

    /// A scalar in scenario seconds as wall seconds: a literal is divided in place, anything
    /// else is bracketed and divided, so that operator precedence cannot change its meaning.
    fn divided_scalar(&self, e: Expr) -> Expr {
        match e {
            Expr::NumberLiteral(n) => Expr::NumberLiteral(NumberLiteral {
                val: n.val / self.k,
            }),
            e @ Expr::Paren(_) => divided(e, self.k),
            e => divided(Expr::Paren(ParenExpr { expr: Box::new(e) }), self.k),
        }
    }

    /// `@` is refused when compressing; at K = 1 it is kept when the printer writes it back.
    fn refuse_at(&self, at: &AtModifier) -> Result<(), Refusal> {
        if !self.compressing() {
            return at_written_back(at);
        }
        Err(Refusal::new(
            "@ modifier",
            format!(
                "`@` pins evaluation to an absolute time on the production clock, which a \
                 stack running {} times faster does not keep; this rule keeps its meaning \
                 only with `--time-scale 1`",
                self.k
            ),
        ))
    }

    /// Divides one duration by K, to whole milliseconds, and records it; a duration that
    /// reaches 0 ms has no Prometheus spelling and is refused.
    fn scale(
        &mut self,
        d: Duration,
        construct: impl Fn(String) -> String,
    ) -> Result<Duration, Refusal> {
        if !self.compressing() {
            spelled_exactly(d, &construct)?;
            self.windows.push((d, d));
            return Ok(d);
        }
        let ms = divide_ms(d, self.k);
        if ms == 0 {
            let shown = display_duration(&d);
            return Err(Refusal::new(
                construct(shown.clone()),
                format!(
                    "{shown} / {} is below 1 ms, the precision of a Prometheus duration; \
                     use a smaller --time-scale or a longer duration",
                    self.k
                ),
            ));
        }
        let out = Duration::from_millis(ms);
        spelled_exactly(out, &construct)?;
        self.windows.push((d, out));
        Ok(out)
    }

    /// A range must hold [`MIN_SCRAPES_PER_RANGE`] scrape intervals after compression. The
    /// compressed scrape interval is the production one divided by K but never below
    /// [`MIN_SCRAPE_INTERVAL_MS`], so past a point a larger K shrinks the window only.
    fn check_range(&self, range: Duration) -> Result<(), Refusal> {
        let range_ms = range.as_millis() as f64;
        let scrape_ms = (self.scrape_ms as f64 / self.k).max(MIN_SCRAPE_INTERVAL_MS as f64);
        let need = MIN_SCRAPES_PER_RANGE as f64;
        if range_ms / self.k >= need * scrape_ms {
            return Ok(());
        }
        let shown = display_duration(&range);
        let largest_k = range.as_millis() as u64 / (MIN_SCRAPES_PER_RANGE * MIN_SCRAPE_INTERVAL_MS);
        let floor = format!(
            "with the compressed scrape interval at its {MIN_SCRAPE_INTERVAL_MS} ms floor, \
             the largest usable K for [{shown}] is {largest_k}"
        );
        let production = format_ms(self.scrape_ms);
        let message = if range.as_millis() < (MIN_SCRAPES_PER_RANGE * self.scrape_ms) as u128 {
            format!(
                "[{shown}] holds fewer than {MIN_SCRAPES_PER_RANGE} scrape intervals of \
                 {production} at any time scale above 1; widen it or scrape more often ({floor})"
            )
        } else {
            format!(
                "[{shown}] / {k} would hold fewer than {MIN_SCRAPES_PER_RANGE} scrape \
                 intervals; {floor}",
                k = self.k
            )
        };
        Err(Refusal::new(format!("range [{shown}]"), message))
    }
}

/// `ignoring ()` before `group_left` / `group_right` as `ignoring (__name__)`: the printer
/// drops an empty `ignoring ()`, and a bare `group_left` is not PromQL. Both spellings match
/// the same series, since vector matching always leaves the metric name out.
fn writable_matching(m: &mut BinModifier) {
    let grouped = matches!(
        m.card,
        VectorMatchCardinality::ManyToOne(_) | VectorMatchCardinality::OneToMany(_)
    );
    if grouped && matches!(&m.matching, Some(LabelModifier::Exclude(l)) if l.labels.is_empty()) {
        m.matching = Some(LabelModifier::Exclude(Labels::new(vec![METRIC_NAME])));
    }
}

/// `(e / k)`, bracketed so that it binds like the call it replaces.
fn divided(e: Expr, k: f64) -> Expr {
    Expr::Paren(ParenExpr {
        expr: Box::new(Expr::Binary(BinaryExpr {
            op: TokenType::new(T_DIV),
            lhs: Box::new(e),
            rhs: Box::new(Expr::from(k)),
            modifier: None,
        })),
    })
}
