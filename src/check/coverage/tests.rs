//! Unit tests of each coverage dimension.
