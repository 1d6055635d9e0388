//! Unit tests of the statistics.
