//! The alert timeline chart: a row per alert with its state bars and markers.

use super::{Band, RIGHT, W, frame, tick_label};
use crate::evidence::AlertTiming;
use crate::report::html_escape::escape;
use std::fmt::Write as _;

/// Height of one alert's row.
const ROW: f64 = 24.0;
const TOP: f64 = 42.0;
const BOTTOM: f64 = 58.0;
/// Width of the alert-name column, left of the plot.
const NAMES: f64 = 175.0;

/// Colour of a state bar.
fn state_color(state: &str) -> &'static str {
    match state {
        "pending" => "#f0b429",
        "firing" => "#d64545",
        _ => "#9aa5b1",
    }
}

/// The alert timeline: one row per alert over `0..x_max` seconds of the alerts' clock
/// (`x_label` names it), `bands` (phases on the same clock) behind; pending and firing as bars,
/// notifications as triangles, resolution as a bar end with a green tick, inhibition as a grey
/// diamond.
pub fn alert_timeline(alerts: &[AlertTiming], bands: &[Band], x_max: f64, x_label: &str) -> String {
    let h = TOP + ROW * alerts.len().max(1) as f64 + BOTTOM;
    let x_top = if x_max.is_finite() && x_max > 0.0 {
        x_max
    } else {
        1.0
    };
    let mut out = String::new();
    frame(
        &mut out,
        "Alert timeline",
        NAMES,
        h,
        BOTTOM,
        x_top,
        x_label,
        bands,
    );
    let plot_w = W - NAMES - RIGHT;
    let rows = Rows { plot_w, x_top };
    for (i, a) in alerts.iter().enumerate() {
        rows.row(&mut out, i, a);
    }
    if alerts.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#7b8794">no alert state changes</text>"##,
            NAMES + plot_w / 2.0,
            TOP + ROW / 2.0 + 4.0
        );
    }
    legend(&mut out, NAMES);
    out.push_str("</svg>");
    out
}

/// Key of the timeline's marks, top left above the plot.
fn legend(out: &mut String, left: f64) {
    let items = [
        ("pending", state_color("pending")),
        ("firing", state_color("firing")),
    ];
    let mut lx = left;
    for (label, color) in items {
        let _ = write!(
            out,
            r##"<rect x="{lx:.1}" y="5" width="14" height="10" fill="{color}"/><text x="{:.1}" y="14" fill="#1f2933">{label}</text>"##,
            lx + 18.0
        );
        lx += 80.0;
    }
    let _ = write!(
        out,
        r##"<path d="M{0:.1},14 l-5,-8 h10 z" fill="#1f2933"/><text x="{1:.1}" y="14" fill="#1f2933">notification</text><path d="M{2:.1},10 l3,4 l6,-9" fill="none" stroke="#2f8132" stroke-width="2.5"/><text x="{3:.1}" y="14" fill="#1f2933">resolved</text>"##,
        lx + 5.0,
        lx + 16.0,
        lx + 110.0,
        lx + 124.0
    );
}

/// Places the timeline's rows: one per alert, time mapped onto the plot's width.
struct Rows {
    plot_w: f64,
    x_top: f64,
}

impl Rows {
    fn x(&self, v: f64) -> f64 {
        NAMES + v.clamp(0.0, self.x_top) / self.x_top * self.plot_w
    }

    /// Row `i`: the alert's name and grid line, then its state bars and markers.
    fn row(&self, out: &mut String, i: usize, a: &AlertTiming) {
        let x_top = self.x_top;
        let x = |v: f64| self.x(v);
        let y0 = TOP + ROW * i as f64;
        let mid = y0 + ROW / 2.0;
        let _ = write!(
            out,
            r##"<line x1="{NAMES}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#d9e2ec"/><text x="{2:.1}" y="{3:.1}" text-anchor="end" fill="#1f2933" font-size="11">{4}</text>"##,
            y0 + ROW,
            W - RIGHT,
            NAMES - 6.0,
            mid + 4.0,
            escape(&a.alert)
        );
        // Walk the state changes: a bar runs from a pending/firing change to the next change.
        let mut open: Option<(&str, f64)> = None;
        let bar = |out: &mut String, state: &str, from: f64, to: f64| {
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" rx="2"><title>{} {}–{} s</title></rect>"##,
                x(from),
                y0 + 4.0,
                (x(to) - x(from)).max(1.5),
                ROW - 13.0,
                state_color(state),
                escape(state),
                tick_label(from),
                tick_label(to)
            );
        };
        for e in &a.events {
            match e.state.as_str() {
                "pending" | "firing" => {
                    if let Some((s, from)) = open.take() {
                        bar(out, s, from, e.at_s);
                    }
                    open = Some((
                        if e.state == "pending" {
                            "pending"
                        } else {
                            "firing"
                        },
                        e.at_s,
                    ));
                }
                "resolved" => {
                    if let Some((s, from)) = open.take() {
                        bar(out, s, from, e.at_s);
                    }
                    resolved_mark(out, x(e.at_s), mid, e.at_s);
                }
                "notified" => {
                    let who = e.receiver.as_deref().unwrap_or("receiver");
                    let _ = write!(
                        out,
                        r##"<path d="M{0:.1},{1:.1} l-5,-8 h10 z" fill="#1f2933"><title>notified {2} at {3} s</title></path>"##,
                        x(e.at_s),
                        y0 + ROW - 1.0,
                        escape(who),
                        tick_label(e.at_s)
                    );
                }
                other => {
                    let _ = write!(
                        out,
                        r##"<path d="M{0:.1},{1:.1} l5,5 l-5,5 l-5,-5 z" fill="#7b8794"><title>{2} at {3} s</title></path>"##,
                        x(e.at_s),
                        mid - 5.0,
                        escape(other),
                        tick_label(e.at_s)
                    );
                }
            }
        }
        if let Some((s, from)) = open {
            bar(out, s, from, x_top);
        }
    }
}

/// The green tick marking a resolution at pixel `px` of the row centred on `mid`.
fn resolved_mark(out: &mut String, px: f64, mid: f64, at_s: f64) {
    let _ = write!(
        out,
        r##"<path d="M{0:.1},{1:.1} l3,4 l6,-9" fill="none" stroke="#2f8132" stroke-width="2.5"><title>resolved at {2} s</title></path>"##,
        px - 1.0,
        mid - 2.0,
        tick_label(at_s)
    );
}
