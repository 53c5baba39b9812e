//! The load loop shared by `gridctl bench` and `gridctl meter simulate`: workers with their own gateway
//! connection and transaction source ([`driver`]), the numbers they collect ([`stats`]), and a progress line
//! ([`progress`]).

pub mod driver;
pub mod progress;
pub mod stats;
