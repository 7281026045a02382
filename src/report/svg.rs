//! Hand-written inline SVG for the HTML report: a line chart with phase bands and labelled
//! axes, and the alert timeline (pending/firing bars, notification and resolution markers).
//! Output is a self-contained `<svg>` element (no external references); every text is escaped.

use crate::report::html_escape::escape;
use std::fmt::Write as _;

mod timeline;

pub use timeline::alert_timeline;

/// A shaded, labelled interval on the x axis (a load phase).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Start, in x units.
    pub start: f64,
    /// End, in x units.
    pub end: f64,
    /// Label drawn at the top of the band.
    pub label: String,
}

/// One line of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Stroke colour (`#rrggbb`).
    pub color: &'static str,
    /// Dashed line (targets), solid otherwise.
    pub dashed: bool,
    /// (x, y) points; non-finite ones are skipped.
    pub points: Vec<(f64, f64)>,
}

/// A line chart over the run.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title, also the SVG's accessible name.
    pub title: String,
    /// X axis label with unit, e.g. `scenario time (s)`.
    pub x_label: String,
    /// Y axis label with unit, e.g. `jobs / scenario s`.
    pub y_label: String,
    /// Lines, drawn in order.
    pub series: Vec<Series>,
    /// Phase bands.
    pub bands: Vec<Band>,
}

const W: f64 = 900.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const BAND_FILLS: [&str; 2] = ["#eef2f7", "#f8f9fb"];

/// Round-number ticks covering `0..=max` (about `n` of them), and the axis maximum.
pub fn nice_ticks(max: f64, n: usize) -> (Vec<f64>, f64) {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let top = (max / step).ceil() * step;
    let count = (top / step).round() as usize;
    ((0..=count).map(|i| i as f64 * step).collect(), top)
}

/// A tick label: no trailing zeros, at most two decimals.
pub fn tick_label(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Open an `<svg>` of height `h` with a title, plus the x axis ticks and grid over `bands`.
/// `left` is the plot's left edge (room for y labels or alert names).
#[allow(clippy::too_many_arguments)]
fn frame(
    out: &mut String,
    title: &str,
    left: f64,
    h: f64,
    bottom: f64,
    x_max: f64,
    x_label: &str,
    bands: &[Band],
) {
    let _ = write!(
        out,
        r##"<svg class="chart" viewBox="0 0 {W} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12"><title>{t}</title>"##,
        t = escape(title)
    );
    let plot_w = W - left - RIGHT;
    let x = |v: f64| left + v / x_max * plot_w;
    for (i, b) in bands.iter().enumerate() {
        let (x0, x1) = (x(b.start.max(0.0)), x(b.end.min(x_max)));
        if x1 <= x0 {
            continue;
        }
        let _ = write!(
            out,
            r##"<rect x="{x0:.1}" y="22" width="{:.1}" height="{:.1}" fill="{}"/><line x1="{x0:.1}" y1="22" x2="{x0:.1}" y2="{:.1}" stroke="#9aa5b1" stroke-dasharray="3,3"/><text x="{:.1}" y="34" text-anchor="middle" fill="#52606d" font-size="11">{}</text>"##,
            x1 - x0,
            h - bottom - 22.0,
            BAND_FILLS[i % 2],
            h - bottom,
            (x0 + x1) / 2.0,
            escape(&b.label)
        );
    }
    let (ticks, _) = nice_ticks(x_max, 8);
    for t in ticks.iter().filter(|t| **t <= x_max + 1e-9) {
        let _ = write!(
            out,
            r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#52606d"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle" fill="#323f4b">{4}</text>"##,
            x(*t),
            h - bottom,
            h - bottom + 5.0,
            h - bottom + 18.0,
            tick_label(*t)
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#52606d"/><text x="{2:.1}" y="{3:.1}" text-anchor="middle" fill="#323f4b">{4}</text>"##,
        h - bottom,
        W - RIGHT,
        left + plot_w / 2.0,
        h - 6.0,
        escape(x_label)
    );
}

/// Render a line chart. Charts with no finite point say so instead of drawing empty axes.
pub fn line_chart(c: &LineChart) -> String {
    const H: f64 = 300.0;
    const BOTTOM: f64 = 58.0;
    const TOP: f64 = 42.0;
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let pts = || c.series.iter().flat_map(|s| s.points.iter().filter(finite));
    let x_max = pts()
        .map(|p| p.0)
        .chain(c.bands.iter().map(|b| b.end))
        .fold(0.0, f64::max);
    let y_data = pts().map(|p| p.1).fold(0.0, f64::max);
    let (y_ticks, y_top) = nice_ticks(y_data * 1.05, 5);
    let x_top = if x_max > 0.0 { x_max } else { 1.0 };
    let mut out = String::new();
    frame(
        &mut out, &c.title, LEFT, H, BOTTOM, x_top, &c.x_label, &c.bands,
    );
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - BOTTOM - TOP;
    let x = |v: f64| LEFT + v / x_top * plot_w;
    let y = |v: f64| H - BOTTOM - v / y_top * plot_h;
    for t in &y_ticks {
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#d9e2ec"/><text x="{2:.1}" y="{3:.1}" text-anchor="end" fill="#323f4b">{4}</text>"##,
            y(*t),
            W - RIGHT,
            LEFT - 6.0,
            y(*t) + 4.0,
            tick_label(*t)
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{0:.1}" stroke="#52606d"/><text transform="translate(16 {1:.1}) rotate(-90)" text-anchor="middle" fill="#323f4b">{2}</text>"##,
        H - BOTTOM,
        TOP + plot_h / 2.0,
        escape(&c.y_label)
    );
    if pts().next().is_none() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#7b8794">no data</text>"##,
            LEFT + plot_w / 2.0,
            TOP + plot_h / 2.0
        );
    }
    draw_series(&mut out, c, x, y);
    let _ = write!(
        out,
        r##"<text x="{LEFT}" y="14" font-weight="bold" fill="#1f2933">{}</text></svg>"##,
        escape(&c.title)
    );
    out
}

/// Each series as a path (finite points only), with its legend entry top right.
fn draw_series(out: &mut String, c: &LineChart, x: impl Fn(f64) -> f64, y: impl Fn(f64) -> f64) {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    for (i, s) in c.series.iter().enumerate() {
        let mut d = String::new();
        for (k, p) in s.points.iter().filter(finite).enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if k == 0 { "M" } else { " L" },
                x(p.0),
                y(p.1)
            );
        }
        let dash = if s.dashed {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r##"<path d="{d}" fill="none" stroke="{}" stroke-width="2"{dash}/>"##,
            s.color
        );
        // Legend, top right, one entry per series.
        let lx = W - RIGHT - 170.0 * (c.series.len() - i) as f64;
        let _ = write!(
            out,
            r##"<line x1="{lx:.1}" y1="10" x2="{:.1}" y2="10" stroke="{}" stroke-width="3"{dash}/><text x="{:.1}" y="14" fill="#1f2933">{}</text>"##,
            lx + 22.0,
            s.color,
            lx + 28.0,
            escape(&s.name)
        );
    }
}

#[cfg(test)]
#[path = "svg_tests.rs"]
mod tests;
