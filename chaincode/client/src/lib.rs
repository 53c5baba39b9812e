//! A Fabric Gateway client for applications, `gridctl` and the end-to-end tests.
//!
//! - [`identity`]: an MSP identity from PEM files (certificate + PKCS#8 or SEC1 EC P-256 key) that signs with
//!   low-S ECDSA ([`ecdsa`]), as Fabric's MSP requires.
//! - [`gateway`]: connect (plaintext, TLS, mutual TLS) and `Evaluate`, `Endorse` → `Submit` → `CommitStatus`,
//!   `ChaincodeEvents`.
//! - [`chain`]: the channel itself over evaluate: each organization's peer height, blocks with their validation
//!   codes, the config block, a chaincode definition's approvals (qscc, `_lifecycle`); [`channel`]: the channel's
//!   organizations and orderer nodes from its config block.
//! - [`orderer`]: the ordering service's Deliver (newest block, latest config block) and Broadcast.
//! - [`proposal`]: signed proposals as the gateway expects them, and Fabric's transaction ids.
//! - [`package`]: reproducible chaincode packages (CCaaS and peer-launched) and their ids.
//! - [`text`]: how peer messages and refused input are shown (short, one line; `gridledger-text`).
//!
//! It depends on the Fabric protos and `gridledger-text` only: no shim, no contract API, no chaincode.
//!
//! ```no_run
//! # async fn demo() -> gridledger_client::Result<()> {
//! use gridledger_client::{Gateway, Invocation, PeerTarget, Signer, Tls};
//! let msp = std::path::Path::new("orgs/utility/users/operator1/msp");
//! let signer = Signer::from_msp_dir("UtilityMSP", msp)?;
//! let tls = Tls::from_ca_file(std::path::Path::new("orgs/utility/msp/tlscacerts/ca.pem"))?;
//! let target = PeerTarget { address: "127.0.0.1:7051".into(), tls: Some(tls) };
//! let mut gateway = Gateway::connect(&target, signer).await?;
//! let put = Invocation::new("energy", "kv", ["Put", "k", "v"]);
//! let done = gateway.submit(&put).await?;
//! println!("committed {} in block {}", done.tx_id, done.block);
//! let got = gateway.evaluate(&Invocation::new("energy", "kv", ["Get", "k"])).await?;
//! assert_eq!(got.payload, b"v");
//! # Ok(()) }
//! ```

pub mod chain;
pub mod channel;
pub mod ecdsa;
pub mod error;
pub mod gateway;
pub mod identity;
pub mod orderer;
pub mod package;
pub mod proposal;
pub mod text;

pub use error::{Error, Result, describe};
pub use gateway::{ClientTls, Committed, EventStream, Gateway, PeerTarget, Tamper, Tls};
pub use identity::Signer;
pub use orderer::Orderer;
pub use package::{Connection, Package, PackageError};
pub use proposal::Invocation;
pub use text::peer_message;
