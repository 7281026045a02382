//! Integration tests: stack.
