//! Contract API.
