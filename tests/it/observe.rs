//! Integration tests: observe.
