//! A connected Fabric Gateway client: `Evaluate`, `Endorse` → sign → `Submit` → `CommitStatus`, and the
//! `ChaincodeEvents` stream. Every request that carries an identity is signed with the client's key.

use std::path::Path;
use std::time::{Duration, Instant};

use gridledger_protos::gateway::gateway_client::GatewayClient;
use gridledger_protos::gateway::{
    ChaincodeEventsRequest, ChaincodeEventsResponse, CommitStatusRequest, EndorseRequest, EvaluateRequest,
    SignedChaincodeEventsRequest, SignedCommitStatusRequest, SubmitRequest,
};
use gridledger_protos::orderer::{SeekNextCommit, SeekPosition, SeekSpecified, seek_position};
use gridledger_protos::peer::{Response, TxValidationCode};
use prost::Message as _;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};

use crate::error::{Error, Result};
use crate::identity::{Signer, read};
use crate::proposal::{self, Invocation, Signed};

/// How long connecting to the peer may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the gateway peer is and how to trust it.
#[derive(Debug, Clone, Default)]
pub struct PeerTarget {
    /// `host:port` of the peer.
    pub address: String,
    /// TLS settings; `None` dials in plaintext.
    pub tls: Option<Tls>,
}

/// TLS to the peer.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// PEM of the CA that issued the peer's TLS certificate.
    pub ca_pem: Vec<u8>,
    /// Name to check the peer's certificate against (default: the host of the address).
    pub server_name: Option<String>,
    /// Client certificate and key (PEM) for peers that require mutual TLS (`clientAuthRequired`).
    pub client: Option<ClientTls>,
}

/// A TLS client certificate and its key, both PEM.
#[derive(Clone, Default)]
pub struct ClientTls {
    /// The certificate.
    pub cert_pem: Vec<u8>,
    /// The private key.
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls").field("cert_pem", &self.cert_pem.len()).finish_non_exhaustive()
    }
}

impl Tls {
    /// TLS trusting the CA in `ca_file`.
    pub fn from_ca_file(ca_file: &Path) -> Result<Self> {
        Ok(Tls { ca_pem: read(ca_file)?, ..Tls::default() })
    }

    /// Adds the client certificate and key files for mutual TLS.
    pub fn with_client_files(self, cert: &Path, key: &Path) -> Result<Self> {
        Ok(Tls { client: Some(ClientTls { cert_pem: read(cert)?, key_pem: read(key)? }), ..self })
    }
}

/// Which signature to break on purpose (tests that the peer checks them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// Flip a bit of the proposal signature: endorsement must be refused.
    Proposal,
    /// Flip a bit of the transaction envelope signature: the transaction must not commit.
    Transaction,
}

/// A connected gateway client acting as one identity.
#[derive(Debug)]
pub struct Gateway {
    client: GatewayClient<Channel>,
    signer: Signer,
}

/// The outcome of a submitted transaction.
#[derive(Debug, Clone)]
pub struct Committed {
    /// Transaction id.
    pub tx_id: String,
    /// Chaincode response the endorsers agreed on.
    pub response: Response,
    /// Block that holds the transaction.
    pub block: u64,
    /// From the proposal to the gateway's endorsed answer: the endorsers' chaincode runs, in parallel.
    pub endorsed_in: Duration,
    /// From the endorsed answer to the commit status: signing, ordering, block cutting and validation.
    pub committed_in: Duration,
}

/// The chaincode events of one block.
pub type EventStream = tonic::Streaming<ChaincodeEventsResponse>;

fn flip(sig: &mut [u8]) {
    if let Some(last) = sig.last_mut() {
        *last ^= 1;
    }
}

/// `host:port` split at its last colon, when the host is not empty and the port is a number up to 65535: the one
/// check of a peer, orderer, chaincode server or anchor peer address (the host itself is the resolver's business).
pub fn host_port(address: &str) -> Option<(&str, u16)> {
    let (host, port) = address.rsplit_once(':')?;
    if host.is_empty() { None } else { port.parse().ok().map(|port| (host, port)) }
}

/// The host part of `host:port` (brackets of an IPv6 literal removed).
fn host_of(address: &str) -> &str {
    let host = address.rsplit_once(':').map_or(address, |(h, _)| h);
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

pub(crate) fn endpoint(target: &PeerTarget) -> Result<Endpoint> {
    let bad = || Error::Address(target.address.clone());
    if host_port(&target.address).is_none() {
        return Err(bad());
    }
    let scheme = if target.tls.is_some() { "https" } else { "http" };
    let endpoint = Endpoint::from_shared(format!("{scheme}://{}", target.address))
        .map_err(|_| bad())?
        .connect_timeout(CONNECT_TIMEOUT);
    let Some(tls) = &target.tls else { return Ok(endpoint) };
    let name = tls.server_name.clone().unwrap_or_else(|| host_of(&target.address).to_string());
    let mut config = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&tls.ca_pem)).domain_name(name);
    if let Some(client) = &tls.client {
        config = config.identity(Identity::from_pem(&client.cert_pem, &client.key_pem));
    }
    endpoint.tls_config(config).map_err(|source| Error::Tls { address: target.address.clone(), source })
}

impl Gateway {
    /// Connects to the peer (TLS when [`PeerTarget::tls`] is set) and acts as `signer`.
    pub async fn connect(target: &PeerTarget, signer: Signer) -> Result<Self> {
        let channel = endpoint(target)?
            .connect()
            .await
            .map_err(|source| Error::Connect { address: target.address.clone(), source })?;
        Ok(Gateway { client: GatewayClient::new(channel), signer })
    }

    /// The client identity.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    fn proposal(&self, inv: &Invocation) -> Result<Signed> {
        proposal::build(&self.signer, inv, &proposal::nonce()?)
    }

    /// Runs a query on one peer (one of [`Invocation::endorsing_orgs`]' peers when it names any); nothing is
    /// ordered. Takes `&self`: calls run concurrently on the one HTTP/2 connection (the tonic client is a cheap
    /// clone of it).
    pub async fn evaluate(&self, inv: &Invocation) -> Result<Response> {
        let signed = self.proposal(inv)?;
        let req = EvaluateRequest {
            transaction_id: signed.tx_id,
            channel_id: inv.channel.clone(),
            proposed_transaction: Some(signed.proposal),
            target_organizations: inv.endorsing_orgs.clone(),
        };
        let resp = self.client.clone().evaluate(req).await.map_err(Error::rpc("evaluate"))?;
        resp.into_inner().result.ok_or(Error::Malformed("the gateway returned no result"))
    }

    /// Endorses, signs, submits and waits for the commit of one transaction.
    pub async fn submit(&mut self, inv: &Invocation) -> Result<Committed> {
        self.submit_tampered(inv, None).await
    }

    /// [`Gateway::submit`], breaking one signature on purpose (to test that the network refuses it).
    pub async fn submit_tampered(&mut self, inv: &Invocation, tamper: Option<Tamper>) -> Result<Committed> {
        let mut signed = self.proposal(inv)?;
        if tamper == Some(Tamper::Proposal) {
            flip(&mut signed.proposal.signature);
        }
        let tx_id = signed.tx_id.clone();
        let started = Instant::now();
        let req = EndorseRequest {
            transaction_id: tx_id.clone(),
            channel_id: inv.channel.clone(),
            proposed_transaction: Some(signed.proposal),
            endorsing_organizations: inv.endorsing_orgs.clone(),
        };
        let endorsed = self.client.endorse(req).await.map_err(Error::rpc("endorse"))?;
        let mut envelope = endorsed
            .into_inner()
            .prepared_transaction
            .ok_or(Error::Malformed("the gateway prepared no transaction"))?;
        let response = proposal::response_of(&envelope)?;
        let endorsed_in = started.elapsed();
        envelope.signature = self.signer.sign(&envelope.payload)?;
        if tamper == Some(Tamper::Transaction) {
            flip(&mut envelope.signature);
        }
        let req = SubmitRequest {
            transaction_id: tx_id.clone(),
            channel_id: inv.channel.clone(),
            prepared_transaction: Some(envelope),
        };
        self.client.submit(req).await.map_err(Error::rpc(format!("submit {tx_id}")))?;
        let block = self.commit_status(&inv.channel, &tx_id).await?;
        let committed_in = started.elapsed().saturating_sub(endorsed_in);
        Ok(Committed { tx_id, response, block, endorsed_in, committed_in })
    }

    /// Waits for `tx_id` to commit; its block, or [`Error::Invalid`] unless it is VALID.
    pub async fn commit_status(&mut self, channel: &str, tx_id: &str) -> Result<u64> {
        let request = CommitStatusRequest {
            transaction_id: tx_id.into(),
            channel_id: channel.into(),
            identity: self.signer.creator(),
        }
        .encode_to_vec();
        let signature = self.signer.sign(&request)?;
        let status = self
            .client
            .commit_status(SignedCommitStatusRequest { request, signature })
            .await
            .map_err(Error::rpc(format!("commit status of {tx_id}")))?
            .into_inner();
        if status.result != TxValidationCode::Valid as i32 {
            let code = TxValidationCode::try_from(status.result).map_or("UNKNOWN", |c| c.as_str_name());
            return Err(Error::Invalid { tx_id: tx_id.into(), block: status.block_number, code: code.into() });
        }
        Ok(status.block_number)
    }

    /// Streams the chaincode's events from `start_block` (default: the next block committed).
    pub async fn events(&mut self, channel: &str, chaincode: &str, start_block: Option<u64>) -> Result<EventStream> {
        let start = match start_block {
            Some(number) => seek_position::Type::Specified(SeekSpecified { number }),
            None => seek_position::Type::NextCommit(SeekNextCommit {}),
        };
        let request = ChaincodeEventsRequest {
            channel_id: channel.into(),
            chaincode_id: chaincode.into(),
            identity: self.signer.creator(),
            start_position: Some(SeekPosition { r#type: Some(start) }),
            after_transaction_id: String::new(),
        }
        .encode_to_vec();
        let signature = self.signer.sign(&request)?;
        let stream = self
            .client
            .chaincode_events(SignedChaincodeEventsRequest { request, signature })
            .await
            .map_err(Error::rpc("chaincode events"))?;
        Ok(stream.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_server_names() {
        assert_eq!(host_of("peer0.grid:8051"), "peer0.grid");
        assert_eq!(host_of("[::1]:7051"), "::1");
        for bad in ["peer0", ":7051", "peer0:port", "peer0:70000"] {
            let target = PeerTarget { address: bad.into(), tls: None };
            assert!(matches!(endpoint(&target), Err(Error::Address(_))), "{bad}");
        }
        assert!(endpoint(&PeerTarget { address: "127.0.0.1:7051".into(), tls: None }).is_ok());
    }

    #[tokio::test]
    async fn an_unreachable_peer_is_a_connect_error() {
        // Port 9 (discard) on localhost: nothing listens there in a test environment.
        let target = PeerTarget { address: "127.0.0.1:9".into(), tls: None };
        let signer = crate::identity::tests_support::signer("M");
        let err = Gateway::connect(&target, signer).await.expect_err("nothing listens");
        assert!(matches!(err, Error::Connect { .. }), "{err}");
    }
}
