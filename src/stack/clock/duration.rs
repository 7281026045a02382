//! Durations on a compressed clock: `for`, `keep_firing_for` and intervals divided by the
//! time scale, to the millisecond precision Prometheus keeps.

use std::time::Duration;

use promql_parser::parser::AtModifier;
use promql_parser::util::{display_duration, parse_duration};

use super::promql::Refusal;

/// Divides a Prometheus duration (`for`, `keep_firing_for`, an interval) by `k`, giving a
/// millisecond-precise duration in one unit (`10m` / 40 = `15s`, `1m` / 7 = `8571ms`), which
/// every Prometheus and Alertmanager version parses. `0s` stays `0s`.
pub fn compress_duration(d: &str, k: f64) -> Result<String, String> {
    check_scale(k)?;
    if is_zero_duration(d) {
        return Ok("0s".into());
    }
    if d.parse::<f64>().is_ok() {
        return Err(format!(
            "`{d}` has no unit; a Prometheus duration looks like `5m`"
        ));
    }
    let parsed = parse_duration(d).map_err(|e| format!("`{d}`: {e}"))?;
    let ms = divide_ms(parsed, k);
    if ms == 0 {
        return Err(format!(
            "`{d}` / {k} is below 1 ms, the precision of a Prometheus duration"
        ));
    }
    Ok(format_ms(ms))
}

/// A time scale must be a finite factor of at least 1: the harness only ever speeds up.
pub(super) fn check_scale(k: f64) -> Result<(), String> {
    if k.is_finite() && k >= 1.0 {
        Ok(())
    } else {
        Err(format!("time scale {k} is not a finite number ≥ 1"))
    }
}

/// `0`, `0s`, `0m0s`, ...: valid Prometheus durations that `parse_duration` rejects.
fn is_zero_duration(d: &str) -> bool {
    d.contains('0')
        && d.chars().all(|c| c == '0' || "ywdhms".contains(c))
        && (d == "0" || parse_duration(&d.replace('0', "1")).is_ok())
}

/// `d / k` in whole milliseconds, the precision Prometheus keeps.
pub(super) fn divide_ms(d: Duration, k: f64) -> u64 {
    (d.as_secs_f64() * 1000.0 / k).round() as u64
}

/// Milliseconds in the largest unit that divides them exactly.
pub(super) fn format_ms(ms: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ];
    for (unit, size) in UNITS {
        if ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// Refuses a duration the printer cannot write so that it parses back to itself: PromQL
/// spells whole milliseconds, `promql_parser` drops a unit count of 2^32 or more (a window of
/// 10^15 s came back as 19h27m24s32ms), and it prints `offset 0` as `offset 0s`, which it
/// does not parse.
pub(super) fn spelled_exactly(
    d: Duration,
    construct: &impl Fn(String) -> String,
) -> Result<(), Refusal> {
    let shown = display_duration(&d);
    if parse_duration(&shown).ok() == Some(d) {
        return Ok(());
    }
    Err(Refusal::new(
        construct(shown),
        format!(
            "{d:?} cannot be written back as a PromQL duration (whole milliseconds, above 0, under 2^32 days)"
        ),
    ))
}

/// Refuses an `@` time the printer cannot write so that it parses back to itself:
/// `promql_parser` prints a time before 1970 as `@ 0.000` (`g @ -300` came back as
/// `g @ 0.000`). The test is the round trip itself (print, then parse), so it also holds for
/// whatever else the printer's three decimals of an `f64` cannot carry.
pub(super) fn at_written_back(at: &AtModifier) -> Result<(), Refusal> {
    let AtModifier::At(t) = at else {
        return Ok(());
    };
    let printed = at.to_string();
    let back = printed
        .trim_start_matches("@ ")
        .parse::<f64>()
        .ok()
        .and_then(|secs| AtModifier::try_from(secs).ok());
    if back.as_ref() == Some(at) {
        return Ok(());
    }
    let when = match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => format!("{:.3} s after 1970-01-01", d.as_secs_f64()),
        Err(e) => format!("{:.3} s before 1970-01-01", e.duration().as_secs_f64()),
    };
    Err(Refusal::new(
        "@ modifier",
        format!(
            "the `@` time {when} cannot be written back as a PromQL `@` time \
             (whole milliseconds, from 1970-01-01 on, within the precision of an f64 of seconds)"
        ),
    ))
}
