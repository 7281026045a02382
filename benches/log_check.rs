//! Log-check throughput (lines/s): the streaming checker over stub-shaped JSON lines with the
//! shipped `expectations/logs.yaml`, fed 20 000 lines for 2 000 jobs, each job's end right
//! after its last line.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use obsgate::check::signals::facts::RunFacts;
use obsgate::check::signals::logs::LogChecker;
use obsgate::evidence::{JobOutcome, JobRecord, LogLine};
use obsgate::expect;

const JOBS: usize = 2_000;
const LINES_PER_JOB: usize = 10;

fn jobs() -> Vec<JobRecord> {
    (0..JOBS)
        .map(|i| JobRecord {
            job_id: Some(format!("job-{i}")),
            correlation_id: format!("corr-{i}"),
            trace_id: format!("{:032x}", 0xabc0_0000_u64 + i as u64),
            client_span_id: format!("{:016x}", 0xc100_0000_u64 + i as u64),
            returned_trace_id: Some(format!("{:032x}", 0xabc0_0000_u64 + i as u64)),
            preset: ["short", "standard", "premium"][i % 3].into(),
            user_id: format!("user-{}", i % 50),
            phase: "steady".into(),
            outcome: if i % 20 == 0 {
                JobOutcome::Failed
            } else {
                JobOutcome::Succeeded
            },
            http_status: Some(202),
            sent_unix_nano: 1_000_000_000 * i as u64,
            end_unix_nano: Some(1_000_000_000 * i as u64 + 5_000_000_000),
        })
        .collect()
}

fn lines(jobs: &[JobRecord]) -> Vec<LogLine> {
    let mut out = Vec::new();
    for (i, j) in jobs.iter().enumerate() {
        let span = format!("{:016x}", 0x5e00_0000_u64 + i as u64);
        for k in 0..LINES_PER_JOB {
            let level = if j.outcome == JobOutcome::Failed && k == LINES_PER_JOB - 1 {
                "ERROR"
            } else {
                "INFO"
            };
            let v = serde_json::json!({
                "timestamp": "2027-01-15T08:00:00.123456Z",
                "level": level,
                "severity": level,
                "message": "stage done",
                "service": "pipeline-stub",
                "correlation_id": j.correlation_id,
                "trace_id": j.trace_id,
                "span_id": span,
                "user_id": j.user_id,
                "job_id": j.job_id,
                "preset": j.preset,
                "stage": "render",
                "logging.googleapis.com/trace": format!("projects/obsgate/traces/{}", j.trace_id),
                "logging.googleapis.com/spanId": span,
            });
            out.push(LogLine {
                line: out.len() as u64 + 1,
                text: v.to_string(),
            });
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations/logs.yaml");
    let exp = match expect::load_logs(&path) {
        Ok(e) => e,
        Err(e) => panic!("{e}"),
    };
    let js = jobs();
    let ls = lines(&js);
    let facts = RunFacts::from_jobs(&js, &[], 0, 3_600_000_000_000, true);
    let mut g = c.benchmark_group("log_check");
    g.throughput(Throughput::Elements(ls.len() as u64));
    g.bench_function("feed_and_finish", |b| {
        b.iter(|| {
            let now = std::time::Instant::now();
            let mut ck = LogChecker::new(&exp, std::time::Duration::from_secs(60));
            for (i, l) in ls.iter().enumerate() {
                ck.feed(l, now);
                // Each job ends after its last line, as the load engine reports it.
                if let Some(j) = js
                    .get(i / LINES_PER_JOB)
                    .filter(|_| (i + 1) % LINES_PER_JOB == 0)
                {
                    ck.job_ended(j.clone(), now);
                }
            }
            ck.finish(&facts)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
