//! End-to-end test support: drives the running native network (`scripts/network.sh up` + `deploy`) the way its
//! users do, as the identities whose environment `scripts/env.sh ORG [USER]` prints, along two paths:
//!
//! - **The Fabric Gateway, through `gridledger-client`** ([`Network::submit`], [`Network::evaluate`],
//!   [`Network::evaluate_as`]; module `gateway`): how applications and `gridctl` reach the contracts. Results are
//!   typed: payload bytes, transaction id, the chaincode's status and message ([`Outcome::status`],
//!   [`Outcome::message`]) and the commit's validation code ([`Outcome::validation`]); nothing is parsed from a
//!   tool's output. The tests of the energy contracts use it: `roles`, `privacy`, `hostile`, `energy` (and
//!   `energy/*`), `certificates`, `flexibility`, and `multihost`'s readings.
//! - **The peer CLI** ([`Network::cli_invoke`], [`Network::cli_query`], [`Network::cli_query_as`]): `peer chaincode
//!   invoke` (every org's peer, `--waitForEvent`) and `peer chaincode query --hex`, with the CLI's stderr parsed.
//!   The tests that prove the shim works for the stock CLI user keep it: `kv`, `differential` (Rust against Go, error
//!   texts compared as the CLI shows them), `classic`, `bad_deploy`, `batching`, and `fault`, `bft`, `onboarding`
//!   (faults, BFT and org onboarding seen by the CLI user, who names the peers); `client` and `gridctl*` write through
//!   the Gateway and read back through the CLI, an independent path.
//!
//! The tests in `tests/` are `#[ignore]`d unless a network is there: `scripts/e2e.sh` builds and starts one, deploys
//! `kv` (Rust), `kvgo` (Go reference) and `kvclassic` (Rust, peer-launched), then runs them with `--include-ignored`
//! and `GRIDLEDGER_E2E=1`. Run by hand against a network you started, they fail loudly if it is not up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;

mod gateway;
pub mod gridctl;
pub mod load;

pub use gateway::Submit;

/// The three peer organizations of our test consortium (`network/consortium.env`), in the order
/// `scripts/network.sh` knows them. Tests that run on any consortium use [`Network::orgs`] and [`Network::market`].
pub const ORGS: [&str; 3] = ["utility", "grid", "prosumer"];

/// Why the end-to-end tests are ignored by default (the `#[ignore = ...]` reason is a literal, this is the doc).
pub const IGNORE_REASON: &str = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)";

/// Errors of the harness itself (the network answered nothing usable), as opposed to chaincode errors.
pub type Result<T> = std::result::Result<T, String>;

/// The repository root (this crate lives in `tests/e2e`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The run directory of the network (`GRIDLEDGER_RUN`, default `<repo>/.cache/run`), as `scripts/lib/common.sh` sets it.
pub fn run_dir() -> PathBuf {
    std::env::var_os("GRIDLEDGER_RUN").map_or_else(|| repo().join(".cache/run"), PathBuf::from)
}

/// `scripts/network.sh ARGS...`, run from the repository root; panics on failure.
pub fn network_sh(args: &[&str]) {
    let status = Command::new(repo().join("scripts/network.sh"))
        .current_dir(repo())
        .args(args)
        .status()
        .expect("network.sh runs");
    assert!(status.success(), "network.sh {args:?} failed");
}

/// Brings back whatever a test stopped, when dropped: `scripts/network.sh heal` starts every orderer, peer and
/// deployed chaincode server that is down. A test that stops or breaks a node takes one first
/// (`let _heal = Heal::on_drop();`), so when it fails half-way the nodes still come back and the tests after it see
/// a whole network: one failure is reported once, where it happened.
#[derive(Debug)]
#[must_use = "the guard heals the network when it is dropped; bind it to a named variable"]
pub struct Heal(());

impl Heal {
    /// A guard that heals the network when it goes out of scope, panicking or not.
    pub fn on_drop() -> Self {
        Heal(())
    }
}

impl Drop for Heal {
    fn drop(&mut self) {
        // No panic here: during an unwind a second panic would abort the whole test binary.
        match Command::new(repo().join("scripts/network.sh")).current_dir(repo()).arg("heal").status() {
            Ok(s) if s.success() => {}
            Ok(s) => eprintln!("network.sh heal failed ({s}): later tests may find nodes down"),
            Err(e) => eprintln!("network.sh heal could not run ({e}): later tests may find nodes down"),
        }
    }
}

/// Retries `call` until it succeeds or 60 s pass (a restarted node or chaincode needs a moment to catch up).
pub fn eventually(what: &str, mut call: impl FnMut() -> Outcome) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let o = call();
        if o.ok || Instant::now() > deadline {
            assert!(o.ok, "{what} never succeeded: {}\n{}", o.error, o.stderr);
            return o;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A per-run prefix, so repeated runs against one network never collide on keys.
pub fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{prefix}-{:x}", nanos % 0xffff_ffff_ffff)
}

/// The peer CLI environment of one identity: `scripts/env.sh ORG USER` run once and kept.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The org key (`utility`, `grid`, `prosumer`).
    pub org: String,
    /// The user directory name (`admin`, `operator1`...).
    pub user: String,
    env: BTreeMap<String, String>,
    /// The MSP id of the org whose peer `CORE_PEER_ADDRESS` is (the identity's own, until [`Identity::at_peer_of`]):
    /// Gateway evaluations target it, so they run on that peer as the CLI's queries do.
    peer_msp: String,
}

impl Identity {
    fn load(org: &str, user: &str) -> Result<Self> {
        let out = Command::new("bash")
            .arg(repo().join("scripts/env.sh"))
            .args([org, user])
            .output()
            .map_err(|e| format!("running scripts/env.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!("scripts/env.sh {org} {user} failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let env: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let peer_msp = env.get("CORE_PEER_LOCALMSPID").cloned().unwrap_or_default();
        Ok(Identity { org: org.into(), user: user.into(), env, peer_msp })
    }

    /// One variable of the environment (`CORE_PEER_ADDRESS`, `CHANNEL`...).
    pub fn var(&self, key: &str) -> Result<&str> {
        self.env.get(key).map(String::as_str).ok_or_else(|| format!("scripts/env.sh gave no {key}"))
    }

    /// The same identity talking to `other`'s peer (its address and TLS root), e.g. to query what one org's peer
    /// holds as someone entitled to read it.
    pub fn at_peer_of(&self, other: &Identity) -> Result<Identity> {
        let mut moved = self.clone();
        for key in ["CORE_PEER_ADDRESS", "CORE_PEER_TLS_ROOTCERT_FILE"] {
            moved.env.insert(key.into(), other.var(key)?.to_string());
        }
        moved.peer_msp = other.peer_msp.clone();
        Ok(moved)
    }

    /// `peer ARGS...` with this identity's environment.
    pub fn peer(&self, args: &[String]) -> Result<Output> {
        self.command("peer", args)
    }

    /// Any Fabric tool with this identity's environment.
    pub fn command(&self, program: &str, args: &[String]) -> Result<Output> {
        // PATH from env.sh puts the pinned Fabric binaries first; resolve the program there.
        let path = self.var("PATH")?;
        Command::new(program)
            .args(args)
            .env_clear()
            .envs(&self.env)
            .env("HOME", std::env::var_os("HOME").unwrap_or_default())
            .env("PATH", path)
            .current_dir(run_dir())
            .output()
            .map_err(|e| format!("running {program}: {e}"))
    }
}

/// Which org plays which market role in the running network's consortium definition (`scripts/env.sh --market`:
/// `GL_PEER_ORGS`, `GL_MARKET_*`), as org keys: `utility`/`grid`/`prosumer` in ours, `org1`/`org2`/`org3` in
/// `network/consortiums/samples.env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Market {
    /// Every peer org, in the consortium's order (the first commits and answers plain queries).
    pub orgs: Vec<String>,
    /// The supplier that settles.
    pub supplier: String,
    /// The grid operator.
    pub grid_operator: String,
    /// The org of the scenario's prosumers.
    pub prosumer: String,
}

impl Market {
    fn load() -> Result<Self> {
        let out = Command::new("bash")
            .arg(repo().join("scripts/env.sh"))
            .arg("--market")
            .output()
            .map_err(|e| format!("running scripts/env.sh --market: {e}"))?;
        if !out.status.success() {
            return Err(format!("scripts/env.sh --market failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let vars: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let var = |k: &str| vars.get(k).cloned().ok_or_else(|| format!("scripts/env.sh --market gave no {k}"));
        let orgs: Vec<String> = var("ORGS")?.split_whitespace().map(str::to_string).collect();
        if orgs.is_empty() {
            return Err("scripts/env.sh --market: no peer orgs".into());
        }
        Ok(Market {
            orgs,
            supplier: var("SUPPLIER")?,
            grid_operator: var("GRID_OPERATOR")?,
            prosumer: var("PROSUMER")?,
        })
    }
}

/// The network the tests talk to.
#[derive(Debug)]
pub struct Network {
    admins: Vec<Identity>,
    market: Market,
}

static NETWORK: OnceLock<std::result::Result<Network, String>> = OnceLock::new();

/// The running network, or a panic that says how to get one (tests must never pass without it).
///
/// # Panics
/// When the network is not up or its environment cannot be read.
pub fn network() -> &'static Network {
    match NETWORK.get_or_init(Network::connect) {
        Ok(net) => net,
        Err(e) => panic!("{e}"),
    }
}

impl Network {
    fn connect() -> Result<Self> {
        if !run_dir().join(".up").is_file() {
            return Err(format!(
                "the Fabric network is not up (no {}/.up). Run scripts/e2e.sh, or scripts/network.sh up and the \
                 deploys it makes (GRIDLEDGER_E2E={:?})",
                run_dir().display(),
                std::env::var("GRIDLEDGER_E2E").ok()
            ));
        }
        let market = Market::load()?;
        let admins = market.orgs.iter().map(|org| Identity::load(org, "admin")).collect::<Result<_>>()?;
        Ok(Network { admins, market })
    }

    /// Who plays which market role.
    pub fn market(&self) -> &Market {
        &self.market
    }

    /// Every peer org's key, in the consortium's order.
    pub fn orgs(&self) -> Vec<&str> {
        self.market.orgs.iter().map(String::as_str).collect()
    }

    /// The first org's admin: it submits by default and answers [`Network::evaluate`] and [`Network::cli_query`].
    fn lead(&self) -> &Identity {
        &self.admins[0]
    }

    /// The admin identity of an org.
    ///
    /// # Panics
    /// On an unknown org key (a test bug).
    pub fn admin(&self, org: &str) -> &Identity {
        match self.admins.iter().find(|i| i.org == org) {
            Some(id) => id,
            None => panic!("unknown org {org}"),
        }
    }

    /// Another identity of an org (`users/<user>` in the run directory).
    pub fn user(&self, org: &str, user: &str) -> Result<Identity> {
        Identity::load(org, user)
    }

    /// `peer chaincode invoke` as the first org's admin (Utility's in ours), endorsed by every org's peer, waiting
    /// for the commit event (`--waitForEvent`); the CLI's stderr parsed. Contract tests use [`Network::submit`].
    pub fn cli_invoke<'a>(&'a self, chaincode: &'a str, args: &[&str]) -> CliInvoke<'a> {
        CliInvoke {
            net: self,
            chaincode,
            args: args.iter().map(|s| (*s).to_string()).collect(),
            submitter: self.lead().clone(),
            peers: self.orgs(),
            transient: BTreeMap::new(),
        }
    }

    /// `peer chaincode query` on the first org's peer (Utility's in ours) as its admin. Contract tests use
    /// [`Network::evaluate`].
    pub fn cli_query(&self, chaincode: &str, args: &[&str]) -> Outcome {
        self.cli_query_as(self.lead(), chaincode, args)
    }

    /// `peer chaincode query` on `who`'s peer (`CORE_PEER_ADDRESS`) as `who`.
    pub fn cli_query_as(&self, who: &Identity, chaincode: &str, args: &[&str]) -> Outcome {
        let mut cli = vec!["chaincode".to_string(), "query".into()];
        cli.extend(["-C".into(), self.channel(), "-n".into(), chaincode.into(), "--hex".into()]);
        cli.extend(["-c".into(), ctor(args)]);
        Outcome::from_query(who.peer(&cli))
    }

    /// The channel name (`energy` in ours).
    pub fn channel(&self) -> String {
        self.lead().var("CHANNEL").unwrap_or("energy").to_string()
    }

    /// The decoded block (configtxlator JSON) that holds transaction `txid`, fetched through qscc.
    pub fn block_of(&self, txid: &str) -> Result<serde_json::Value> {
        let channel = self.channel();
        let got = self.cli_query("qscc", &["GetBlockByTxID", &channel, txid]);
        if !got.ok {
            return Err(format!("qscc GetBlockByTxID {txid}: {}", got.error));
        }
        let file = run_dir().join(format!("block-{txid}.pb"));
        std::fs::write(&file, &got.payload).map_err(|e| format!("writing {}: {e}", file.display()))?;
        let args = ["proto_decode", "--type", "common.Block", "--input"].map(String::from);
        let mut args = args.to_vec();
        args.push(file.display().to_string());
        let out = self.lead().command("configtxlator", &args)?;
        let _ = std::fs::remove_file(&file);
        if !out.status.success() {
            return Err(format!("configtxlator: {}", String::from_utf8_lossy(&out.stderr)));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("configtxlator JSON: {e}"))
    }
}

/// `{"Args":[...]}` for `-c`.
fn ctor(args: &[&str]) -> String {
    serde_json::json!({ "Args": args }).to_string()
}

/// A `peer chaincode invoke` about to run; see [`Network::cli_invoke`].
#[derive(Debug)]
pub struct CliInvoke<'a> {
    net: &'a Network,
    chaincode: &'a str,
    args: Vec<String>,
    submitter: Identity,
    peers: Vec<&'a str>,
    transient: BTreeMap<String, String>,
}

impl<'a> CliInvoke<'a> {
    /// Endorse on these orgs' peers only.
    pub fn peers(mut self, orgs: &[&'a str]) -> Self {
        self.peers = orgs.to_vec();
        self
    }

    /// Submit as this identity (its org's peer is not implied: see [`CliInvoke::peers`]).
    pub fn submitter(mut self, who: &Identity) -> Self {
        self.submitter = who.clone();
        self
    }

    /// Add a transient field.
    pub fn transient(mut self, key: &str, value: &[u8]) -> Self {
        self.transient.insert(key.into(), base64::engine::general_purpose::STANDARD.encode(value));
        self
    }

    /// Submit and wait for the commit event of every targeted peer.
    pub fn run(self) -> Outcome {
        let s = &self.submitter;
        let (orderer, cafile) = match (s.var("ORDERER_ADDRESS"), s.var("ORDERER_CA")) {
            (Ok(o), Ok(c)) => (o.to_string(), c.to_string()),
            (Err(e), _) | (_, Err(e)) => return Outcome::harness(e),
        };
        let mut cli: Vec<String> = ["chaincode", "invoke", "-o", &orderer, "--tls", "--cafile", &cafile, "-C"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        cli.extend([self.net.channel(), "-n".into(), self.chaincode.into()]);
        for org in &self.peers {
            let peer = self.net.admin(org);
            match (peer.var("CORE_PEER_ADDRESS"), peer.var("CORE_PEER_TLS_ROOTCERT_FILE")) {
                (Ok(a), Ok(c)) => {
                    cli.extend(["--peerAddresses".into(), a.into(), "--tlsRootCertFiles".into(), c.into()])
                }
                (Err(e), _) | (_, Err(e)) => return Outcome::harness(e),
            }
        }
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        cli.extend(["-c".into(), ctor(&args), "--waitForEvent".into()]);
        if !self.transient.is_empty() {
            cli.extend(["--transient".into(), serde_json::json!(self.transient).to_string()]);
        }
        Outcome::from_invoke(s.peer(&cli))
    }
}

/// What a Gateway or CLI call came back with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The call succeeded (and, for submits and invokes, committed VALID on every targeted peer).
    pub ok: bool,
    /// The chaincode's payload, exact bytes (Gateway: the response; CLI queries via `--hex`; CLI invokes parsed from
    /// the CLI's result line).
    pub payload: Vec<u8>,
    /// Why it failed, for failure messages: the client library's error (Gateway) or the CLI's `Error:` line with
    /// transaction ids replaced by `<txid>` so runs compare (CLI).
    pub error: String,
    /// The transaction id (Gateway submits that reached the orderer; CLI invokes with `--waitForEvent`).
    pub txid: Option<String>,
    /// Gateway calls: the chaincode's response status, 200 on success and the refusal's (403, 409...) when the
    /// chaincode refused; `None` when no chaincode answer came back (an ACL refusal, an invalid commit) and for
    /// CLI calls.
    pub status: Option<i32>,
    /// Gateway submits that reached a block: Fabric's validation code (`VALID`, `ENDORSEMENT_POLICY_FAILURE`,
    /// `MVCC_READ_CONFLICT`...); `None` otherwise and for CLI calls.
    pub validation: Option<String>,
    /// Everything the CLI wrote to stderr, for failure messages (empty for Gateway calls).
    pub stderr: String,
    /// The chaincode's message when the Gateway reported one (see [`Outcome::message`]).
    chaincode_message: Option<String>,
}

impl Outcome {
    fn harness(e: String) -> Self {
        Outcome { error: format!("harness: {e}"), ..Outcome::default() }
    }

    fn from_query(out: Result<Output>) -> Self {
        let out = match out {
            Ok(o) => o,
            Err(e) => return Self::harness(e),
        };
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            match hex::decode(text.trim()) {
                Ok(payload) => Outcome { ok: true, payload, stderr, ..Outcome::default() },
                Err(e) => Self::harness(format!("query output is not hex ({e}): {text}")),
            }
        } else {
            Outcome { error: error_line(&stderr), stderr, ..Outcome::default() }
        }
    }

    fn from_invoke(out: Result<Output>) -> Self {
        let out = match out {
            Ok(o) => o,
            Err(e) => return Self::harness(e),
        };
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let txid = stderr.split("txid [").nth(1).and_then(|rest| rest.split(']').next()).map(str::to_string);
        if out.status.success() {
            let payload = stderr.split("payload:\"").nth(1).map(unquote_prototext).unwrap_or_default();
            Outcome { ok: true, payload, txid, stderr, ..Outcome::default() }
        } else {
            Outcome { error: error_line(&stderr), txid, stderr, ..Outcome::default() }
        }
    }

    /// The payload as UTF-8 (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.payload).into_owned()
    }

    /// The payload parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_slice(&self.payload).map_err(|e| format!("payload {:?} is not JSON: {e}", self.text()))
    }

    /// The chaincode's error message: as the chaincode returned it (Gateway), or as the peer CLI quotes it in
    /// `message:"..."` (CLI); empty when there is none.
    pub fn message(&self) -> String {
        if let Some(m) = &self.chaincode_message {
            return m.clone();
        }
        self.error
            .split("message:\"")
            .nth(1)
            .map(|m| String::from_utf8_lossy(&unquote_prototext(m)).into_owned())
            .unwrap_or_default()
    }
}

/// The CLI's `Error: ...` line; 64-hex transaction ids are masked so two runs compare equal.
fn error_line(stderr: &str) -> String {
    let line = stderr.lines().find(|l| l.starts_with("Error:")).unwrap_or(stderr.trim());
    line.split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| w.len() == 64)
        .fold(line.to_string(), |acc, id| acc.replace(id, "<txid>"))
}

/// Reads a Go prototext string body (after the opening quote) up to its closing quote, undoing the escapes.
fn unquote_prototext(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => break,
            b'\\' if i + 1 < bytes.len() => {
                i += 1;
                match bytes[i] {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'x' => {
                        let hex = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                        out.push(hex.unwrap_or(b'?'));
                        i += 2;
                    }
                    b'0'..=b'7' => {
                        let oct = s.get(i..i + 3).and_then(|o| u8::from_str_radix(o, 8).ok());
                        out.push(oct.unwrap_or(b'?'));
                        i += 2;
                    }
                    other => out.push(other),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Every chaincode event (`{"chaincode_id","tx_id","event_name","payload"}` with the payload decoded) in a
/// configtxlator block JSON.
pub fn events_in_block(block: &serde_json::Value) -> Vec<(String, String, Vec<u8>)> {
    let mut found = Vec::new();
    collect_events(block, &mut found);
    found
}

fn collect_events(v: &serde_json::Value, found: &mut Vec<(String, String, Vec<u8>)>) {
    match v {
        serde_json::Value::Object(map) => {
            if let (Some(name), Some(cc)) = (map.get("event_name"), map.get("chaincode_id")) {
                let payload = map
                    .get("payload")
                    .and_then(|p| p.as_str())
                    .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
                    .unwrap_or_default();
                found.push((cc.as_str().unwrap_or("").into(), name.as_str().unwrap_or("").into(), payload));
            }
            map.values().for_each(|x| collect_events(x, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|x| collect_events(x, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prototext_unquoting() {
        assert_eq!(unquote_prototext(r#"a\"b\\c\n\303\251" rest"#), "a\"b\\c\né".as_bytes());
        assert_eq!(unquote_prototext(r#"[\"x\"]"#), br#"["x"]"#);
    }

    #[test]
    fn error_lines_mask_txids() {
        let id = "ab".repeat(32);
        let stderr = format!("noise\nError: transaction {id} invalidated\n");
        assert_eq!(error_line(&stderr), "Error: transaction <txid> invalidated");
    }
}
