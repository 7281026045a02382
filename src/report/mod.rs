//! The result model and its writers: Markdown, JSON (versioned contract), JUnit, HTML.
//! Writers only format; they never decide a verdict. [`merge`] combines a sharded run's partial
//! reports, leaving every judgement to `crate::check`.
pub mod clock;
pub mod conversation;
pub mod coverage_render;
pub mod coverage_rows;
pub mod criteria;
pub mod diff;
pub mod html;
pub mod html_escape;
pub mod html_notifications;
pub mod html_sample;
pub mod html_sample_notes;
pub mod html_sections;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod markdown_notifications;
pub mod merge;
pub mod model;
pub mod slo;
pub mod summary;
pub mod svg;

use std::path::Path;

pub use markdown::render_markdown;

/// Write `report.json`, `report.md`, `junit.xml` and `report.html` into `dir` (created if missing), each
/// atomically so a reader never sees half a file.
pub fn write_report(dir: &Path, report: &model::Report) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    crate::util::write_atomic(
        &dir.join("report.json"),
        json::render_json(report)?.as_bytes(),
    )?;
    crate::util::write_atomic(&dir.join("report.md"), render_markdown(report).as_bytes())?;
    crate::util::write_atomic(
        &dir.join("junit.xml"),
        junit::render_junit(report)?.as_bytes(),
    )?;
    crate::util::write_atomic(&dir.join("report.html"), html::render(report).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod coverage_tests;
#[cfg(test)]
mod writer_tests;
