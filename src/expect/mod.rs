//! Expectation files (raw serde models and resolved forms).
pub mod acceptance;
pub mod routes;
