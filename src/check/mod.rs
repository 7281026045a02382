//! Pure checks: (&Expectation, &Evidence) -> Vec<Check>. No I/O here, ever.
pub mod alerts;
