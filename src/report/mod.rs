//! The result model and its writers: Markdown, JSON (versioned contract), JUnit, HTML.
//! Writers only format; they never decide a verdict.
pub mod criteria;
pub mod diff;
pub mod html;
pub mod html_escape;
pub mod html_sample;
pub mod html_sections;
pub mod model;
pub mod svg;
