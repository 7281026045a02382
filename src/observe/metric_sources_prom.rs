//! A Prometheus server as a metric catalog source: the series names of
//! `/api/v1/label/__name__/values`, the family types of `/api/v1/metadata`, and the label
//! names of the series of the last hour from `/api/v1/series`, in at most [`MAX_SERIES_CALLS`]
//! calls of [`NAMES_PER_CALL`] names within [`SERIES_BUDGET`]; names beyond those bounds keep
//! unknown labels. GET only.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::evidence::{CatalogEntry, CatalogSource, MetricType};

/// Most `/api/v1/series` calls per source.
pub const MAX_SERIES_CALLS: usize = 40;
/// Names asked about per `/api/v1/series` call.
pub const NAMES_PER_CALL: usize = 25;
/// Time all `/api/v1/series` calls of one source may take.
pub const SERIES_BUDGET: Duration = Duration::from_secs(20);

/// GET `url` and return the `data` of its Prometheus API envelope.
async fn get_data(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    let v = super::prom_api::get_json(http, url).await?;
    match v.get("status").and_then(Value::as_str) {
        Some("success") => Ok(v.get("data").cloned().unwrap_or(Value::Null)),
        _ => Err(format!("GET {url}: not a successful Prometheus API answer")),
    }
}

fn api(base: &reqwest::Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}

/// Read the catalog of the Prometheus at `base`.
pub async fn load(base: &reqwest::Url, origin: String) -> Result<CatalogSource, String> {
    let http = crate::util::http_client(Duration::from_secs(10));
    let err = |e: String| format!("{origin}: {e}");
    let names_v = get_data(&http, &api(base, "/api/v1/label/__name__/values"))
        .await
        .map_err(err)?;
    let names: Vec<String> = names_v
        .as_array()
        .ok_or_else(|| err("label values: `data` is not a list".into()))?
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let meta = get_data(&http, &api(base, "/api/v1/metadata"))
        .await
        .map_err(err)?;
    let labels = series_labels(&http, base, &names).await.map_err(err)?;
    let mut entries: Vec<CatalogEntry> = names
        .into_iter()
        .map(|name| CatalogEntry::Series {
            labels: labels.get(&name).cloned(),
            name,
        })
        .collect();
    entries.extend(metadata_families(&meta));
    Ok(CatalogSource {
        origin,
        scraped: false,
        entries,
    })
}

/// The families of a `/api/v1/metadata` answer, by type (labels unknown).
pub fn metadata_families(meta: &Value) -> Vec<CatalogEntry> {
    let Some(map) = meta.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, items)| CatalogEntry::Family {
            name: name.clone(),
            mtype: items
                .as_array()
                .and_then(|a| a.first())
                .and_then(|i| i.get("type"))
                .and_then(Value::as_str)
                .and_then(metric_type),
            labels: None,
        })
        .collect()
}

fn metric_type(t: &str) -> Option<MetricType> {
    Some(match t {
        "counter" => MetricType::Counter,
        "gauge" => MetricType::Gauge,
        "histogram" => MetricType::Histogram,
        "gaugehistogram" => MetricType::Gaugehistogram,
        "summary" => MetricType::Summary,
        "info" => MetricType::Info,
        "stateset" => MetricType::Stateset,
        _ => return None,
    })
}

/// Name → label names of its series of the last hour, for as many names as the bounds allow.
async fn series_labels(
    http: &reqwest::Client,
    base: &reqwest::Url,
    names: &[String],
) -> Result<BTreeMap<String, BTreeSet<String>>, String> {
    let start = chrono::Utc::now().timestamp() - 3600;
    let deadline = Instant::now() + SERIES_BUDGET;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for batch in names.chunks(NAMES_PER_CALL).take(MAX_SERIES_CALLS) {
        if Instant::now() >= deadline {
            break;
        }
        let mut params: Vec<(&str, String)> = batch
            .iter()
            .map(|n| ("match[]", format!("{{__name__=\"{n}\"}}")))
            .collect();
        params.push(("start", start.to_string()));
        let url = reqwest::Url::parse_with_params(&api(base, "/api/v1/series"), &params)
            .map_err(|e| format!("series URL: {e}"))?;
        let data = get_data(http, url.as_str()).await?;
        add_series(&mut out, &data);
    }
    Ok(out)
}

/// Fold a `/api/v1/series` answer (a list of label maps) into name → label names.
pub fn add_series(out: &mut BTreeMap<String, BTreeSet<String>>, data: &Value) {
    for s in data.as_array().into_iter().flatten() {
        let Some(map) = s.as_object() else { continue };
        let Some(name) = map.get("__name__").and_then(Value::as_str) else {
            continue;
        };
        out.entry(name.to_string())
            .or_default()
            .extend(map.keys().filter(|k| *k != "__name__").cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_and_metadata_answers() {
        let mut out = BTreeMap::new();
        let data = serde_json::json!([
            {"__name__": "up", "job": "a", "instance": "x"},
            {"__name__": "up", "job": "b", "instance": "y", "env": "prod"},
            {"job": "no name"}
        ]);
        add_series(&mut out, &data);
        let want: BTreeSet<String> = ["env", "instance", "job"].map(String::from).into();
        assert_eq!(out.get("up"), Some(&want));
        let meta =
            serde_json::json!({"h": [{"type": "histogram", "help": ""}], "q": [{"type": "x"}]});
        let fams = metadata_families(&meta);
        assert_eq!(
            fams[0],
            CatalogEntry::Family {
                name: "h".into(),
                mtype: Some(MetricType::Histogram),
                labels: None
            }
        );
        assert!(matches!(&fams[1], CatalogEntry::Family { mtype: None, .. }));
    }
}
