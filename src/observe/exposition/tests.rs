//! Parser tests: the exposition spec's edge cases, each accepted form and each rejected one
//! (with the line and column the error must name).

use super::*;
use crate::evidence::MetricType;

const TEXT: ExpositionFormat = ExpositionFormat::Text004;
const OM: ExpositionFormat = ExpositionFormat::OpenMetrics;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/exposition/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_default()
        .replace("{TS}", "1700000000000")
        .replace("{TS_S}", "1700000000.5")
}

fn err(text: &str, format: ExpositionFormat) -> ExpositionError {
    match parse(text, format) {
        Err(e) => e,
        Ok(x) => panic!("expected an error for {text:?}, parsed {x:?}"),
    }
}

#[test]
fn tricky_text_fixture_parses_with_decoded_labels_and_grouping() {
    let x = parse(&fixture("tricky.prom"), TEXT).unwrap_or_else(|e| panic!("{e}"));
    let reqs = x.family("http_requests_total").expect("family");
    assert_eq!(reqs.mtype, MetricType::Counter);
    assert_eq!(
        reqs.help.as_deref(),
        Some("Requests with \"quotes\", a backslash \\ and a newline \n in help.")
    );
    assert_eq!(reqs.samples.len(), 4);
    assert_eq!(reqs.samples[0].label("path"), Some("/a,b}c=d"));
    assert_eq!(reqs.samples[1].label("path"), Some("C:\\dir\\file"));
    assert_eq!(reqs.samples[2].label("path"), Some("say \"hi\"\nbye"));
    assert_eq!(reqs.samples[3].label("method"), Some("put"));
    let rate = x.family("job:latency_seconds:rate5m").expect("colon name");
    assert!(rate.samples[0].value.is_nan());
    assert_eq!(rate.samples[1].value, f64::INFINITY);
    assert_eq!(rate.samples[2].value, f64::NEG_INFINITY);
    let q = x.family("queue_depth").expect("queue_depth");
    assert_eq!(q.samples[0].timestamp_ms, Some(1_700_000_000_000));
    assert_eq!(q.samples[0].label("queue"), Some("ünïcødé ☃"));
    let h = x.family("pipeline_duration_seconds").expect("histogram");
    assert_eq!(h.mtype, MetricType::Histogram);
    assert_eq!(h.samples.len(), 10);
    let s = x.family("rpc_latency_seconds").expect("summary");
    assert_eq!(s.samples.len(), 4);
    assert_eq!(
        x.family("untyped_thing").map(|f| f.mtype),
        Some(MetricType::Untyped)
    );
}

#[test]
fn tricky_openmetrics_fixture_parses() {
    let x = parse(&fixture("tricky.openmetrics.txt"), OM).unwrap_or_else(|e| panic!("{e}"));
    let c = x
        .family("render_failures")
        .expect("counter family without _total");
    assert_eq!(c.mtype, MetricType::Counter);
    assert_eq!(c.samples.len(), 3);
    assert_eq!(c.samples[1].name, "render_failures_created");
    assert_eq!(c.samples[2].label("reason"), Some("say \"hi\"\n"));
    let h = x.family("pipeline_duration_seconds").expect("histogram");
    assert_eq!(h.unit.as_deref(), Some("seconds"));
    assert_eq!(h.samples.len(), 5);
    assert_eq!(x.family("build").map(|f| f.mtype), Some(MetricType::Info));
    assert_eq!(x.family("queue_size").map(|f| f.samples.len()), Some(4));
    assert_eq!(
        x.family("feature").map(|f| f.mtype),
        Some(MetricType::Stateset)
    );
    let g = x.family("job:cpu:ratio").expect("gauge");
    assert_eq!(g.samples[0].timestamp_ms, Some(1_700_000_000_500));
    assert_eq!(
        x.family("mystery").map(|f| f.mtype),
        Some(MetricType::Unknown)
    );
}

#[test]
fn content_type_selects_the_format() {
    assert_eq!(
        format_from_content_type("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        OM
    );
    assert_eq!(format_from_content_type("text/plain; version=0.0.4"), TEXT);
    assert_eq!(format_from_content_type(""), TEXT);
}

#[test]
fn openmetrics_requires_eof_and_nothing_after_it() {
    assert!(parse("a 1\n# EOF\n", OM).is_ok());
    assert!(parse("a 1\n# EOF", OM).is_ok());
    let e = err("a 1\n", OM);
    assert!(e.message.contains("# EOF"), "{e}");
    let e = err("a 1\n# EOF\nb 2\n", OM);
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.message.contains("after `# EOF`"), "{e}");
    let e = err("a 1\n# EOF\n\n", OM);
    assert_eq!(e.line, 3);
}

#[test]
fn errors_name_line_and_column() {
    let cases: &[(&str, ExpositionFormat, usize, usize, &str)] = &[
        ("ok 1\nbad{a=\"1\" 2\n", TEXT, 2, 11, "expected `,` or `}`"),
        (
            "x{a=\"1\",a=\"2\"} 1\n",
            TEXT,
            1,
            9,
            "duplicate label name `a`",
        ),
        (
            "x{a=\"1\"} 1\nx{a=\"1\"} 2\n",
            TEXT,
            2,
            1,
            "duplicate series",
        ),
        ("x 1\n# TYPE x gauge\n", TEXT, 2, 1, "after its samples"),
        ("x abc\n", TEXT, 1, 3, "invalid sample value `abc`"),
        ("x 1 1.5\n", TEXT, 1, 5, "integer milliseconds"),
        ("x{a=\"\\t\"} 1\n", TEXT, 1, 6, "invalid escape `\\t`"),
        ("x{a=\"1} 1\n", TEXT, 1, 5, "unterminated"),
        ("1x 1\n", TEXT, 1, 1, "expected a metric name"),
        ("x 1\r\n", TEXT, 1, 4, "carriage return"),
        ("# TYPE x nope\n", TEXT, 1, 10, "unknown metric type `nope`"),
        (
            "# TYPE x gauge\n# TYPE x gauge\n",
            TEXT,
            2,
            1,
            "duplicate `# TYPE`",
        ),
        (
            "a 1\nb 1\na{x=\"1\"} 2\n",
            TEXT,
            3,
            1,
            "not grouped together",
        ),
        ("x 1 2 3\n", TEXT, 1, 7, "unexpected text"),
        ("x\n", TEXT, 1, 2, "expected the value"),
        ("x  1\n# EOF\n", OM, 1, 3, "exactly one space"),
        ("x{a=\"1\",} 1\n# EOF\n", OM, 1, 9, "trailing comma"),
        ("# random comment\n# EOF\n", OM, 1, 1, "only `# HELP`"),
        ("\n# EOF\n", OM, 1, 1, "empty line"),
        (
            "# TYPE c counter\nc 1\n# EOF\n",
            OM,
            2,
            1,
            "does not fit counter family `c`",
        ),
        (
            "# TYPE g gauge\ng 1 # {a=\"b\"} 1\n# EOF\n",
            OM,
            2,
            5,
            "exemplars are only allowed",
        ),
        (
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n# EOF\n",
            OM,
            2,
            1,
            "no `le=\"+Inf\"` bucket",
        ),
        (
            "# TYPE h histogram\nh_bucket 1\n",
            TEXT,
            2,
            1,
            "no `le` label",
        ),
        (
            "# TYPE x_bytes gauge\n# UNIT x_bytes seconds\n# EOF\n",
            OM,
            2,
            16,
            "must be the suffix",
        ),
        (
            "# HELP x bad \\t escape\n",
            TEXT,
            1,
            14,
            "invalid escape `\\t`",
        ),
        ("x 1 1e3x\n# EOF\n", OM, 1, 5, "invalid timestamp"),
        // Prometheus refuses leading blanks on a sample line, so obsgate does too.
        ("a 1\n\tb 2\n", TEXT, 2, 1, "leading blank"),
        ("  # TYPE a gauge\n", TEXT, 1, 1, "leading blank"),
    ];
    let mut wrong = Vec::new();
    for (text, format, line, column, needle) in cases {
        let e = err(text, *format);
        if (e.line, e.column) != (*line, *column) || !e.message.contains(needle) {
            wrong.push(format!(
                "{text:?}: got `{e}`, want {line}:{column} `{needle}`"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn timestamps_differ_so_series_are_not_duplicates() {
    let x = parse("x 1 1000\nx 2 2000\n", TEXT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(x.families[0].samples.len(), 2);
}

#[test]
fn parse_all_errors_lists_every_bad_line_and_keeps_the_good_ones() {
    let text = "a 1\nb x\nc 2\nd{ 3\ne 4\n";
    let (x, errors) = parse_all_errors(text, TEXT);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 4]);
    let names: Vec<&str> = x.families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["a", "b", "c", "d", "e"]
            .into_iter()
            .filter(|n| *n != "b" && *n != "d")
            .collect::<Vec<_>>()
    );
}

#[test]
fn parse_all_errors_is_bounded() {
    let text = "x y\n".repeat(MAX_LISTED_ERRORS * 3);
    let (_, errors) = parse_all_errors(&text, TEXT);
    assert_eq!(errors.len(), MAX_LISTED_ERRORS + 1);
    assert!(
        errors
            .last()
            .is_some_and(|e| e.message.contains("stopped listing"))
    );
}

#[test]
fn empty_text_is_an_empty_exposition() {
    assert_eq!(parse("", TEXT).map(|x| x.families.len()), Ok(0));
    assert!(parse("", OM).is_err());
    assert_eq!(parse("# EOF\n", OM).map(|x| x.families.len()), Ok(0));
}

#[test]
fn text_counter_keeps_the_name_as_written() {
    // In 0.0.4 a counter's family name is the sample name, `_total` included.
    let x = parse("# TYPE a_total counter\na_total 1\n", TEXT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(x.families[0].name, "a_total");
    // `_count` does not belong to a counter: it is its own untyped family.
    let x = parse("# TYPE a counter\na 1\na_count 2\n", TEXT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(x.families.len(), 2);
}

/// Every real exposition in the shared corpus parses, or fails with a line number; files named
/// `.openmetrics.txt` are OpenMetrics, the rest text 0.0.4 (the `accept-openmetrics` captures
/// are servers falling back to 0.0.4).
#[test]
fn shared_corpus_parses() {
    // The shared corpus sits beside the repository (or beside its worktree folder).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../shared/corpus/exposition"),
        root.join("../../shared/corpus/exposition"),
    ];
    let Some(entries) = dirs.iter().find_map(|d| std::fs::read_dir(d).ok()) else {
        eprintln!("note: shared corpus absent; corpus test skipped");
        return;
    };
    let mut seen = 0;
    let mut failures = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let format = if name.ends_with(".openmetrics.txt") {
            OM
        } else {
            TEXT
        };
        seen += 1;
        match parse(&text, format) {
            Ok(x) => assert!(!x.families.is_empty(), "{name}: no families"),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(seen >= 9, "only {seen} corpus files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
