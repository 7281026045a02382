//! PromQL text as rule files, dashboards and SLO rules hold it, parsed with `promql_parser`
//! behind one guard: that parser panics (`Duration::from_secs_f64`) on a bare number used as a
//! duration that no `Duration` can hold (`a[1e30]`, `a[5m:Inf]`, `a offset 0xffffffffffffffff`),
//! so such a number is refused here first, as an error like any other syntax error.

use promql_parser::parser::Expr;

/// Parse `text` as PromQL; an out-of-range numeric duration is an error, not a panic.
pub fn parse(text: &str) -> Result<Expr, String> {
    if let Some(bad) = unrepresentable_duration(text) {
        return Err(format!("duration `{bad}` is out of range"));
    }
    promql_parser::parser::parse(text)
}

/// Visit every node of an expression, parents before children. It recurses as deep as the
/// tree, which the recursive parser that built it already went.
pub fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Aggregate(a) => {
            visit(&a.expr, f);
            if let Some(p) = &a.param {
                visit(p, f);
            }
        }
        Expr::Unary(u) => visit(&u.expr, f),
        Expr::Binary(b) => {
            visit(&b.lhs, f);
            visit(&b.rhs, f);
        }
        Expr::Paren(p) => visit(&p.expr, f),
        Expr::Subquery(s) => visit(&s.expr, f),
        Expr::Call(c) => c.args.args.iter().for_each(|a| visit(a, f)),
        Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::Extension(_) => {}
    }
}

fn is_word(b: &[u8], i: usize) -> bool {
    let c = b[i];
    c.is_ascii_alphanumeric()
        || c == b'.'
        || c == b'_'
        || (matches!(c, b'+' | b'-') && i > 0 && matches!(b[i - 1], b'e' | b'E'))
}

/// The first bare number in a duration position (after `[`, after `:` inside brackets, after
/// `offset` and its sign) that a `Duration` cannot hold. String literals are skipped.
fn unrepresentable_duration(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    let (mut i, mut quote, mut duration_next, mut brackets) = (0, None, false, 0usize);
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            i += if c == b'\\' && q != b'`' { 2 } else { 1 };
            if c == q {
                quote = None;
            }
            continue;
        }
        if is_word(b, i) && !matches!(c, b'+' | b'-') {
            let start = i;
            while i < b.len() && is_word(b, i) {
                i += 1;
            }
            let word = &text[start..i];
            if duration_next && !representable(word) {
                return Some(word);
            }
            duration_next = word.eq_ignore_ascii_case("offset");
            continue;
        }
        match c {
            b'"' | b'\'' | b'`' => quote = Some(c),
            b'[' => brackets += 1,
            b']' => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        let keep = c.is_ascii_whitespace() || (duration_next && matches!(c, b'+' | b'-'));
        duration_next = c == b'[' || (c == b':' && brackets > 0) || (keep && duration_next);
        i += 1;
    }
    None
}

/// Whether `word`, read as `promql_parser` reads a number (hex, octal, decimal, Inf, NaN),
/// fits a `Duration`; a word that is no number (`5m`) is left to the parser.
fn representable(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    let value = if let Some(hex) = w.strip_prefix("0x") {
        u64::from_str_radix(hex, 16).ok().map(|v| v as f64)
    } else if w.len() > 1 && w.starts_with('0') && w.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        u64::from_str_radix(&w, 8).ok().map(|v| v as f64)
    } else {
        w.parse::<f64>().ok()
    };
    value.is_none_or(|v| std::time::Duration::try_from_secs_f64(v).is_ok())
}

#[cfg(test)]
mod tests {
    use super::parse;

    /// Found by the `promql_rewrite` fuzz target
    /// (`fuzz/regressions/promql_rewrite/huge-subquery-range`): a 54-digit subquery range
    /// panicked in `promql_parser`.
    #[test]
    fn out_of_range_numeric_durations_are_errors() {
        for bad in [
            "a[1e30]",
            "max_over_time(a[88888888888888888888888:1m])",
            "max_over_time(a[5m:Inf])",
            "a offset 1e400",
            "a offset -NaN",
            "a[0xffffffffffffffff]",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("out of range"), "{bad}: {e}");
        }
        for ok in [
            "a[300]",
            "rate(a[5m])",
            "max_over_time(a[1h:60])",
            "a offset 1e3",
            "job:1e400",
            "a{b=\"[1e400]\"}",
            "a @ 1e3",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
    }
}
