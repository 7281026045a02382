//! Integration tests: stub.
