//! Unit tests of the metric catalog and of label existence.
