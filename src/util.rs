//! Small helpers shared by several modules (no domain logic here).

use std::net::{IpAddr, SocketAddr};

/// True when every address `host` can mean is a loopback address (`127.0.0.0/8`, `::1`,
/// `localhost`). Load only ever goes to loopback unless the user says otherwise.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    h.parse::<IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// True when the socket address is a loopback one.
pub fn is_loopback_addr(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, then a rename, so a
/// reader never sees half a file (reports are read by CI while other runs go on).
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or_else(|| std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.flush()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The candidate nearest to `wanted` by edit distance, when it is close enough to be a likely
/// typo ("did you mean ...?"). Used by every check that reports a missing name.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(wanted, c);
        if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// An HTTP client with a whole-request timeout, for the API clients and probes. Building one
/// only fails when the TLS backend cannot start; the default client is then the best fallback.
pub fn http_client(timeout: std::time::Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .unwrap_or_default()
}

/// Wall-clock time now, in nanoseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_nanos_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("127.8.0.1"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("localhost"));
        assert!(!is_loopback_host("10.0.0.1"));
        assert!(!is_loopback_host("example.com"));
    }

    #[test]
    fn nearest_finds_typo() {
        let names = ["render_failures_total", "pipeline_active_jobs"];
        assert_eq!(
            nearest("render_failure_total", names),
            Some("render_failures_total")
        );
        assert_eq!(nearest("zzz", names), None);
    }
}
