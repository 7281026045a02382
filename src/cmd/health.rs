//! `obsgate health`: probe each given component, print a table (or JSON), exit 0 when every
//! probe passes, 1 when one does not, 2 when no component was given.

use crate::check::signals::health;
use crate::cli::{HealthArgs, OutputFormat};
use crate::exit::{AppError, AppResult, Outcome};
use crate::observe::health as probe;
use crate::verdict::{Check, Status};

/// Entry point of `obsgate health`.
pub async fn run(args: HealthArgs) -> AppResult {
    let mut checks: Vec<(&str, Vec<Check>)> = Vec::new();
    if let Some(u) = &args.prometheus_url {
        checks.push((
            "prometheus",
            health::prometheus(&probe::probe_prometheus(u).await),
        ));
    }
    if let Some(u) = &args.alertmanager_url {
        checks.push((
            "alertmanager",
            health::alertmanager(&probe::probe_alertmanager(u).await),
        ));
    }
    if let Some(u) = &args.grafana_url {
        checks.push(("grafana", health::grafana(&probe::probe_grafana(u).await)));
    }
    if let Some(u) = &args.jaeger_url {
        checks.push(("jaeger", health::jaeger(&probe::probe_jaeger(u).await)));
    }
    if let Some(u) = &args.target {
        checks.push(("target", health::target(&probe::probe_target(u).await)));
    }
    if checks.is_empty() {
        return Err(AppError::usage(
            "no component given: pass at least one of --prometheus-url, --alertmanager-url, --grafana-url, --jaeger-url, --target",
        ));
    }
    let all_ok = checks
        .iter()
        .flat_map(|(_, c)| c)
        .all(|c| c.status == Status::Pass);
    match args.output {
        OutputFormat::Json => {
            let flat: Vec<&Check> = checks.iter().flat_map(|(_, c)| c).collect();
            let v = serde_json::json!({"healthy": all_ok, "checks": flat});
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        OutputFormat::Human => print!("{}", table(&checks)),
    }
    Ok(if all_ok { Outcome::Pass } else { Outcome::Fail })
}

fn table(checks: &[(&str, Vec<Check>)]) -> String {
    let rows: Vec<(String, String, String, String)> = checks
        .iter()
        .flat_map(|(comp, cs)| {
            cs.iter().map(move |c| {
                let st = match c.status {
                    Status::Pass => "ok",
                    Status::Fail => "FAIL",
                    Status::Skip => "skip",
                    Status::Warn => "warn",
                    Status::Error => "ERROR",
                };
                let name = c.id.rsplit('.').next().unwrap_or(&c.id).to_string();
                (comp.to_string(), name, st.to_string(), c.message.clone())
            })
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(9);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(5);
    let mut out = format!(
        "{:<w0$}  {:<w1$}  {:<6}  detail\n",
        "component", "check", "status"
    );
    for (a, b, c, d) in &rows {
        out.push_str(&format!("{a:<w0$}  {b:<w1$}  {c:<6}  {d}\n"));
    }
    for (_, cs) in checks {
        for c in cs.iter().filter(|c| c.status != Status::Pass) {
            for e in &c.evidence {
                out.push_str(&format!("  {}: {e}\n", c.id));
            }
        }
    }
    out
}
