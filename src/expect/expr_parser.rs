//! Parser of the relation expression language (see `expr`): a small recursive-descent parser
//! over characters, errors carrying the character offset. Nesting and size are bounded
//! ([`MAX_NESTING`], [`MAX_OPERATORS`]) so that neither the parser nor the code that walks
//! the tree it builds can exhaust the stack on a hostile file.

use regex::Regex;

use super::expr::{Agg, BinOp, CmpOp, Condition, Expr, LabelMatch, LabelOp, MathFn, Selector};
/// Deepest nesting of brackets, function calls and unary minus signs in one expression.
pub const MAX_NESTING: usize = 64;

/// Most operators (`+ - * /`, unary `-`, `sqrt`, `abs`) in one expression or condition: it
/// bounds the depth of the tree, which evaluation walks recursively.
pub const MAX_OPERATORS: usize = 1000;

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
    /// Brackets, calls and unary minus signs open at `pos`.
    nesting: usize,
    /// Operators read so far.
    operators: usize,
}

impl Parser {
    fn new(src: &str) -> Self {
        Self {
            chars: src.chars().collect(),
            pos: 0,
            nesting: 0,
            operators: 0,
        }
    }
    fn err(&self, m: &str) -> ParseError {
        ParseError {
            offset: self.pos,
            message: m.to_string(),
        }
    }
    /// Enters one level of nesting, refusing past [`MAX_NESTING`].
    fn nest(&mut self) -> Result<(), ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.err(&format!("nested more than {MAX_NESTING} levels deep")));
        }
        Ok(())
    }
    /// Counts one operator, refusing past [`MAX_OPERATORS`].
    fn operator(&mut self) -> Result<(), ParseError> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(self.err(&format!("more than {MAX_OPERATORS} operators")));
        }
        Ok(())
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
            self.operator()?;
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
            self.operator()?;
            let right = self.unary()?;
            left = Expr::Bin(Box::new(left), op, Box::new(right));
        }
    }
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat('-') {
            self.operator()?;
            self.nest()?;
            let e = self.unary()?;
            self.nesting -= 1;
            return Ok(Expr::Neg(Box::new(e)));
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
            self.nest()?;
            let e = self.expr()?;
            if !self.eat(')') {
                return Err(self.err("expected `)`"));
            }
            self.nesting -= 1;
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
            self.operator()?;
            self.nest()?;
            let inner = self.expr()?;
            self.nesting -= 1;
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
    use crate::expect::expr::{Agg, BinOp, CmpOp, Expr};

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
