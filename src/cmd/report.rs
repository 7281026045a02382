//! `obsgate report`: work with written reports. `report diff OLD NEW` reads both `report.json`s,
//! compares them (`report::diff`, pure) and prints a table or JSON; exit 1 on any regression.
//! `report merge DIR…` reads a sharded run's partial reports, merges them (`report::merge`,
//! pure) and writes the merged report like a run does.

use crate::cli::{DiffArgs, MergeArgs, OutputFormat, ReportArgs, ReportCommand};
use crate::exit::{AppError, AppResult, Outcome};
use crate::report::diff::{DiffOutcome, DiffValue, ReportDiff, Tolerances, diff};
use crate::report::model::{Report, SCHEMA_VERSION};
use std::path::{Path, PathBuf};

/// Entry point of `obsgate report`.
pub async fn run(args: ReportArgs) -> AppResult {
    match args.command {
        ReportCommand::Diff(d) => run_diff(&d),
        ReportCommand::Merge(m) => run_merge(&m),
    }
}

/// `obsgate report merge`: every problem with the inputs is a usage error (exit 2); the exit
/// code otherwise follows the merged verdict, as for `obsgate run`.
fn run_merge(args: &MergeArgs) -> AppResult {
    let mut parts = Vec::with_capacity(args.dirs.len());
    for d in &args.dirs {
        parts.push(crate::report::merge::Partial {
            from: d.display().to_string(),
            report: read_report(d)?,
        });
    }
    let report = crate::report::merge::merge(parts).map_err(AppError::usage)?;
    let dir = args.report_dir.clone().unwrap_or_else(|| {
        PathBuf::from("reports").join(format!(
            "{}-merged-{}",
            report.scenario,
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    });
    super::publish(&dir, &report, args.output)
}

/// `obsgate report diff`.
fn run_diff(args: &DiffArgs) -> AppResult {
    for (name, v) in [
        ("--latency-tolerance-pct", args.latency_tolerance_pct),
        ("--rate-tolerance-pct", args.rate_tolerance_pct),
        ("--alert-tolerance-s", args.alert_tolerance_s),
        ("--latency-floor-ms", args.latency_floor_ms),
    ] {
        if !v.is_finite() || v < 0.0 {
            return Err(AppError::usage(format!(
                "{name} {v} is not allowed: give a finite number ≥ 0"
            )));
        }
    }
    let old = read_report(&args.old)?;
    let new = read_report(&args.new)?;
    let tol = Tolerances {
        latency_pct: args.latency_tolerance_pct,
        rate_pct: args.rate_tolerance_pct,
        alert_s: args.alert_tolerance_s,
        latency_floor_ms: args.latency_floor_ms,
        budget_pts: args.budget_tolerance_pts,
    };
    let d = diff(&old, &new, &tol).map_err(AppError::usage)?;
    match args.output {
        OutputFormat::Json => {
            let text = serde_json::to_string_pretty(&d)
                .map_err(|e| AppError::harness(format!("cannot serialise the diff: {e}")))?;
            println!("{text}");
        }
        OutputFormat::Human => print!("{}", table(&d)),
    }
    Ok(if d.has_regression() {
        Outcome::Fail
    } else {
        Outcome::Pass
    })
}

/// `DIR/report.json`, or the file itself when given one.
fn report_path(p: &Path) -> PathBuf {
    if p.is_dir() {
        p.join("report.json")
    } else {
        p.to_path_buf()
    }
}

/// Read and parse one report; every problem is a usage error (exit 2) naming the file.
fn read_report(p: &Path) -> Result<Report, AppError> {
    let path = report_path(p);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        AppError::usage(format!(
            "{}: cannot read the report ({e}); give a report folder holding report.json, or the file",
            path.display()
        ))
    })?;
    // Check the version first so a future report says so instead of a missing-field error.
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| {
            AppError::usage(format!(
                "{}:{}:{}: not valid JSON: {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        })?
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(SCHEMA_VERSION)) {
        return Err(AppError::usage(format!(
            "{}: schema_version {} is not supported (this obsgate reads {SCHEMA_VERSION})",
            path.display(),
            version.map_or_else(|| "missing".to_string(), |v| v.to_string())
        )));
    }
    serde_json::from_str(&text).map_err(|e| {
        AppError::usage(format!(
            "{}:{}:{}: not a valid report: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

fn value(v: &DiffValue) -> String {
    match v {
        // Up to three decimals, trailing zeros dropped: 12.8, 130, 0.004.
        DiffValue::Number(x) => {
            let t = format!("{x:.3}");
            let t = t.trim_end_matches('0').trim_end_matches('.');
            if t == "-0" { "0".into() } else { t.into() }
        }
        DiffValue::Text(t) => t.clone(),
    }
}

fn outcome_word(o: DiffOutcome) -> &'static str {
    match o {
        DiffOutcome::Regression => "REGRESSION",
        DiffOutcome::Improvement => "improvement",
        DiffOutcome::WithinTolerance => "ok",
        DiffOutcome::Info => "info",
    }
}

/// The human table: one row per comparison, regressions first, then a summary line.
pub fn table(d: &ReportDiff) -> String {
    let header = ["subject", "metric", "old", "new", "change", "result"];
    let rows: Vec<[String; 6]> = d
        .rows
        .iter()
        .map(|r| {
            [
                r.subject.clone(),
                r.metric.clone(),
                value(&r.old),
                value(&r.new),
                r.change.clone(),
                outcome_word(r.outcome).to_string(),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(width).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w.saturating_sub(c.chars().count())));
            }
        }
        s.push('\n');
        s
    };
    let mut out = format!(
        "report diff: scenario {} (old {}, new {}); tolerances: latency +{}% (and +{} ms), rate -{}%, alerts +{} s\n\n",
        d.scenario,
        d.old_started_at,
        d.new_started_at,
        d.tolerances.latency_pct,
        d.tolerances.latency_floor_ms,
        d.tolerances.rate_pct,
        d.tolerances.alert_s
    );
    out.push_str(&line(&header.map(String::from)));
    for r in &rows {
        out.push_str(&line(r));
    }
    out.push_str(&format!(
        "\n{} regression(s), {} improvement(s); {} check/criterion status(es) unchanged\n",
        d.regressions, d.improvements, d.unchanged_statuses
    ));
    out
}
