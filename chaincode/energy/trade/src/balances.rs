//! Balances, `balance [account]` -> i64 as decimal text. Accounts: `msp/id`, `VPP/id` and `GRID`.

use std::collections::BTreeMap;

use gridledger_contract::{Context, Text};
use gridledger_energy_common::amount;
use gridledger_energy_common::bounds::MAX_ACCOUNT_LEN;

use crate::error::Result;
use crate::store::keys;
use gridledger_energy_common::error::EnergyError;

/// `Balance(account)`: the account's balance in minor units (0 for an account never posted to).
pub fn balance(ctx: &Context<'_>, Text(account): Text<MAX_ACCOUNT_LEN>) -> Result<i64> {
    if account.is_empty() {
        return Err(EnergyError::BadRequest("account must not be empty".into()).into());
    }
    let key = keys::balance(ctx, &account)?;
    ctx.get_state(&key)?.map_or(Ok(0), |bytes| parse(&account, &bytes))
}

/// `Balances()`: every account with a balance, in account order.
pub fn balances(ctx: &Context<'_>, (): ()) -> Result<BTreeMap<String, i64>> {
    let mut all = BTreeMap::new();
    for kv in ctx.get_state_by_partial_composite_key("balance", &[])? {
        let kv = kv?;
        let (_, mut parts) = ctx.split_composite_key(&kv.key)?;
        let account = parts.pop().unwrap_or_default();
        let value = parse(&account, &kv.value)?;
        all.insert(account, value);
    }
    Ok(all)
}

/// Adds `changes` to the stored balances: reads every account first, then writes (so a failure writes nothing).
pub fn apply(ctx: &Context<'_>, changes: &BTreeMap<String, i64>) -> Result<()> {
    let keys = changes.keys().map(|account| keys::balance(ctx, account)).collect::<Result<Vec<_>>>()?;
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let current = ctx.get_multiple_states(&refs)?;
    let mut updated = Vec::with_capacity(keys.len());
    for ((account, change), value) in changes.iter().zip(current) {
        let before = value.map_or(Ok(0), |bytes| parse(account, &bytes))?;
        updated.push(amount::add(before, *change)?);
    }
    for (key, value) in keys.iter().zip(updated) {
        ctx.put_state(key, value.to_string().as_bytes())?;
    }
    Ok(())
}

fn parse(account: &str, bytes: &[u8]) -> Result<i64> {
    std::str::from_utf8(bytes).ok().and_then(|s| s.parse().ok()).ok_or_else(|| {
        EnergyError::Corrupt {
            what: format!("balance of {account}"),
            detail: format!("{:?} is not an integer", String::from_utf8_lossy(bytes)),
        }
        .into()
    })
}
