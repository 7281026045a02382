//! Unit tests of the time-compressing PromQL rewrite.
use std::time::Duration;

use promql_parser::parser::parse;

use super::*;

/// The production scrape interval of `config/prometheus.yml`.
pub(super) const SCRAPE_S: f64 = 15.0;

fn rw(expr: &str, k: f64) -> Rewritten {
    compress_expr(expr, k, SCRAPE_S).unwrap_or_else(|r| panic!("`{expr}` at K {k}: {r}"))
}

pub(super) fn refused(expr: &str, k: f64) -> Refusal {
    match compress_expr(expr, k, SCRAPE_S) {
        Ok(r) => panic!("`{expr}` at K {k} was rewritten to `{}`", r.text),
        Err(r) => r,
    }
}

/// The rewrite of `expr` at `k` parses to the same expression as `want`.
fn assert_rewrites(expr: &str, k: f64, want: &str) {
    let got = rw(expr, k).text;
    assert_eq!(
        parse(&got).unwrap(),
        parse(want).unwrap(),
        "`{expr}` at K {k} gave `{got}`, want `{want}`"
    );
}

#[test]
fn per_second_functions_are_divided_by_k_after_their_window() {
    assert_rewrites("rate(a[5m])", 30.0, "(rate(a[10s]) / 30)");
    assert_rewrites(
        "irate(a{x=\"y\"}[2m])",
        30.0,
        "(irate(a{x=\"y\"}[4s]) / 30)",
    );
    assert_rewrites("deriv(g[10m])", 40.0, "(deriv(g[15s]) / 40)");
    assert_eq!(rw("rate(a[5m])", 30.0).text, "(rate(a[10s]) / 30)");
}

#[test]
fn predict_linear_compresses_its_window_and_its_horizon() {
    assert_rewrites(
        "predict_linear(v[1h], 3600)",
        30.0,
        "predict_linear(v[2m], 120)",
    );
    assert_rewrites(
        "predict_linear(v[1h], 4 * 3600) < 0",
        30.0,
        "predict_linear(v[2m], ((4 * 3600) / 30)) < 0",
    );
}

#[test]
fn counting_functions_only_get_their_window_scaled() {
    let invariant = [
        "increase",
        "delta",
        "idelta",
        "changes",
        "resets",
        "avg_over_time",
        "min_over_time",
        "max_over_time",
        "sum_over_time",
        "count_over_time",
        "stddev_over_time",
        "stdvar_over_time",
        "last_over_time",
        "present_over_time",
        "absent_over_time",
    ];
    for f in invariant {
        assert_rewrites(&format!("{f}(a[5m])"), 30.0, &format!("{f}(a[10s])"));
    }
    assert_rewrites(
        "quantile_over_time(0.9, a[5m])",
        30.0,
        "quantile_over_time(0.9, a[10s])",
    );
}

#[test]
fn histogram_quantile_gets_the_rewritten_rates() {
    assert_rewrites(
        "histogram_quantile(0.95, sum by (le) (rate(h_bucket[5m])))",
        30.0,
        "histogram_quantile(0.95, sum by (le) ((rate(h_bucket[10s]) / 30)))",
    );
}

#[test]
fn aggregations_and_binary_operations_over_rates() {
    assert_rewrites(
        "sum by (x) (rate(a[5m]))",
        30.0,
        "sum by (x) ((rate(a[10s]) / 30))",
    );
    assert_rewrites(
        "sum(rate(a{s=\"failed\"}[5m])) / sum(rate(a[5m])) > 0.05",
        30.0,
        "sum((rate(a{s=\"failed\"}[10s]) / 30)) / sum((rate(a[10s]) / 30)) > 0.05",
    );
    assert_rewrites(
        "rate(a[5m]) * on (job) group_left rate(b[10m])",
        60.0,
        "(rate(a[5s]) / 60) * on (job) group_left () (rate(b[10s]) / 60)",
    );
    assert_rewrites(
        "topk(3, -rate(a[5m]))",
        30.0,
        "topk(3, -(rate(a[10s]) / 30))",
    );
}

#[test]
fn subqueries_scale_range_step_and_offset() {
    assert_rewrites(
        "max_over_time(rate(a[5m])[1h:1m])",
        30.0,
        "max_over_time((rate(a[10s]) / 30)[2m:2s])",
    );
    assert_rewrites("max_over_time(a[1h:])", 30.0, "max_over_time(a[2m:])");
    assert_rewrites(
        "max_over_time(rate(a[5m])[1h:1m] offset 30m)",
        30.0,
        "max_over_time((rate(a[10s]) / 30)[2m:2s] offset 1m)",
    );
}

#[test]
fn nested_subqueries_are_each_compressed() {
    let r = rw(
        "max_over_time(avg_over_time(rate(a[5m])[30m:1m])[2h:5m] offset 1h)",
        30.0,
    );
    assert_eq!(
        parse(&r.text).unwrap(),
        parse("max_over_time(avg_over_time((rate(a[10s]) / 30)[1m:2s])[4m:10s] offset 2m)")
            .unwrap()
    );
    let m = |s: u64| Duration::from_secs(s);
    let originals: Vec<Duration> = r.windows.iter().map(|w| w.0).collect();
    assert_eq!(
        originals,
        [m(300), m(1800), m(60), m(7200), m(300), m(3600)]
    );
}

#[test]
fn offsets_are_divided_with_their_sign() {
    assert_rewrites("a offset 5m", 30.0, "a offset 10s");
    assert_rewrites("a offset -5m", 30.0, "a offset -10s");
    assert_rewrites(
        "rate(a[5m] offset 1h)",
        30.0,
        "(rate(a[10s] offset 2m) / 30)",
    );
}

/// `expr` is refused at `k` for `construct`, with a message that says `says`.
fn assert_refused(expr: &str, k: f64, construct: &str, says: &str) {
    let r = refused(expr, k);
    assert_eq!(r.construct, construct, "`{expr}` at K {k}");
    assert!(r.message.contains(says), "`{expr}` at K {k}: {}", r.message);
}

#[test]
fn clock_and_calendar_functions_are_refused_by_name() {
    let cases = [
        ("time() - a > 60", "time()"),
        ("time() - timestamp(a) > 60", "time()"),
        ("timestamp(a)", "timestamp()"),
        ("ts_of_max_over_time(a[5m])", "ts_of_max_over_time()"),
        ("minute()", "minute()"),
        ("hour() > 8", "hour()"),
        ("day_of_week() == 1", "day_of_week()"),
        ("day_of_month(a)", "day_of_month()"),
        ("day_of_year()", "day_of_year()"),
        ("days_in_month()", "days_in_month()"),
        ("month()", "month()"),
        ("year()", "year()"),
    ];
    for (expr, construct) in cases {
        assert_refused(expr, 30.0, construct, "--time-scale 1");
    }
}

#[test]
fn the_at_modifier_is_refused_wherever_it_appears() {
    for expr in [
        "a @ 1000",
        "rate(a[5m] @ 1000)",
        "max_over_time(a[1h:1m] @ end())",
        "a @ start()",
    ] {
        assert_refused(expr, 30.0, "@ modifier", "--time-scale 1");
    }
}

#[test]
fn a_range_shorter_than_four_scrapes_is_refused_with_the_largest_usable_k() {
    let says = "the largest usable K for [30s] is 75";
    assert_refused("rate(a[30s])", 2.0, "range [30s]", says);
    // [1m] holds four 15 s scrapes, but at K 200 the scrape interval stops at 100 ms.
    let says = "the largest usable K for [1m] is 150";
    assert_refused("rate(a[1m])", 200.0, "range [1m]", says);
    assert_rewrites("rate(a[1m])", 150.0, "(rate(a[400ms]) / 150)");
}

#[test]
fn durations_round_to_milliseconds_and_zero_is_refused() {
    assert_rewrites("a offset 10ms", 3.0, "a offset 3ms");
    assert_refused("a offset 1ms", 30.0, "offset 1ms", "below 1 ms");
    assert_refused("a offset -1ms", 30.0, "offset -1ms", "below 1 ms");
    let step = "subquery step [:1ms]";
    assert_refused("max_over_time(a[1h:1ms])", 30.0, step, "below 1 ms");
}

#[test]
fn invalid_input_is_refused_not_panicked_on() {
    assert_eq!(refused("rate(a[5m]", 30.0).construct, "PromQL syntax");
    for k in [0.0, 0.5, f64::NAN, f64::INFINITY] {
        assert_eq!(refused("a", k).construct, "time scale");
    }
    assert_eq!(
        compress_expr("a", 30.0, 0.0).unwrap_err().construct,
        "scrape interval"
    );
}

/// An expression nested 500 levels deep overflowed the stack of a 2 MiB thread (a test
/// thread, a tokio worker) in the recursive rewrite; it is refused at every scale, K = 1 too.
#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let nested = |n| format!("{}rate(a[5m]){}", "(".repeat(n), ")".repeat(n));
    assert_eq!(rw(&nested(promql::MAX_DEPTH - 1), 10.0).windows.len(), 1);
    for k in [1.0, 10.0] {
        let r = refused(&nested(2000), k);
        assert_eq!(r.construct, "nesting", "{r}");
        assert!(r.message.contains("more than 128 levels"), "{r}");
    }
}

/// Expressions the property tests run at every scale, with the durations they hold in order.
const SAMPLES: &[(&str, &[u64])] = &[
    ("rate(a[5m])", &[300]),
    ("sum by (x) (increase(a[1h] offset 1d))", &[3600, 86400]),
    ("max_over_time(rate(a[5m])[1h:1m])", &[300, 3600, 60]),
    ("predict_linear(v[6h], 4 * 3600) < 0", &[21600]),
    ("delta(g[10m]) / deriv(g[10m])", &[600, 600]),
    ("avg_over_time(a[30m:] offset 2h)", &[1800, 7200]),
    (
        "histogram_quantile(0.99, sum by (le) (rate(h_bucket[15m])))",
        &[900],
    ),
    ("up == 0", &[]),
];

#[test]
fn windows_are_the_originals_divided_by_k() {
    for k in [1.0, 2.0, 7.0, 30.0, 60.0, 90.5] {
        for (expr, secs) in SAMPLES {
            let r = rw(expr, k);
            let originals: Vec<Duration> = r.windows.iter().map(|w| w.0).collect();
            let want: Vec<Duration> = secs.iter().map(|s| Duration::from_secs(*s)).collect();
            assert_eq!(originals, want, "`{expr}` at K {k}");
            for (orig, compressed) in &r.windows {
                let ms = (orig.as_millis() as f64 / k).round() as u128;
                assert_eq!(compressed.as_millis(), ms, "`{expr}` at K {k}");
            }
        }
    }
}

#[test]
fn output_always_reparses_and_is_the_identity_at_k_1() {
    let extra = [
        "time() - timestamp(a) > 60",
        "a @ 1000",
        "hour() > 8",
        "rate(a[30s])",
    ];
    let all = SAMPLES.iter().map(|(e, _)| *e).chain(extra);
    for expr in all {
        assert_eq!(
            parse(&rw(expr, 1.0).text).unwrap(),
            parse(expr).unwrap(),
            "{expr}"
        );
    }
    for k in [2.0, 30.0, 60.0] {
        for (expr, _) in SAMPLES {
            let text = rw(expr, k).text;
            let again = parse(&text).unwrap_or_else(|e| panic!("`{text}`: {e}"));
            assert_eq!(again.to_string(), text, "printing is stable for `{expr}`");
        }
    }
}

#[test]
fn compress_duration_gives_ms_precise_single_unit_durations() {
    assert_eq!(compress_duration("10m", 40.0).unwrap(), "15s");
    assert_eq!(compress_duration("1m", 7.0).unwrap(), "8571ms");
    assert_eq!(compress_duration("1h30m", 2.0).unwrap(), "45m");
    assert_eq!(compress_duration("90s", 1.0).unwrap(), "90s");
    assert_eq!(compress_duration("2d", 1.0).unwrap(), "2d");
    assert_eq!(compress_duration("0s", 30.0).unwrap(), "0s");
    assert_eq!(compress_duration("0", 30.0).unwrap(), "0s");
    assert!(
        compress_duration("1ms", 30.0)
            .unwrap_err()
            .contains("below 1 ms")
    );
    assert!(compress_duration("5", 30.0).is_err());
    assert!(compress_duration("five", 30.0).is_err());
    assert!(compress_duration("", 30.0).is_err());
    assert!(compress_duration("1m", 0.0).is_err());
}
