//! Unit tests of the coverage requirements.
