//! Prometheus-style durations (`1h30m`, `5m`, `30s`, `0s`, `250ms`) as seconds. Used to read
//! `for`, `scrape_interval`, `evaluation_interval` and `group_wait` out of the stack's configs.

/// Seconds in a Prometheus duration string, or an error naming the bad value and the allowed units.
pub fn parse_prom_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    if t == "0" {
        return Ok(0.0);
    }
    if t.is_empty() {
        return Err("empty duration (allowed: e.g. 30s, 5m, 1h30m, 250ms)".to_string());
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!(
                "bad duration `{s}`: expected a number at `{rest}` (allowed units: ms, s, m, h, d, w, y)"
            ));
        }
        let (num, after) = rest.split_at(digits);
        let n: f64 = num
            .parse::<u64>()
            .map_err(|e| format!("bad duration `{s}`: {e}"))? as f64;
        let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, next) = after.split_at(unit_len);
        let mult = match unit {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            "y" => 31_536_000.0,
            other => {
                return Err(format!(
                    "bad duration `{s}`: unknown unit `{other}` (allowed: ms, s, m, h, d, w, y)"
                ));
            }
        };
        total += n * mult;
        rest = next;
    }
    Ok(total)
}

/// Format seconds the way Prometheus prints them (`90s` → `1m30s`), for messages and overlays.
pub fn format_prom_duration(secs: f64) -> String {
    let ms_total = (secs * 1000.0).round().max(0.0) as u64;
    if ms_total == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = ms_total;
    for (unit, len) in [("h", 3_600_000u64), ("m", 60_000), ("s", 1000), ("ms", 1)] {
        let n = rest / len;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_compound_and_rejects_bad_units() {
        assert_eq!(parse_prom_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_prom_duration("250ms"), Ok(0.25));
        assert_eq!(parse_prom_duration("0s"), Ok(0.0));
        let e = parse_prom_duration("5 minutes").unwrap_err();
        assert!(e.contains("5 minutes"), "{e}");
        assert!(parse_prom_duration("m5").is_err());
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_prom_duration(90.0), "1m30s");
        assert_eq!(format_prom_duration(0.25), "250ms");
        assert_eq!(
            parse_prom_duration(&format_prom_duration(3723.0)),
            Ok(3723.0)
        );
    }
}
