//! The submitting client's identity.
