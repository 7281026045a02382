//! Exposition parse throughput (bytes/s): obsgate's strict parser side by side with
//! `prometheus-parse` on the same inputs (the shared corpus when present, else the fixtures).
//! prometheus-parse takes an iterator of owned lines, so splitting into `String`s is part of
//! its measured cost, as it is for any caller.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obsgate::evidence::ExpositionFormat;
use obsgate::observe::exposition::parse;

fn inputs() -> Vec<(String, String, ExpositionFormat)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The shared corpus sits beside the repository (or beside its worktree folder).
    let dirs = [
        root.join("../shared/corpus/exposition"),
        root.join("../../shared/corpus/exposition"),
        root.join("tests/fixtures/exposition"),
    ];
    let mut out = Vec::new();
    let Some(dir) = dirs.iter().find(|d| d.is_dir()) else {
        return out;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        // The `accept-openmetrics` captures are 0.0.4 fallbacks with the same content: skip them.
        if name.contains("accept-openmetrics") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let text = text
            .replace("{TS}", "1700000000000")
            .replace("{TS_S}", "1700000000.5");
        let format = if name.ends_with(".openmetrics.txt") {
            ExpositionFormat::OpenMetrics
        } else {
            ExpositionFormat::Text004
        };
        if parse(&text, format).is_ok() {
            out.push((name, text, format));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    for (name, text, format) in &inputs {
        let mut g = c.benchmark_group(format!("exposition/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("obsgate", |b| b.iter(|| parse(black_box(text), *format)));
        g.bench_function("prometheus-parse", |b| {
            b.iter(|| {
                let lines = black_box(text).lines().map(|l| Ok(l.to_string()));
                prometheus_parse::Scrape::parse(lines)
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
