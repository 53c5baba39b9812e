//! A Fabric Gateway client over TLS: `Evaluate`, `Endorse` → sign → `Submit` → `CommitStatus`, and the
//! `ChaincodeEvents` stream. Every request that carries an identity is signed with the client's key.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};
use gridledger_protos::gateway::gateway_client::GatewayClient;
use gridledger_protos::gateway::{
    ChaincodeEventsRequest, ChaincodeEventsResponse, CommitStatusRequest, EndorseRequest, ErrorDetail, EvaluateRequest,
    SignedChaincodeEventsRequest, SignedCommitStatusRequest, SubmitRequest,
};
use gridledger_protos::orderer::{SeekNextCommit, SeekPosition, SeekSpecified, seek_position};
use gridledger_protos::peer::{Response, TxValidationCode};
use prost::Message as _;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::identity::Signer;
use crate::proposal::{self, Invocation, Signed};

/// Where the gateway peer is and how to trust it.
#[derive(Debug, Clone)]
pub struct PeerTarget {
    /// `host:port` of the peer.
    pub address: String,
    /// PEM file of the CA that issued the peer's TLS certificate; `None` dials without TLS.
    pub tls_ca: Option<std::path::PathBuf>,
    /// Name to check the peer's certificate against (default: the host of `address`).
    pub tls_hostname: Option<String>,
}

/// Which signature to break on purpose (tests of the peer's checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
}

/// The `google.rpc.Status` carried in `grpc-status-details-bin`, to show the gateway's per-peer details.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

/// The most bytes of one peer message gridctl prints or logs: a chaincode or peer may answer with anything, and
/// a message that echoes a large argument should not flood the terminal or a log.
pub const MAX_PEER_MESSAGE: usize = 1024;

/// A peer's or chaincode's message as gridctl shows it: cut to [`MAX_PEER_MESSAGE`], control characters escaped.
pub fn peer_message(message: &str) -> std::borrow::Cow<'_, str> {
    gridledger_contract::clip(message, MAX_PEER_MESSAGE)
}

/// A gRPC error as text: the gateway's message plus each endorser's or orderer's detail.
pub fn describe(status: &tonic::Status) -> String {
    let mut text = format!("{:?}: {}", status.code(), peer_message(status.message()));
    if let Ok(rpc) = RpcStatus::decode(status.details()) {
        for any in rpc.details {
            if let Ok(d) = ErrorDetail::decode(any.value.as_slice()) {
                let (address, msp) = (peer_message(&d.address), peer_message(&d.msp_id));
                text.push_str(&format!("\n  {address} ({msp}): {}", peer_message(&d.message)));
            }
        }
    }
    text
}

fn flip(sig: &mut [u8]) {
    if let Some(last) = sig.last_mut() {
        *last ^= 1;
    }
}

impl Gateway {
    /// Connects to the peer (TLS when a CA is given).
    pub async fn connect(target: &PeerTarget, signer: Signer) -> anyhow::Result<Self> {
        let scheme = if target.tls_ca.is_some() { "https" } else { "http" };
        let mut endpoint = Endpoint::from_shared(format!("{scheme}://{}", target.address))
            .with_context(|| {
                format!("bad peer address {} (want host:port)", gridledger_contract::quote(&target.address))
            })?
            .connect_timeout(Duration::from_secs(10));
        if let Some(ca) = &target.tls_ca {
            endpoint = endpoint.tls_config(tls(ca, target)?)?;
        }
        let channel = endpoint.connect().await.with_context(|| {
            format!("cannot reach the gateway peer at {} (is the network up? right --peer/--tls-ca?)", target.address)
        })?;
        Ok(Gateway { client: GatewayClient::new(channel), signer })
    }

    /// The client identity.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    fn proposal(&self, inv: &Invocation) -> anyhow::Result<Signed> {
        proposal::build(&self.signer, inv, &proposal::nonce()?)
    }

    /// Runs a query on one peer; nothing is ordered.
    pub async fn evaluate(&mut self, inv: &Invocation) -> anyhow::Result<Response> {
        let signed = self.proposal(inv)?;
        let req = EvaluateRequest {
            transaction_id: signed.tx_id,
            channel_id: inv.channel.clone(),
            proposed_transaction: Some(signed.proposal),
            target_organizations: vec![],
        };
        let resp = self.client.evaluate(req).await.map_err(|s| anyhow::anyhow!("evaluate: {}", describe(&s)))?;
        resp.into_inner().result.context("the gateway returned no result")
    }

    /// Endorses, signs, submits and waits for the commit of one transaction.
    pub async fn submit(&mut self, inv: &Invocation, tamper: Option<Tamper>) -> anyhow::Result<Committed> {
        let mut signed = self.proposal(inv)?;
        if tamper == Some(Tamper::Proposal) {
            flip(&mut signed.proposal.signature);
        }
        let tx_id = signed.tx_id.clone();
        let req = EndorseRequest {
            transaction_id: tx_id.clone(),
            channel_id: inv.channel.clone(),
            proposed_transaction: Some(signed.proposal),
            endorsing_organizations: inv.endorsing_orgs.clone(),
        };
        let endorsed = self.client.endorse(req).await.map_err(|s| anyhow::anyhow!("endorse: {}", describe(&s)))?;
        let mut envelope = endorsed.into_inner().prepared_transaction.context("the gateway prepared no transaction")?;
        let response = proposal::response_of(&envelope)?;
        envelope.signature = self.signer.sign(&envelope.payload)?;
        if tamper == Some(Tamper::Transaction) {
            flip(&mut envelope.signature);
        }
        let req = SubmitRequest {
            transaction_id: tx_id.clone(),
            channel_id: inv.channel.clone(),
            prepared_transaction: Some(envelope),
        };
        self.client.submit(req).await.map_err(|s| anyhow::anyhow!("submit {tx_id}: {}", describe(&s)))?;
        let block = self.commit_status(&inv.channel, &tx_id).await?;
        Ok(Committed { tx_id, response, block })
    }

    /// Waits for `tx_id` to commit; an error unless it is VALID.
    pub async fn commit_status(&mut self, channel: &str, tx_id: &str) -> anyhow::Result<u64> {
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
            .map_err(|s| anyhow::anyhow!("commit status of {tx_id}: {}", describe(&s)))?
            .into_inner();
        if status.result != TxValidationCode::Valid as i32 {
            let code = TxValidationCode::try_from(status.result).map_or("UNKNOWN", |c| c.as_str_name());
            bail!("transaction {tx_id} committed in block {} as invalid: {code}", status.block_number);
        }
        Ok(status.block_number)
    }

    /// Streams the chaincode's events from `start_block` (default: the next commit).
    pub async fn events(
        &mut self,
        channel: &str,
        chaincode: &str,
        start_block: Option<u64>,
    ) -> anyhow::Result<tonic::Streaming<ChaincodeEventsResponse>> {
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
            .map_err(|s| anyhow::anyhow!("chaincode events: {}", describe(&s)))?;
        Ok(stream.into_inner())
    }
}

fn tls(ca: &Path, target: &PeerTarget) -> anyhow::Result<ClientTlsConfig> {
    let pem = std::fs::read(ca).with_context(|| format!("reading TLS CA certificate {}", ca.display()))?;
    let host = match &target.tls_hostname {
        Some(h) => h.clone(),
        None => target.address.rsplit_once(':').map_or(target.address.as_str(), |(h, _)| h).to_string(),
    };
    Ok(ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem)).domain_name(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_messages_are_shown_short_and_on_one_line() {
        assert_eq!(peer_message("asset pv-1 does not exist"), "asset pv-1 does not exist");
        assert_eq!(peer_message("two\nlines\u{1b}[2J"), r"two\nlines\u{1b}[2J");
        let echoed = format!("no order {} for interval 900", "x".repeat(10 * 1024 * 1024));
        let shown = peer_message(&echoed);
        assert!(shown.len() < MAX_PEER_MESSAGE + 32, "{}", shown.len());
        assert!(shown.ends_with(" … (10485786 bytes)"), "{}", &shown[shown.len() - 30..]);
        let status = tonic::Status::aborted(echoed);
        assert!(describe(&status).len() < MAX_PEER_MESSAGE + 64);
    }
}
