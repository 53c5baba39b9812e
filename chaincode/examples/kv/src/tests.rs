//! Unit tests (written once the testkit lands).
