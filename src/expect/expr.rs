//! The tiny expression language of metric relations: numbers, `facts.*` names, aggregations over
//! exposed samples with optional partial label matchers (`sum(x_total{status="failed"})`,
//! `count(...)`, `max(...)`, `min(...)`), `sqrt(...)`, `abs(...)`, `+ - * /` and parentheses.
//! Parsing only; evaluation over an exposition lives in `check::relations`.

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

/// A parse error with the 0-based character offset where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Parse an arithmetic expression.
pub fn parse_expr(src: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(src);
    let e = p.expr()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.err("unexpected text after the expression"));
    }
    Ok(e)
}

/// Parse `expr op expr`.
pub fn parse_condition(src: &str) -> Result<Condition, ParseError> {
    let mut p = Parser::new(src);
    let left = p.expr()?;
    p.skip_ws();
    let op = p
        .cmp_op()
        .ok_or_else(|| p.err("expected a comparison (==, !=, <, <=, >, >=)"))?;
    let right = p.expr()?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.err("unexpected text after the condition"));
    }
    Ok(Condition { left, op, right })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
        }
    }
    fn err(&self, m: &str) -> ParseError {
        ParseError {
            offset: self.pos,
            message: m.to_string(),
        }
    }
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }
    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_str(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let ok = self
            .chars
            .get(self.pos..self.pos + n)
            .is_some_and(|w| w.iter().copied().eq(s.chars()));
        if ok {
            self.pos += n;
        }
        ok
    }
    fn cmp_op(&mut self) -> Option<CmpOp> {
        self.skip_ws();
        for (s, op) in [
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ] {
            if self.eat_str(s) {
                return Some(op);
            }
        }
        None
    }
    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            let right = self.term()?;
            left = Expr::Bin(Box::new(left), op, Box::new(right));
        }
    }
    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = Expr::Bin(Box::new(left), op, Box::new(right));
        }
    }
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat('-') {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.primary()
    }
    fn ident(&mut self) -> String {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '.')
        {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        let Some(c) = self.peek() else {
            return Err(self.err("expected a number, `facts.<name>` or `sum(...)`, found the end"));
        };
        if c == '(' {
            self.pos += 1;
            let e = self.expr()?;
            if !self.eat(')') {
                return Err(self.err("expected `)`"));
            }
            return Ok(e);
        }
        if c.is_ascii_digit() || c == '.' {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E')
            {
                self.pos += 1;
            }
            let text: String = self.chars[start..self.pos].iter().collect();
            return text.parse::<f64>().map(Expr::Num).map_err(|_| ParseError {
                offset: start,
                message: format!("`{text}` is not a number"),
            });
        }
        let start = self.pos;
        let name = self.ident();
        if name.is_empty() {
            return Err(self.err(&format!("unexpected `{c}`")));
        }
        if let Some(fact) = name.strip_prefix("facts.") {
            return Ok(Expr::Fact(fact.to_string()));
        }
        let agg = match name.as_str() {
            "sum" => Some(Agg::Sum),
            "count" => Some(Agg::Count),
            "max" => Some(Agg::Max),
            "min" => Some(Agg::Min),
            _ => None,
        };
        let math = match name.as_str() {
            "sqrt" => Some(MathFn::Sqrt),
            "abs" => Some(MathFn::Abs),
            _ => None,
        };
        if agg.is_none() && math.is_none() {
            return Err(ParseError {
                offset: start,
                message: format!(
                    "`{name}` is not allowed here: use sum/count/max/min(<sample>{{...}}), sqrt/abs(...), facts.<name> or a number"
                ),
            });
        }
        if !self.eat('(') {
            return Err(self.err(&format!("expected `(` after `{name}`")));
        }
        let e = if let Some(agg) = agg {
            Expr::Agg(agg, self.selector()?)
        } else {
            let inner = self.expr()?;
            Expr::Math(math.unwrap_or(MathFn::Abs), Box::new(inner))
        };
        if !self.eat(')') {
            return Err(self.err("expected `)`"));
        }
        Ok(e)
    }
    fn selector(&mut self) -> Result<Selector, ParseError> {
        self.skip_ws();
        let sample = self.ident();
        if sample.is_empty() || sample.contains('.') {
            return Err(self.err("expected a sample name like `user_jobs_completed_total`"));
        }
        let mut matchers = Vec::new();
        if self.eat('{') {
            loop {
                if self.eat('}') {
                    break;
                }
                self.skip_ws();
                let name = self.ident();
                if name.is_empty() {
                    return Err(self.err("expected a label name"));
                }
                self.skip_ws();
                let op = if self.eat_str("=~") {
                    LabelOp::Re
                } else if self.eat_str("!~") {
                    LabelOp::NotRe
                } else if self.eat_str("!=") {
                    LabelOp::Ne
                } else if self.eat_str("=") {
                    LabelOp::Eq
                } else {
                    return Err(self.err("expected =, !=, =~ or !~"));
                };
                let value = self.string()?;
                let regex = match op {
                    LabelOp::Re | LabelOp::NotRe => Some(
                        Regex::new(&format!("^(?:{value})$"))
                            .map_err(|e| self.err(&format!("invalid regex `{value}`: {e}")))?,
                    ),
                    _ => None,
                };
                matchers.push(LabelMatch {
                    name,
                    op,
                    value,
                    regex,
                });
                if !self.eat(',') {
                    if !self.eat('}') {
                        return Err(self.err("expected `,` or `}`"));
                    }
                    break;
                }
            }
        }
        Ok(Selector { sample, matchers })
    }
    fn string(&mut self) -> Result<String, ParseError> {
        self.skip_ws();
        if self.peek() != Some('"') {
            return Err(self.err("expected a double-quoted label value"));
        }
        self.pos += 1;
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '"' => return Ok(out),
                '\\' => {
                    if let Some(n) = self.peek() {
                        self.pos += 1;
                        out.push(n);
                    }
                }
                _ => out.push(c),
            }
        }
        Err(self.err("unterminated string"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_relations() {
        let e = parse_expr(
            r#"sum(pipeline_duration_seconds_count{status="failed"}) / sum(pipeline_duration_seconds_count)"#,
        )
        .unwrap();
        assert!(matches!(e, Expr::Bin(_, BinOp::Div, _)));
        let e =
            parse_expr("0.02 + 3 * sqrt(facts.fault.job_failure_ratio / facts.finished)").unwrap();
        let mut f = Vec::new();
        e.facts(&mut f);
        assert_eq!(f, vec!["fault.job_failure_ratio", "finished"]);
        let c = parse_condition("facts.default_stub == 1").unwrap();
        assert_eq!(c.op, CmpOp::Eq);
        let e = parse_expr(r#"count(x{a=~"b|c", d!="e"})"#).unwrap();
        match e {
            Expr::Agg(Agg::Count, sel) => {
                assert_eq!(sel.matchers.len(), 2);
                assert!(sel.matchers[0].matches("c"));
                assert!(!sel.matchers[0].matches("cc"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_say_where() {
        let e = parse_expr("sum(x) +").unwrap_err();
        assert_eq!(e.offset, 8);
        let e = parse_expr("user_jobs_completed_total").unwrap_err();
        assert!(e.message.contains("not allowed"), "{e:?}");
        assert!(parse_expr(r#"sum(x{a="b"}"#).is_err());
        assert!(parse_expr(r#"sum(x{a=~"("})"#).is_err());
        assert!(parse_condition("facts.failed").is_err());
        assert!(CmpOp::Eq.holds(1.0, 1.05, 0.1));
        assert!(!CmpOp::Eq.holds(1.0, 1.2, 0.1));
        assert!(CmpOp::Le.holds(1.0, 1.0, 0.0));
        assert!(!CmpOp::Lt.holds(1.0, 1.0, 0.0));
        assert!(!CmpOp::Eq.holds(f64::NAN, 1.0, 1.0));
    }
}
