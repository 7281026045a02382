//! What a reader sees in a screenshot of the notification cards: the PNG decoded to pixels,
//! the coloured bars of the Slack cards found as vertical runs of one exact colour, and the
//! judgement [`check_cards`] that the test in `report.rs` asserts on (and shows failing).

use obsgate::report::html_notifications::{BAR_WIDTH_PX, FIRING_BAR, RESOLVED_BAR};
use std::path::Path;

/// A decoded screenshot, RGB.
pub struct Shot {
    pub width: u32,
    pub height: u32,
    rgb: Vec<[u8; 3]>,
}

impl Shot {
    /// Decode a PNG file (any colour type, normalised to 8-bit RGB).
    pub fn read(path: &Path) -> Result<Shot, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|e| format!("png: {e}"))?;
        let mut buf = vec![0; reader.output_buffer_size().ok_or("png: no buffer size")?];
        let info = reader
            .next_frame(&mut buf)
            .map_err(|e| format!("png: {e}"))?;
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks_exact(channels)
            .map(|p| match channels {
                1 | 2 => [p[0], p[0], p[0]],
                _ => [p[0], p[1], p[2]],
            })
            .collect();
        Ok(Shot {
            width: info.width,
            height: info.height,
            rgb,
        })
    }

    fn at(&self, x: u32, y: u32) -> [u8; 3] {
        self.rgb[(y * self.width + x) as usize]
    }
}

/// One bar: its left column and its top and bottom rows (inclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: u32,
    pub top: u32,
    pub bottom: u32,
    /// Width of the run of the colour across the bar's middle row.
    pub width: u32,
}

/// Bars shorter than this are not a card's bar (antialiased text or a glyph).
const MIN_BAR_PX: u32 = 30;

/// The vertical runs of exactly `color` in the column a bar of it would occupy: the leftmost
/// column where the colour appears, plus half a bar.
pub fn bars(shot: &Shot, color: [u8; 3]) -> Vec<Bar> {
    let Some(left) = (0..shot.width).find(|&x| (0..shot.height).any(|y| shot.at(x, y) == color))
    else {
        return Vec::new();
    };
    let probe = (left + BAR_WIDTH_PX / 2).min(shot.width - 1);
    let mut out = Vec::new();
    let mut y = 0;
    while y < shot.height {
        if shot.at(probe, y) != color {
            y += 1;
            continue;
        }
        let top = y;
        while y < shot.height && shot.at(probe, y) == color {
            y += 1;
        }
        let bottom = y - 1;
        if bottom - top + 1 >= MIN_BAR_PX {
            let mid = (top + bottom) / 2;
            let width = (left..shot.width)
                .take_while(|&x| shot.at(x, mid) == color)
                .count() as u32;
            out.push(Bar {
                x: left,
                top,
                bottom,
                width,
            });
        }
    }
    out
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// The screenshot shows the page (not blank, nothing cut off at the bottom) with `firing` red
/// bars of firing Slack messages and `resolved` green ones, each a full-height bar of the bar's
/// width, all on the cards' left edge, the first message on top a firing one.
pub fn check_cards(shot: &Shot, firing: usize, resolved: usize) -> Result<(), String> {
    let white = |p: [u8; 3]| p.iter().all(|&c| c >= 0xf8);
    let inked = shot.rgb.iter().filter(|p| !white(**p)).count();
    let dark = shot
        .rgb
        .iter()
        .filter(|p| p.iter().all(|&c| c < 0x60))
        .count();
    let mut problems = Vec::new();
    if inked * 200 < shot.rgb.len() || dark < 500 {
        problems.push(format!(
            "the page looks blank: {inked} non-white and {dark} dark pixels of {}",
            shot.rgb.len()
        ));
    }
    let tail = shot.height.saturating_sub(40);
    if (tail..shot.height).any(|y| (0..shot.width).any(|x| !white(shot.at(x, y)))) {
        problems.push(format!(
            "the page runs past the {} px window: cards may be cut off",
            shot.height
        ));
    }
    let red = bars(shot, FIRING_BAR);
    let green = bars(shot, RESOLVED_BAR);
    for (what, color, found, wanted) in [
        ("firing", FIRING_BAR, &red, firing),
        ("resolved", RESOLVED_BAR, &green, resolved),
    ] {
        if found.len() != wanted {
            problems.push(format!(
                "expected {wanted} {} bars of {what} Slack cards, saw {}",
                hex(color),
                found.len()
            ));
        }
        for b in found.iter().filter(|b| b.width != BAR_WIDTH_PX) {
            problems.push(format!(
                "a {what} bar is {} px wide, not {BAR_WIDTH_PX}: {b:?}",
                b.width
            ));
        }
    }
    let xs: std::collections::BTreeSet<u32> = red.iter().chain(&green).map(|b| b.x).collect();
    if xs.len() > 1 {
        problems.push(format!("the bars are not on one left edge: columns {xs:?}"));
    }
    if let (Some(r), Some(g)) = (red.first(), green.first())
        && g.top < r.top
    {
        problems.push("the first card is a resolved one, not the firing message".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
