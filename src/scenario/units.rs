//! Parsing of the scenario's unit-carrying strings: durations (`30s`, `5m`) and rates (`10/s`,
//! `30/m`). Errors say what was expected, so the caller only adds the location.

/// Longest duration a scenario may give (366 days): any phase, timeout or wait fits in a
/// `std::time::Duration` with room to spare, even divided by the smallest time scale.
pub const MAX_DURATION_S: f64 = 366.0 * 86_400.0;

/// Smallest `time_scale` (a thousandth: one wall second is 1 ms of scenario time), so that
/// every wall duration derived from a scenario duration stays representable.
pub const MIN_TIME_SCALE: f64 = 0.001;

/// Parse a duration such as `500ms`, `30s`, `5m`, `1.5h` into seconds, at most
/// [`MAX_DURATION_S`].
pub fn parse_duration_s(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let (num, mult) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = t.strip_suffix('h') {
        (n, 3600.0)
    } else {
        return Err(format!(
            "expected a number followed by ms, s, m or h (e.g. `30s`, `5m`), got `{text}`"
        ));
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v * mult <= MAX_DURATION_S => Ok(v * mult),
        Ok(v) if v.is_finite() && v >= 0.0 => Err(format!(
            "expected a duration of at most 8784h (366 days), got `{text}`"
        )),
        _ => Err(format!(
            "expected a non-negative number followed by ms, s, m or h (e.g. `30s`, `5m`), got `{text}`"
        )),
    }
}

/// Parse a rate such as `10/s`, `0.5/s`, `30/m`, `3600/h` into jobs per second.
pub fn parse_rate_per_s(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let bad = || format!("expected a number followed by /s, /m or /h (e.g. `10/s`), got `{text}`");
    let Some((num, unit)) = t.split_once('/') else {
        return Err(bad());
    };
    let div = match unit.trim() {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v / div),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_s("30s"), Ok(30.0));
        assert_eq!(parse_duration_s("5m"), Ok(300.0));
        assert_eq!(parse_duration_s("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration_s("250ms"), Ok(0.25));
        let e = parse_duration_s("soon").unwrap_err();
        assert!(e.contains("got `soon`"), "{e}");
        assert!(parse_duration_s("-3s").is_err());
        assert!(parse_duration_s("30").is_err());
        assert_eq!(parse_duration_s("8784h"), Ok(MAX_DURATION_S));
        let e = parse_duration_s(&format!("{}5m", "9".repeat(90))).unwrap_err();
        assert!(e.contains("at most 8784h (366 days)"), "{e}");
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate_per_s("10/s"), Ok(10.0));
        assert_eq!(parse_rate_per_s("30/m"), Ok(0.5));
        assert_eq!(parse_rate_per_s("0/s"), Ok(0.0));
        let e = parse_rate_per_s("fast").unwrap_err();
        assert_eq!(
            e,
            "expected a number followed by /s, /m or /h (e.g. `10/s`), got `fast`"
        );
        assert!(parse_rate_per_s("10/d").is_err());
        assert!(parse_rate_per_s("-1/s").is_err());
    }
}
