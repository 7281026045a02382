//! The metric catalog sources of `obsgate check`: `--known-metric` values and `--metrics-from`
//! sources, read into [`CatalogSource`]s. I/O only; every problem is an error string naming
//! the source (the caller makes it a usage error).
//!
//! A `--metrics-from` source is
//! - a URL whose path ends in `/metrics` or `/federate`: an exposition, fetched with GET;
//! - any other URL: a Prometheus server ([`super::metric_sources_prom`]);
//! - a file: a list of names (one per line, `#` comments) when every other line is one metric
//!   name, else an exposition (OpenMetrics when it ends with `# EOF`, text 0.0.4 otherwise).
//!
//! URLs must be loopback unless `allow_remote`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use crate::evidence::{CatalogEntry, CatalogSource, Exposition, ExpositionFormat, MetricType};

/// Whether `name` follows the Prometheus metric name grammar `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub fn valid_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The names of `--known-metric` values: each a comma list, or `@file` (a names file).
pub fn known_metric_names(values: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for v in values {
        if let Some(path) = v.strip_prefix('@') {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--known-metric @{path}: cannot read: {e}"))?;
            let names = names_file(&text)
                .map_err(|(line, bad)| format!("--known-metric @{path}:{line}: {bad}"))?;
            out.extend(names);
            continue;
        }
        for n in v.split(',').map(str::trim) {
            if !valid_metric_name(n) {
                return Err(format!(
                    "--known-metric `{n}` (in `{v}`) is not a metric name \
                     ([a-zA-Z_:][a-zA-Z0-9_:]*)"
                ));
            }
            out.push(n.to_string());
        }
    }
    Ok(out)
}

/// The names of a names file, or the first bad line (1-based) and what is wrong with it.
fn names_file(text: &str) -> Result<Vec<String>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.split('#').next().unwrap_or("").trim();
        if t.is_empty() {
            continue;
        }
        if !valid_metric_name(t) {
            return Err((
                i + 1,
                format!("`{t}` is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"),
            ));
        }
        out.push(t.to_string());
    }
    Ok(out)
}

/// Whether a file reads as a names file: no `# TYPE`/`# HELP` lines, every other line one name.
fn looks_like_names(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty()
            || (t.starts_with('#') && !t.starts_with("# TYPE") && !t.starts_with("# HELP"))
            || valid_metric_name(t.split('#').next().unwrap_or("").trim())
    })
}

/// Read every `--metrics-from` source, in order; the first failing one is the error.
pub async fn load_sources(
    specs: &[String],
    allow_remote: bool,
) -> Result<Vec<CatalogSource>, String> {
    let mut out = Vec::new();
    for spec in specs {
        out.push(load_one(spec, allow_remote).await?);
    }
    Ok(out)
}

async fn load_one(spec: &str, allow_remote: bool) -> Result<CatalogSource, String> {
    let origin = format!("--metrics-from {spec}");
    if !(spec.starts_with("http://") || spec.starts_with("https://")) {
        return load_file(Path::new(spec), origin);
    }
    let url = reqwest::Url::parse(spec).map_err(|e| format!("{origin}: not a URL: {e}"))?;
    let host = url.host_str().unwrap_or("");
    if !allow_remote && !crate::util::is_loopback_host(host) {
        return Err(format!(
            "{origin}: host `{host}` is not loopback (pass --allow-remote to read it)"
        ));
    }
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/metrics") || path.ends_with("/federate") {
        let (text, format) = fetch_exposition(&url)
            .await
            .map_err(|e| format!("{origin}: {e}"))?;
        let exp = crate::observe::exposition::parse(&text, format)
            .map_err(|e| format!("{origin}: not a valid exposition: {e}"))?;
        return Ok(from_exposition(origin, &exp));
    }
    super::metric_sources_prom::load(&url, origin).await
}

fn load_file(path: &Path, origin: String) -> Result<CatalogSource, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{origin}: cannot read: {e}"))?;
    if looks_like_names(&text) {
        let names = names_file(&text).map_err(|(l, m)| format!("{origin}:{l}: {m}"))?;
        return Ok(CatalogSource {
            origin,
            scraped: true,
            entries: names
                .into_iter()
                .map(|name| CatalogEntry::Family {
                    name,
                    mtype: None,
                    labels: None,
                })
                .collect(),
        });
    }
    let om = text.trim_end().lines().last().map(str::trim) == Some("# EOF");
    let format = if om {
        ExpositionFormat::OpenMetrics
    } else {
        ExpositionFormat::Text004
    };
    let exp = crate::observe::exposition::parse(&text, format)
        .map_err(|e| format!("{origin}: not a names file nor a valid exposition: {e}"))?;
    Ok(from_exposition(origin, &exp))
}

async fn fetch_exposition(url: &reqwest::Url) -> Result<(String, ExpositionFormat), String> {
    let http = crate::util::http_client(Duration::from_secs(10));
    let resp = http
        .get(url.clone())
        .header(
            "Accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        )
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = resp.text().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !status.is_success() {
        return Err(format!("GET {url}: HTTP {status}"));
    }
    Ok((
        text,
        crate::observe::exposition::format_from_content_type(&ct),
    ))
}

/// Every sample name of an exposition with the label names its samples carry; a family
/// without samples is known by its type.
pub fn from_exposition(origin: String, exp: &Exposition) -> CatalogSource {
    let mut series: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut entries = Vec::new();
    for f in &exp.families {
        if f.samples.is_empty() {
            let om_counter =
                exp.format == ExpositionFormat::OpenMetrics && f.mtype == MetricType::Counter;
            entries.push(CatalogEntry::Family {
                name: if om_counter {
                    format!("{}_total", f.name)
                } else {
                    f.name.clone()
                },
                mtype: Some(f.mtype),
                labels: None,
            });
        }
        for s in &f.samples {
            series
                .entry(s.name.clone())
                .or_default()
                .extend(s.labels.iter().map(|(k, _)| k.clone()));
        }
    }
    entries.extend(
        series
            .into_iter()
            .map(|(name, labels)| CatalogEntry::Series {
                name,
                labels: Some(labels),
            }),
    );
    CatalogSource {
        origin,
        scraped: true,
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lists_files_and_expositions() {
        assert!(valid_metric_name("a:b_c1") && !valid_metric_name("1a") && !valid_metric_name(""));
        let dir = tempfile::tempdir().expect("temp dir");
        let names = dir.path().join("names.txt");
        std::fs::write(&names, "# comment\nnode_load1\n\nup # trailing\n").expect("write");
        let at = format!("@{}", names.display());
        assert_eq!(
            known_metric_names(&["a, b".into(), at.clone()]).expect("valid"),
            ["a", "b", "node_load1", "up"]
        );
        let e = known_metric_names(&["a,b-c".into()]).unwrap_err();
        assert!(e.contains("`b-c`"), "{e}");
        let src = load_file(&names, "n".into()).expect("names file");
        assert_eq!(src.entries.len(), 2);
        let expo = dir.path().join("x.prom");
        std::fs::write(
            &expo,
            "# TYPE h histogram\nh_bucket{le=\"1\",a=\"x\"} 1\nh_bucket{le=\"+Inf\",a=\"x\"} 1\nh_sum{a=\"x\"} 1\nh_count{a=\"x\"} 1\n",
        )
        .expect("write");
        let src = load_file(&expo, "e".into()).expect("exposition");
        let bucket = src
            .entries
            .iter()
            .find(|e| e.name() == "h_bucket")
            .expect("bucket");
        assert_eq!(
            bucket,
            &CatalogEntry::Series {
                name: "h_bucket".into(),
                labels: Some(["a", "le"].map(String::from).into())
            }
        );
        std::fs::write(&expo, "h_bucket{le=\"1\" 1\n").expect("write");
        let e = load_file(&expo, "bad".into()).unwrap_err();
        assert!(e.starts_with("bad: ") && e.contains("line 1"), "{e}");
    }
}
