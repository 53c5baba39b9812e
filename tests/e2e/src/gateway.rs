//! The harness's Gateway path: the contracts reached the way applications and `gridctl` reach them, through
//! `gridledger-client`, as an identity of the run directory (its MSP directory `CORE_PEER_MSPCONFIGPATH`, its peer
//! `CORE_PEER_ADDRESS` and that peer's TLS root `CORE_PEER_TLS_ROOTCERT_FILE`, from `scripts/env.sh`).
//!
//! One tokio runtime serves the whole test binary; each call connects afresh (a TLS handshake on localhost), so
//! tests running in parallel never wait on each other's connection.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use gridledger_client::{Committed, Error, Gateway, Invocation, PeerTarget, Signer, Tls};
use tokio::runtime::Runtime;

use crate::{Identity, Network, Outcome, Result};

/// The harness's one runtime (built on first use).
fn runtime() -> Result<&'static Runtime> {
    static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| format!("tokio runtime: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Identity {
    /// A Gateway connection to this identity's peer, signing as this identity.
    async fn connect(&self) -> Result<Gateway> {
        let msp = self.var("CORE_PEER_LOCALMSPID")?;
        let signer = Signer::from_msp_dir(msp, Path::new(self.var("CORE_PEER_MSPCONFIGPATH")?))
            .map_err(|e| format!("identity {}/{}: {e}", self.org, self.user))?;
        let tls = Tls::from_ca_file(Path::new(self.var("CORE_PEER_TLS_ROOTCERT_FILE")?))
            .map_err(|e| format!("TLS root of {}/{}: {e}", self.org, self.user))?;
        let target = PeerTarget { address: self.var("CORE_PEER_ADDRESS")?.to_string(), tls: Some(tls) };
        Gateway::connect(&target, signer).await.map_err(|e| format!("{e}"))
    }
}

impl Network {
    /// A transaction through the Fabric Gateway: as the first org's admin (Utility's in ours) by default, endorsed by
    /// every org's peer, waiting until it is committed on each of them; see [`Submit`].
    pub fn submit<'a>(&'a self, chaincode: &'a str, args: &[&str]) -> Submit<'a> {
        Submit {
            net: self,
            chaincode,
            args: args.iter().map(|s| (*s).to_string()).collect(),
            submitter: self.lead().clone(),
            endorsers: self.orgs(),
            transient: BTreeMap::new(),
        }
    }

    /// A query through the Fabric Gateway on the first org's peer (Utility's in ours) as its admin.
    pub fn evaluate(&self, chaincode: &str, args: &[&str]) -> Outcome {
        self.evaluate_as(self.lead(), chaincode, args)
    }

    /// A query through the Fabric Gateway as `who`, run on `who`'s peer (its own org's, or the one
    /// [`Identity::at_peer_of`] moved it to): the gateway is told to evaluate on that org only.
    pub fn evaluate_as(&self, who: &Identity, chaincode: &str, args: &[&str]) -> Outcome {
        let mut inv = Invocation::new(&self.channel(), chaincode, args);
        inv.endorsing_orgs = vec![who.peer_msp.clone()];
        let run = async {
            let gateway = who.connect().await?;
            Ok(gateway.evaluate(&inv).await)
        };
        match runtime().and_then(|rt| rt.block_on(run)) {
            Err(e) => Outcome::harness(e),
            Ok(Ok(response)) => {
                Outcome { ok: true, payload: response.payload, status: Some(response.status), ..Outcome::default() }
            }
            Ok(Err(e)) => Outcome::refused(&e),
        }
    }
}

/// A transaction about to be submitted through the Gateway; see [`Network::submit`].
#[derive(Debug)]
#[must_use = "nothing is submitted until run()"]
pub struct Submit<'a> {
    net: &'a Network,
    chaincode: &'a str,
    args: Vec<String>,
    submitter: Identity,
    endorsers: Vec<&'a str>,
    transient: BTreeMap<String, Vec<u8>>,
}

impl<'a> Submit<'a> {
    /// Submit as this identity, through its own peer (which endorses only if its org is among the endorsers).
    pub fn submitter(mut self, who: &Identity) -> Self {
        self.submitter = who.clone();
        self
    }

    /// Endorse on these orgs' peers only (the gateway's `endorsing_organizations`), e.g. one org alone to prove that
    /// the endorsement policy refuses it at commit.
    pub fn endorsers(mut self, orgs: &[&'a str]) -> Self {
        self.endorsers = orgs.to_vec();
        self
    }

    /// Add a transient field (given to the chaincode, never written to the ledger).
    pub fn transient(mut self, key: &str, value: &[u8]) -> Self {
        self.transient.insert(key.into(), value.to_vec());
        self
    }

    /// Endorse, submit and wait for the commit on the submitter's peer and on every endorsing org's peer (what the
    /// CLI's `--waitForEvent` waits for), so a read on any of them right after sees the transaction.
    pub fn run(self) -> Outcome {
        let net = self.net;
        let admins: Vec<&Identity> = self.endorsers.iter().map(|org| net.admin(org)).collect();
        let mut inv = Invocation::new(&net.channel(), self.chaincode, &self.args);
        inv.transient = self.transient.into_iter().collect::<HashMap<_, _>>();
        inv.endorsing_orgs = admins.iter().map(|a| a.peer_msp.clone()).collect();
        let submitter = &self.submitter;
        let run = async {
            let mut gateway = submitter.connect().await?;
            let done = gateway.submit(&inv).await;
            let tx_id = match &done {
                Ok(c) => Some(c.tx_id.clone()),
                Err(Error::Invalid { tx_id, .. }) => Some(tx_id.clone()),
                Err(_) => None,
            };
            // A transaction in a block, valid or not, is in that block on every peer: wait for the others too.
            if let Some(tx_id) = tx_id {
                let own = submitter.var("CORE_PEER_ADDRESS")?;
                for admin in admins.iter().filter(|a| a.var("CORE_PEER_ADDRESS").is_ok_and(|p| p != own)) {
                    let mut other = admin.connect().await?;
                    match (other.commit_status(&inv.channel, &tx_id).await, &done) {
                        (Ok(_), Ok(_)) | (Err(Error::Invalid { .. }), Err(_)) => {}
                        (got, _) => {
                            let on = admin.var("CORE_PEER_ADDRESS")?;
                            return Err(format!("{tx_id} on {on}: {got:?}, on the submitter's peer: {done:?}"));
                        }
                    }
                }
            }
            Ok(done)
        };
        match runtime().and_then(|rt| rt.block_on(run)) {
            Err(e) => Outcome::harness(e),
            Ok(Ok(done)) => Outcome::committed(done),
            Ok(Err(e)) => Outcome::refused(&e),
        }
    }
}

impl Outcome {
    /// A transaction committed VALID.
    fn committed(done: Committed) -> Self {
        Outcome {
            ok: true,
            payload: done.response.payload,
            txid: Some(done.tx_id),
            status: Some(done.response.status),
            validation: Some("VALID".into()),
            ..Outcome::default()
        }
    }

    /// A refused call: the chaincode's status and message when it refused, the validation code when the
    /// transaction committed invalid, the client library's error text always.
    fn refused(e: &Error) -> Self {
        let (status, chaincode_message) = e.chaincode_response().unzip();
        let (txid, validation) = match e {
            Error::Invalid { tx_id, code, .. } => (Some(tx_id.clone()), Some(code.clone())),
            _ => (None, None),
        };
        Outcome { error: e.to_string(), txid, status, validation, chaincode_message, ..Outcome::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_commits_carry_their_code_and_txid() {
        let e = Error::Invalid { tx_id: "ab".into(), block: 7, code: "ENDORSEMENT_POLICY_FAILURE".into() };
        let o = Outcome::refused(&e);
        assert!(!o.ok);
        assert_eq!((o.txid.as_deref(), o.validation.as_deref()), (Some("ab"), Some("ENDORSEMENT_POLICY_FAILURE")));
        assert_eq!((o.status, o.message()), (None, String::new()));
        assert!(o.error.contains("as invalid: ENDORSEMENT_POLICY_FAILURE"), "{}", o.error);
    }

    #[test]
    fn a_refusal_without_a_chaincode_answer_has_no_status() {
        let o = Outcome::refused(&Error::Malformed("x"));
        assert_eq!((o.ok, o.status, o.validation.as_deref(), o.message()), (false, None, None, String::new()));
    }
}
