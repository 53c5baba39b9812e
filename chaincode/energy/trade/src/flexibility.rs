//! `PostFlexibility(settlementId, postings)`: the flexibility chaincode's settlement reaches the balances here.
//!
//! The flexibility contract computes what an awarded VPP is paid, what it is penalised and how the payment is split
//! to its members; it calls this in the same transaction, so the balances move exactly when its settlement record
//! is written. Three guards keep anyone else from moving balances through it:
//! - the caller (the transaction's creator, the same in a chaincode-to-chaincode call) must be an operator or admin
//!   of a grid operator, as for `Settle` in the flexibility contract;
//! - on a peer, the proposal must be addressed to the `flexibility` chaincode ([`crate::proposal`]): a client
//!   calling trade directly carries a proposal naming `trade` and is refused (the in-memory test ledger builds no
//!   proposal, so only the role guard applies there);
//! - a settlement id is posted once (`flexposting [settlementId]`), so settling twice is refused here too.

use gridledger_contract::{Context, ContractError, Json, Object, Text};
use gridledger_energy_common::bounds::{MAX_ACCOUNT_LEN, MAX_ID_LEN};
use gridledger_energy_common::caller::{Allowed, Caller, OrgKind, Role};
use gridledger_energy_common::roles;
use gridledger_shim::ChaincodeStub;
use serde::{Deserialize, Serialize};

use crate::model::Posting;
use crate::proposal::{Proposed, proposed_chaincode};
use crate::{balances, settlement, store};

/// The chaincode name the flexibility contract is deployed under.
pub const FLEXIBILITY: &str = "flexibility";
/// The longest settlement id: `requestId/vppId`.
pub const MAX_SETTLEMENT_ID_LEN: usize = 2 * MAX_ID_LEN + 1;
/// The most postings in one call: payment, penalty and up to 1000 members.
pub const MAX_POSTINGS: usize = 1002;
/// The longest postings document, bytes: 1002 postings of two accounts of up to 1153 characters.
pub const MAX_POSTINGS_BYTES: usize = 3 << 20;
/// The longest posting reason.
pub const MAX_REASON_LEN: usize = 32;

/// Who may post: operators and admins of a grid operator (through the flexibility chaincode).
pub const POST: &[Allowed] = &[(Some(OrgKind::Grid), Role::Operator), (Some(OrgKind::Grid), Role::Admin)];

/// A recorded flexibility posting, `flexposting [settlementId]`; also the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlexPosted {
    /// The flexibility settlement (`requestId/vppId`).
    pub settlement_id: String,
    /// The postings, in the order applied.
    pub postings: Vec<Posting>,
}

/// `PostFlexibility(settlementId, postings)`: see the module documentation.
pub fn post_flexibility(
    ctx: &Context<'_>,
    (Text(id), Json(postings)): (Text<MAX_SETTLEMENT_ID_LEN>, Json<Vec<Posting>, MAX_POSTINGS_BYTES>),
) -> Result<FlexPosted, ContractError> {
    let roles = roles::from_registry(ctx.stub())?;
    Caller::of(ctx, &roles)?.require("PostFlexibility", POST)?;
    require_flexibility(ctx.stub())?;
    if id.is_empty() {
        return Err(ContractError::BadRequest("settlementId must not be empty".into()));
    }
    validate(&postings)?;
    let key = ctx.create_composite_key("flexposting", &[&id])?;
    if ctx.get_state(&key)?.is_some() {
        return Err(ContractError::Conflict(format!("flexibility settlement {id} is already posted")));
    }
    let changes = settlement::balance_changes(&postings)?;
    balances::apply(ctx, &changes)?;
    let record = FlexPosted { settlement_id: id, postings };
    store::put_json(ctx, &key, &record)?;
    Ok(record)
}

/// `GetFlexPosting(settlementId)`: anyone (404 before it was posted).
pub fn get_flex_posting(ctx: &Context<'_>, Text(id): Text<MAX_SETTLEMENT_ID_LEN>) -> Result<FlexPosted, ContractError> {
    let key = ctx.create_composite_key("flexposting", &[&id])?;
    store::get_json(ctx, &key, "flexibility posting")?.ok_or_else(|| {
        ContractError::NotFound(format!("flexibility settlement {} is not posted", gridledger_contract::quote(&id)))
    })
}

/// Refuses (403) a proposal that invokes another chaincode than `flexibility`.
fn require_flexibility(stub: &dyn ChaincodeStub) -> Result<(), ContractError> {
    match proposed_chaincode(stub) {
        Proposed::Absent => Ok(()),
        Proposed::To(name) if name == FLEXIBILITY => Ok(()),
        Proposed::To(name) if !name.is_empty() => Err(ContractError::Forbidden(format!(
            "PostFlexibility is reachable only through the {FLEXIBILITY} chaincode's Settle; this transaction invokes {}",
            gridledger_contract::quote(&name)
        ))),
        Proposed::To(_) | Proposed::Unreadable => {
            Err(ContractError::Forbidden("PostFlexibility: the proposal names no chaincode".into()))
        }
    }
}

fn validate(postings: &[Posting]) -> Result<(), ContractError> {
    let bad = |m: String| Err(ContractError::BadRequest(m));
    // No postings is a settlement too (nothing delivered, no penalty): it is recorded, so it cannot come again.
    if postings.len() > MAX_POSTINGS {
        return bad(format!("postings has {} entries; at most {MAX_POSTINGS}", postings.len()));
    }
    for (i, p) in postings.iter().enumerate() {
        let account_ok = |a: &str| !a.is_empty() && a.chars().count() <= MAX_ACCOUNT_LEN;
        if !account_ok(&p.debit) || !account_ok(&p.credit) || p.debit == p.credit {
            return bad(format!(
                "posting {i}: debit and credit must be two different accounts of 1 to {MAX_ACCOUNT_LEN} characters"
            ));
        }
        if p.amount <= 0 {
            return bad(format!("posting {i}: amount must be above 0, got {}", p.amount));
        }
        if !p.reason.starts_with("flex-") || p.reason.len() > MAX_REASON_LEN {
            return bad(format!("posting {i}: reason must start with \"flex-\" and be at most {MAX_REASON_LEN} bytes"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_are_checked() {
        let p = |d: &str, c: &str, a: i64, r: &str| Posting {
            debit: d.into(),
            credit: c.into(),
            amount: a,
            reason: r.into(),
        };
        assert!(validate(&[p("GRID", "VPP/v", 5, "flex-payment")]).is_ok());
        assert!(validate(&[]).is_ok());
        assert!(validate(&vec![p("GRID", "VPP/v", 5, "flex-payment"); MAX_POSTINGS + 1]).is_err());
        assert!(validate(&[p("GRID", "GRID", 5, "flex-payment")]).is_err());
        assert!(validate(&[p("GRID", "VPP/v", 0, "flex-payment")]).is_err());
        assert!(validate(&[p("GRID", "VPP/v", 5, "energy")]).is_err());
        assert!(validate(&[p("", "VPP/v", 5, "flex-payment")]).is_err());
    }
}
