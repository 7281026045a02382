//! Unit tests of the SVG charts: ticks, scaling, bands, empty data, the alert timeline.

use super::*;
use crate::evidence::{AlertEvent, AlertTiming};

fn ev(state: &str, at_s: f64) -> AlertEvent {
    AlertEvent {
        state: state.into(),
        at_s,
        receiver: Some("slack:#<critical>".into()),
    }
}

#[test]
fn ticks_are_round_and_cover_the_maximum() {
    let (t, top) = nice_ticks(0.63, 5);
    assert_eq!((t.len(), top), (5, 0.8));
    let (t, top) = nice_ticks(10_200.0, 8);
    assert_eq!((t[1], top), (2000.0, 12_000.0));
    let (t, top) = nice_ticks(f64::NAN, 5);
    assert_eq!((t.first().copied(), top), (Some(0.0), 1.0));
    assert_eq!(tick_label(0.30000000000000004), "0.3");
    assert_eq!(tick_label(2000.0), "2000");
    assert_eq!(tick_label(-0.0001), "0");
}

fn chart(points: Vec<(f64, f64)>) -> LineChart {
    LineChart {
        title: "Rate <b>".into(),
        x_label: "scenario time (s)".into(),
        y_label: "jobs / s".into(),
        series: vec![Series {
            name: "achieved".into(),
            color: "#1f6fb2",
            dashed: false,
            points,
        }],
        bands: vec![
            Band {
                start: 0.0,
                end: 50.0,
                label: "warm & up".into(),
            },
            Band {
                start: 50.0,
                end: 100.0,
                label: "storm".into(),
            },
        ],
    }
}

#[test]
fn line_chart_scales_points_into_the_plot_and_labels_bands() {
    let svg = line_chart(&chart(vec![(0.0, 0.0), (100.0, 10.0), (f64::NAN, 3.0)]));
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    // x: 0 → left edge (70), 100 → right edge (880); y: 0 → bottom (242), 10 → within the plot.
    let d = svg
        .split("<path d=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default();
    assert!(d.starts_with("M70.0,242.0 L880.0,"), "{d}");
    assert_eq!(d.matches(" L").count(), 1, "the NaN point is skipped: {d}");
    assert!(svg.contains(">warm &amp; up</text>"));
    assert!(svg.contains("Rate &lt;b&gt;"));
    assert!(svg.contains(">scenario time (s)</text>") && svg.contains(">jobs / s</text>"));
    assert!(!svg.contains("no data"));
}

#[test]
fn empty_chart_says_no_data() {
    let svg = line_chart(&chart(vec![]));
    assert!(svg.contains(">no data</text>"));
}

#[test]
fn alert_timeline_draws_bars_markers_and_open_states() {
    let alerts = vec![
        AlertTiming {
            alert: "RenderFailures".into(),
            fired: true,
            events: vec![
                ev("pending", 10.0),
                ev("firing", 40.0),
                ev("notified", 45.0),
                ev("resolved", 80.0),
            ],
            ..AlertTiming::default()
        },
        AlertTiming {
            alert: "SLABreach".into(),
            fired: false,
            events: vec![ev("pending", 60.0), ev("inhibited", 70.0)],
            ..AlertTiming::default()
        },
    ];
    let bands = vec![Band {
        start: 0.0,
        end: 100.0,
        label: "storm".into(),
    }];
    let svg = alert_timeline(&alerts, &bands, 100.0, "scenario time since run start (s)");
    assert!(svg.contains(">scenario time since run start (s)</text>"));
    assert!(svg.contains(">RenderFailures</text>") && svg.contains(">SLABreach</text>"));
    assert!(svg.contains("<title>pending 10–40 s</title>"));
    assert!(svg.contains("<title>firing 40–80 s</title>"));
    assert!(svg.contains("<title>resolved at 80 s</title>"));
    assert!(svg.contains("<title>notified slack:#&lt;critical&gt; at 45 s</title>"));
    // A pending state never closed runs to the end of the run.
    assert!(svg.contains("<title>pending 60–100 s</title>"));
    assert!(svg.contains("<title>inhibited at 70 s</title>"));
    let empty = alert_timeline(&[], &bands, 100.0, "wall time since run start (s)");
    assert!(empty.contains("no alert state changes"));
}
