//! Expectation files (raw serde models and resolved forms).
pub mod alerts;
