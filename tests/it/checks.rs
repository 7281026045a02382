//! Integration tests: checks.
