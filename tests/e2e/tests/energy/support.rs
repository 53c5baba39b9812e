//! The energy scenario's cast, clock and assertions: who submits what, through the Fabric Gateway (the harness's
//! `submit`/`evaluate`, built on gridledger-client).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gridledger_e2e::{Identity, Network, ORGS, Outcome};
use gridledger_reading::{Reading, Signer};
use serde_json::Value;

/// The length of the scenario's delivery intervals: the market's and the meters' `intervalSeconds` (a test
/// consortium trades one-minute intervals so the scenario takes minutes, not half an hour).
pub(crate) const INTERVAL_SECONDS: u32 = 60;
/// [`INTERVAL_SECONDS`] as interval arithmetic uses it.
pub(crate) const INTERVAL: i64 = INTERVAL_SECONDS as i64;

/// Every identity the scenario uses (issued by `scripts/lib/identities.sh` from `GL_USERS` and `GL_ENERGY_USERS`, or
/// by the guide's `users` step, `scripts/existing-network.sh users`). Which org each comes from is the consortium's
/// role mapping ([`gridledger_e2e::Market`]): in ours GridMSP is the grid operator, UtilityMSP the supplier and
/// ProsumerMSP the prosumers' org; in `network/consortiums/samples.env` Org2MSP, Org1MSP and Org3MSP.
#[derive(Debug)]
pub(crate) struct Cast {
    /// The grid operator's `operator1`, role operator: approves connections, sets the market config, clears.
    pub grid_operator: Identity,
    /// The grid operator's `installer1`, role meter-installer: registers meters.
    pub installer: Identity,
    /// The grid operator's `gateway1`, role gateway: submits reading batches.
    pub gateway: Identity,
    /// The grid operator's `issuer1`, role issuer: registers certificate devices (the issuing body).
    #[allow(dead_code)] // read by tests/certificates.rs; the market scenario (energy.rs) issues no certificates
    pub issuer: Identity,
    /// The prosumer org's `alice`, role prosumer: owns a PV system, sells.
    pub alice: Identity,
    /// The prosumer org's `bob`, role prosumer: owns a battery, buys.
    pub bob: Identity,
    /// The prosumer org's `aggregator1`, role aggregator: runs a VPP.
    pub aggregator: Identity,
    /// The supplier's `operator1`, role operator: settles.
    pub utility_operator: Identity,
    /// The prosumer org's MSP id (`ProsumerMSP` in ours), as metering and registry arguments name it.
    pub prosumer_msp: String,
}

impl Cast {
    /// Loads every identity's environment (MSP directory, peer, TLS root; `scripts/env.sh`).
    pub(crate) fn load(net: &Network) -> Self {
        let user = |org: &str, name: &str| match net.user(org, name) {
            Ok(id) => id,
            Err(e) => panic!("identity {org}/{name}: {e} (GL_ENERGY_USERS of the consortium definition issues it)"),
        };
        let m = net.market();
        let alice = user(&m.prosumer, "alice");
        let prosumer_msp = match alice.var("CORE_PEER_LOCALMSPID") {
            Ok(msp) => msp.to_string(),
            Err(e) => panic!("alice's MSP id: {e}"),
        };
        Cast {
            grid_operator: user(&m.grid_operator, "operator1"),
            installer: user(&m.grid_operator, "installer1"),
            gateway: user(&m.grid_operator, "gateway1"),
            issuer: user(&m.grid_operator, "issuer1"),
            alice,
            bob: user(&m.prosumer, "bob"),
            aggregator: user(&m.prosumer, "aggregator1"),
            utility_operator: user(&m.supplier, "operator1"),
            prosumer_msp,
        }
    }
}

/// A transaction submitted by `who`, endorsed by the peers of every org, waiting for the commit event.
/// With every org's endorsement, a result that differs between peers fails ("ProposalResponsePayloads do not match").
pub(crate) fn submit(net: &Network, who: &Identity, chaincode: &str, args: &[&str]) -> Outcome {
    net.submit(chaincode, args).submitter(who).run()
}

/// `SubmitReadings("")` by `who` with the batch in the transient map under `readings` (every org's peer endorses,
/// so each holds the private readings it will need to endorse `Settle`).
pub(crate) fn submit_readings(net: &Network, who: &Identity, batch: &[Reading]) -> Outcome {
    let json = match serde_json::to_vec(batch) {
        Ok(j) => j,
        Err(e) => panic!("batch JSON: {e}"),
    };
    net.submit("metering", &["SubmitReadings", ""]).submitter(who).transient("readings", &json).run()
}

/// The outcome, asserted successful; its payload as JSON (`Null` when the payload is empty).
pub(crate) fn ok(what: &str, o: &Outcome) -> Value {
    assert!(o.ok, "{what} failed: {}", o.error);
    if o.payload.is_empty() { Value::Null } else { o.json().unwrap_or_else(|e| panic!("{what}: {e}")) }
}

/// Asserts a refusal with the chaincode status and a message containing `needle`.
pub(crate) fn refused(what: &str, o: &Outcome, status: u16, needle: &str) {
    assert!(!o.ok, "{what} was accepted, it must be refused ({status}): {}", o.text());
    assert_eq!(o.status, Some(i32::from(status)), "{what}: expected status {status}, got: {}", o.error);
    let message = o.message();
    assert!(message.contains(needle), "{what}: message {message:?} lacks {needle:?} ({})", o.error);
}

/// The wall clock, Unix seconds (the client stamps transactions with the same clock).
pub(crate) fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Sleeps until the wall clock reads at least `t` (Unix seconds) plus a second of slack.
pub(crate) fn wait_until(t: i64, why: &str) {
    let left = t + 1 - now();
    if left > 0 {
        eprintln!("energy: waiting {left} s until {t} ({why})");
        std::thread::sleep(Duration::from_secs(left.unsigned_abs()));
    }
}

/// A simulated meter: its id and its secure element's P-256 key.
#[derive(Debug)]
pub(crate) struct Meter {
    /// The meter id.
    pub id: String,
    /// The signing key.
    pub signer: Signer,
}

impl Meter {
    /// A meter with a fresh key.
    pub(crate) fn new(id: String) -> Self {
        match Signer::generate() {
            Ok((signer, _pkcs8)) => Meter { id, signer },
            Err(e) => panic!("generating a P-256 key: {e}"),
        }
    }

    /// `RegisterMeter`'s JSON for this meter on `asset`, reporting import and export.
    pub(crate) fn registration(&self, asset: &str) -> String {
        serde_json::json!({
            "id": self.id, "assetId": asset, "publicKey": self.signer.public_key_base64(),
            "registers": ["1.8.0", "2.8.0"], "intervalSeconds": INTERVAL,
        })
        .to_string()
    }

    /// A reading signed by this meter.
    pub(crate) fn reading(&self, start: i64, register: &str, wh: i64, counter: u64) -> Reading {
        match self.signer.reading(&self.id, start, register, wh, counter, INTERVAL_SECONDS) {
            Ok(r) => r,
            Err(e) => panic!("signing: {e}"),
        }
    }
}

/// `msp/id`, the trade account of a party JSON (`{"msp","id"}`).
pub(crate) fn account(party: &Value) -> String {
    match (party["msp"].as_str(), party["id"].as_str()) {
        (Some(msp), Some(id)) => format!("{msp}/{id}"),
        _ => panic!("not a party: {party}"),
    }
}

/// trade `Balance(account)` (0 if never posted).
pub(crate) fn balance(net: &Network, account: &str) -> i64 {
    let got = net.evaluate("trade", &["Balance", account]);
    ok("Balance", &got).as_i64().unwrap_or_else(|| panic!("Balance({account}) is not a number: {}", got.text()))
}

/// Every account's trade balance on the peer of each org (one row per org, in `ORGS` order).
// For the certificates and flexibility tests; energy.rs, which includes this file too, checks the peers its own way.
#[allow(dead_code)]
pub(crate) fn balances(net: &Network, accounts: &[&str]) -> Vec<Vec<i64>> {
    ORGS.iter()
        .map(|org| {
            accounts
                .iter()
                .map(|a| {
                    let got = net.evaluate_as(net.admin(org), "trade", &["Balance", a]);
                    ok("Balance", &got).as_i64().unwrap_or_else(|| panic!("Balance({a}) on {org}: {}", got.text()))
                })
                .collect()
        })
        .collect()
}
