//! The rewrite's output is the PromQL printer's text: what the printer cannot write back
//! exactly is refused or spelled another way, never handed to Prometheus changed.

use super::tests::{SCRAPE_S, refused};
use super::*;

/// Found by the `promql_rewrite` fuzz target (`fuzz/regressions/promql_rewrite/huge-range`):
/// a window of 888888888888888 s was printed as 10^10 days, which `promql_parser` reads back
/// as 19h27m24s32ms (and `offset 0` printed as `offset 0s`, which does not parse); a duration
/// that cannot be written exactly is refused, at K = 1 too.
#[test]
fn durations_that_cannot_be_written_back_are_refused() {
    for k in [1.0, 2.0] {
        let r = refused("max_over_time(g[888888888888888])", k);
        assert!(r.construct.starts_with("range ["), "{r}");
        assert!(r.message.contains("cannot be written back"), "{r}");
    }
    for tiny in ["g offset 0.0001", "g offset 0"] {
        assert!(
            refused(tiny, 1.0)
                .message
                .contains("cannot be written back"),
            "{tiny}"
        );
    }
}

#[test]
fn at_times_that_cannot_be_written_back_are_refused() {
    // Found by fuzzing: `@ -5m` is 300 s before 1970, which the printer writes `@ 0.000`.
    for before_1970 in ["rene_co@-5m", "g @ -300", "rate(g[5m] @ -0.5)"] {
        let r = refused(before_1970, 1.0);
        assert_eq!(r.construct, "@ modifier", "{r}");
        assert!(
            r.message.contains("before 1970-01-01"),
            "{before_1970}: {r}"
        );
        assert!(r.message.contains("cannot be written back"), "{r}");
    }
    for kept in [
        "g @ 0",
        "g @ 1700000000.123",
        "g @ start()",
        "rate(g[5m] @ end())",
    ] {
        let out = compress_expr(kept, 1.0, 15.0).unwrap_or_else(|r| panic!("{kept}: {r}"));
        let back = crate::config::promql::parse(&out.text).expect("parses");
        assert_eq!(
            back,
            crate::config::promql::parse(kept).expect("parses"),
            "{kept}"
        );
    }
    // Compressed, `@` is refused for what it means, not for how it is written.
    assert!(refused("g @ 100", 2.0).message.contains("absolute time"));
}

#[test]
fn empty_ignoring_before_a_group_modifier_is_written_as_prometheus_reads_it() {
    // The printer drops `ignoring ()`, and `a - group_left b` is not PromQL: the rewrite
    // used to refuse this valid rule as its own bug. `ignoring (__name__)` matches the same.
    for (expr, want) in [
        (
            "a - ignoring() group_left b",
            "a - ignoring (__name__) group_left () b",
        ),
        (
            "rate(a[5m]) * ignoring () group_right (x) b",
            "rate(a[5m]) * ignoring (__name__) group_right (x) b",
        ),
        ("a - ignoring() b", "a - b"),
    ] {
        let out = compress_expr(expr, 1.0, SCRAPE_S).unwrap_or_else(|r| panic!("{expr}: {r}"));
        assert_eq!(out.text, want, "{expr}");
        // Compressed, the same spelling: every rewrite goes through the printer.
        let k2 = compress_expr(expr, 2.0, SCRAPE_S).unwrap_or_else(|r| panic!("{expr}: {r}"));
        let renamed = want.contains("ignoring (__name__)");
        assert_eq!(
            k2.text.contains("ignoring (__name__)"),
            renamed,
            "{}",
            k2.text
        );
    }
}
