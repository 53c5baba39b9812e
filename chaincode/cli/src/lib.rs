//! `gridctl`, gridledger's command line, as a library so every part is testable: thin subcommands over
//! `gridledger-client` (the Fabric Gateway client and CCaaS packages) and `gridledger-reading` (signed meter
//! readings).
//!
//! Layers, each importing only from the ones below it:
//! - [`cli`] (clap) and [`mod@run`] (dispatch) make the `gridctl` binary; nothing imports them.
//! - The subcommands, each a leaf that no other subcommand imports: [`package`], [`call`] (`query`,
//!   `invoke`), [`events`], [`meter`], [`market`], [`flex`], [`cert`], [`consortium`], [`mod@bench`], [`serve`] (the web
//!   view), [`org`] and [`cc`] (governance).
//! - What several subcommands share: [`conn`] (connection flags, `--org`, connecting), [`fleet`] (simulated
//!   meters: keys, profiles, registration, batch sources), [`load`] (the load loop, its numbers, progress) and
//!   [`ledger`] (planned contract calls, tables and `--json` output).

pub mod bench;
pub mod call;
pub mod cc;
pub mod cert;
pub mod cli;
pub mod conn;
pub mod consortium;
pub mod events;
pub mod fleet;
pub mod flex;
pub mod ledger;
pub mod load;
pub mod market;
pub mod meter;
pub mod org;
pub mod package;
pub mod run;
pub mod serve;

pub use cli::Cli;
pub use run::run;
