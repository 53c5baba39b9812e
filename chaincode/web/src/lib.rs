//! A read-only web view of the energy consortium: the market (intervals, order book, supply and demand curves,
//! fills, settlement), balances, metering per connection point, and the network, served by its own axum server.
//!
//! It talks to the network only through the Fabric Gateway (`gridledger-client`) as one configured identity, keeps
//! no database (the ledger is the database), and renders every page on the server: HTML with inline CSS and SVG
//! charts drawn here, no JavaScript build chain (the only script is the one-line live reload).
//!
//! - [`model`]: the chaincode records as plain data; [`chart`] and [`pages`]: pure builders from them to SVG and
//!   HTML ([`html`] escapes).
//! - [`source`]: the [`DataSource`] trait the pages read through; [`fabric`]: its gateway implementation;
//!   [`gather`]: what each page needs, composed from queries.
//! - [`assets`], [`certs`], [`flex`]: the registry, metering, certificates and flexibility records (read as JSON
//!   through [`json`]), what each page reads and its builder; [`records`]: their routes.
//! - [`serve`]: the whole server as one call (the binary, `gridctl serve`, the browser test);
//!   [`server`]: the routes and error pages; [`live`]: trade's chaincode events to the pages' event streams.

pub mod assets;
pub mod certs;
pub mod chart;
pub mod fabric;
pub mod flex;
pub mod gather;
pub mod html;
pub mod json;
pub mod live;
pub mod model;
pub mod pages;
mod proto;
pub mod records;
pub mod serve;
pub mod server;
pub mod source;

pub use source::{Contract, DataSource, SourceError};
