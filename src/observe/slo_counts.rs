//! The events each SLO counted in each phase, asked of Prometheus once the load is over:
//! `sum(increase(<selector>[<phase>]))` at the phase's end, for its good and its total
//! selector. The phases are on the wall clock, which is the one Prometheus stores samples on.

use serde_json::Value;

use super::prom_api::PromClient;
use crate::evidence::{PhaseWindow, SloPhaseCounts};
use crate::slo::SloSet;

/// The first sample value of an instant vector answer; 0 when the vector is empty (nothing
/// was counted).
fn first_value(data: &Value) -> Result<f64, String> {
    let result = data
        .get("result")
        .and_then(Value::as_array)
        .ok_or("no result")?;
    let Some(first) = result.first() else {
        return Ok(0.0);
    };
    first
        .get("value")
        .and_then(|v| v.get(1))
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| format!("not a sample: {first}"))
}

async fn increase(prom: &PromClient, sel: &str, p: &PhaseWindow) -> Result<f64, String> {
    let ms = (p.end_unix_ms - p.start_unix_ms).max(1);
    let q = format!("sum(increase({sel}[{ms}ms]))");
    let data = prom
        .query_at(&q, Some(p.end_unix_ms as f64 / 1000.0))
        .await?;
    first_value(&data).map_err(|e| format!("query `{q}`: {e}"))
}

/// Good and total events of every SLO of `set` in every phase.
pub async fn phase_counts(
    prom_url: &str,
    set: &SloSet,
    phases: &[PhaseWindow],
) -> Result<Vec<SloPhaseCounts>, String> {
    let prom = PromClient::new(prom_url);
    let mut out = Vec::new();
    for p in phases {
        for slo in &set.slos {
            out.push(SloPhaseCounts {
                slo: slo.name.clone(),
                phase: p.name.clone(),
                good: increase(&prom, &slo.good, p).await?,
                total: increase(&prom, &slo.total, p).await?,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::first_value;

    #[test]
    fn reads_the_first_sample_and_zero_for_nothing() {
        let v: serde_json::Value = serde_json::from_str(
            r#"{"resultType":"vector","result":[{"metric":{},"value":[1,"42.5"]}]}"#,
        )
        .expect("json");
        assert_eq!(first_value(&v), Ok(42.5));
        let empty: serde_json::Value =
            serde_json::from_str(r#"{"resultType":"vector","result":[]}"#).expect("json");
        assert_eq!(first_value(&empty), Ok(0.0));
        assert!(first_value(&serde_json::json!({})).is_err());
    }
}
