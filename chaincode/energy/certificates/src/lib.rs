//! The certificates chaincode: granular (hourly) energy certificates issued from the authenticated export
//! readings of the metering chaincode, transferred and split, sold against payment in trade's balances
//! (delivery versus payment), claimed for a consumer's consumption of the same hour, and matched hour by hour
//! (see `chaincode/energy/DESIGN.md` and this crate's README).
//!
//! # Layout
//! - [`model`]: the records (devices, certificates, issuances, offers, claims, charges) and their JSON.
//! - [`devices`]: `RegisterDevice`, `GetDevice`, and who acts for the issuing body.
//! - [`issue`]: `IssueCertificates` (with the storage rule) and `GetIssuance`.
//! - [`moves`]: the split rule and `TransferCertificate`.
//! - [`offers`]: `OfferCertificate`, `WithdrawOffer`, `AcceptOffer`, `GetOffer`.
//! - [`claims`]: `ClaimCertificate` and `ChargeStorage`.
//! - [`report`]: `MatchingReport`, hourly matching and the day's 24/7 score.
//! - [`queries`]: `GetCertificate`, `CertificatesByOwner|Device|Hour|Status`, `CertificateHistory`.
//! - [`calls`]: registry, metering and trade through `invoke_chaincode`.
//! - [`store`]: keys, derived ids, records; [`error`]: [`CertError`] and its statuses.
//!
//! ```
//! let chaincode = gridledger_certificates::chaincode();
//! assert_eq!(chaincode.default_contract(), "certificates");
//! ```

pub mod calls;
pub mod claims;
pub mod devices;
pub mod error;
pub mod issue;
pub mod model;
pub mod moves;
pub mod offers;
pub mod queries;
pub mod report;
pub mod store;

pub use error::CertError;

use gridledger_contract::{Contract, Info, Tx};

/// The contract's name (also the default contract).
pub const CONTRACT: &str = "certificates";

/// The certificates contract definition.
pub fn contract() -> Contract {
    Contract::new(CONTRACT)
        .info(Info::new("gridledger certificates", env!("CARGO_PKG_VERSION")))
        .default_contract()
        .submit(Tx::new("RegisterDevice").params(["device"]), devices::register_device)
        .evaluate(Tx::new("GetDevice").params(["id"]), devices::get_device)
        .submit(Tx::new("IssueCertificates").params(["deviceId", "hourStart"]), issue::issue)
        .evaluate(Tx::new("GetIssuance").params(["deviceId", "hourStart"]), issue::get_issuance)
        .submit(Tx::new("TransferCertificate").params(["certificateId", "toMsp", "toId", "wh"]), moves::transfer)
        .submit(Tx::new("OfferCertificate").params(["certificateId", "wh", "pricePerMwh"]), offers::offer)
        .submit(Tx::new("WithdrawOffer").params(["certificateId"]), offers::withdraw)
        .submit(Tx::new("AcceptOffer").params(["certificateId", "wh", "pricePerMwh"]), offers::accept)
        .evaluate(Tx::new("GetOffer").params(["certificateId"]), offers::get_offer)
        .submit(
            Tx::new("ClaimCertificate").params(["certificateId", "wh", "hourStart", "beneficiaryMsp", "beneficiaryId"]),
            claims::claim,
        )
        .submit(Tx::new("ChargeStorage").params(["certificateId", "wh", "storageDeviceId"]), claims::charge)
        .evaluate(Tx::new("MatchingReport").params(["msp", "id", "dayStart"]), report::matching_report)
        .evaluate(Tx::new("GetCertificate").params(["id"]), queries::get)
        .evaluate(Tx::new("CertificatesByOwner").params(["msp", "id", "pageSize", "bookmark"]), queries::by_owner)
        .evaluate(Tx::new("CertificatesByDevice").params(["deviceId", "pageSize", "bookmark"]), queries::by_device)
        .evaluate(Tx::new("CertificatesByHour").params(["hourStart", "pageSize", "bookmark"]), queries::by_hour)
        .evaluate(Tx::new("CertificatesByStatus").params(["status", "pageSize", "bookmark"]), queries::by_status)
        .evaluate(Tx::new("CertificateHistory").params(["id"]), queries::history)
}

// The default (coroutine) executor: transactions are ledger and chaincode calls, with little CPU between.
gridledger_energy_common::energy_chaincode!("certificates", gridledger_shim::Executor::Coroutine);
