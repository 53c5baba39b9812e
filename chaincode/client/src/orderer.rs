//! The ordering service's AtomicBroadcast API: fetch blocks (Deliver) — the
//! newest, or the channel's latest config block — and broadcast an envelope
//! (e.g. a signed config update).

use gridledger_protos::common::{
    Block, BlockMetadataIndex, ChannelHeader, Envelope, Header, HeaderType, Metadata, OrdererBlockMetadata, Payload,
    SignatureHeader, Status,
};
use gridledger_protos::orderer::atomic_broadcast_client::AtomicBroadcastClient;
use gridledger_protos::orderer::deliver_response::Type as DeliverType;
use gridledger_protos::orderer::seek_info::SeekBehavior;
use gridledger_protos::orderer::seek_position::Type as Seek;
use gridledger_protos::orderer::{SeekInfo, SeekNewest, SeekPosition, SeekSpecified};
use prost::Message as _;
use tonic::transport::Channel;

use crate::error::{Error, Result};
use crate::gateway::{PeerTarget, endpoint};
use crate::identity::Signer;
use crate::proposal;
use crate::text::{peer_message, quote};

/// A connection to one orderer, acting as a signer (Deliver checks the
/// channel's Readers policy; Broadcast its Writers policy and, for config
/// updates, the signatures inside).
#[derive(Debug)]
pub struct Orderer {
    client: AtomicBroadcastClient<Channel>,
    signer: Signer,
}

impl Orderer {
    /// Connects to the orderer at `target` (TLS when set).
    pub async fn connect(target: &PeerTarget, signer: Signer) -> Result<Self> {
        let channel = endpoint(target)?
            .connect()
            .await
            .map_err(|source| Error::Connect { address: target.address.clone(), source })?;
        Ok(Orderer { client: AtomicBroadcastClient::new(channel), signer })
    }

    /// The newest block of `channel`.
    pub async fn newest_block(&mut self, channel: &str) -> Result<Block> {
        self.block(channel, Seek::Newest(SeekNewest {})).await
    }

    /// Block `number` of `channel`.
    pub async fn block_number(&mut self, channel: &str, number: u64) -> Result<Block> {
        self.block(channel, Seek::Specified(SeekSpecified { number })).await
    }

    /// The channel's latest config block (the newest block names it in its metadata).
    pub async fn config_block(&mut self, channel: &str) -> Result<Block> {
        let newest = self.newest_block(channel).await?;
        let index = last_config_index(&newest)?;
        let number = newest.header.as_ref().map_or(0, |h| h.number);
        if index == number { Ok(newest) } else { self.block_number(channel, index).await }
    }

    async fn block(&mut self, channel: &str, seek: Seek) -> Result<Block> {
        let position = SeekPosition { r#type: Some(seek) };
        let info = SeekInfo {
            start: Some(position),
            stop: Some(position),
            behavior: SeekBehavior::FailIfNotReady as i32,
            ..SeekInfo::default()
        };
        let request = self.envelope(HeaderType::DeliverSeekInfo, channel, info.encode_to_vec())?;
        let mut stream = self
            .client
            .deliver(futures_util::stream::iter(vec![request]))
            .await
            .map_err(Error::rpc("deliver"))?
            .into_inner();
        let mut block = None;
        while let Some(msg) = stream.message().await.map_err(Error::rpc("deliver"))? {
            match msg.r#type {
                Some(DeliverType::Block(b)) => block = Some(b),
                Some(DeliverType::Status(s)) if s == Status::Success as i32 => break,
                Some(DeliverType::Status(s)) => {
                    let name = Status::try_from(s).map_or("unknown", |st| st.as_str_name());
                    return Err(Error::Orderer(format!(
                        "deliver on {}: orderer answered {name} ({s})",
                        quote(channel)
                    )));
                }
                None => {}
            }
        }
        block.ok_or_else(|| Error::Orderer(format!("deliver on {}: no block came back", quote(channel))))
    }

    /// Sends `envelope` to the orderer; `Ok(())` when it answers SUCCESS.
    pub async fn broadcast(&mut self, envelope: Envelope) -> Result<()> {
        let mut stream = self
            .client
            .broadcast(futures_util::stream::iter(vec![envelope]))
            .await
            .map_err(Error::rpc("broadcast"))?
            .into_inner();
        let response = stream
            .message()
            .await
            .map_err(Error::rpc("broadcast"))?
            .ok_or_else(|| Error::Orderer("broadcast: the orderer closed without an answer".into()))?;
        if response.status == Status::Success as i32 {
            return Ok(());
        }
        let name = Status::try_from(response.status).map_or("unknown", |st| st.as_str_name());
        Err(Error::Orderer(format!(
            "broadcast refused: {name} ({}): {}",
            response.status,
            peer_message(&response.info)
        )))
    }

    fn envelope(&self, kind: HeaderType, channel: &str, data: Vec<u8>) -> Result<Envelope> {
        let nonce = proposal::nonce()?;
        let channel_header = ChannelHeader {
            r#type: kind as i32,
            channel_id: channel.to_owned(),
            timestamp: Some(proposal::now()?),
            ..ChannelHeader::default()
        };
        let signature_header = SignatureHeader { creator: self.signer.creator(), nonce: nonce.to_vec() };
        let payload = Payload {
            header: Some(Header {
                channel_header: channel_header.encode_to_vec(),
                signature_header: signature_header.encode_to_vec(),
            }),
            data,
        }
        .encode_to_vec();
        let signature = self.signer.sign(&payload)?;
        Ok(Envelope { payload, signature })
    }
}

/// The number of the config block a block's metadata names.
pub fn last_config_index(block: &Block) -> Result<u64> {
    let bad = |what: &str| Error::Orderer(format!("block metadata: {what}"));
    let raw = block
        .metadata
        .as_ref()
        .and_then(|m| m.metadata.get(BlockMetadataIndex::Signatures as usize))
        .ok_or_else(|| bad("no SIGNATURES entry"))?;
    let meta = Metadata::decode(raw.as_slice()).map_err(|_| bad("malformed SIGNATURES entry"))?;
    let orderer = OrdererBlockMetadata::decode(meta.value.as_slice()).map_err(|_| bad("malformed orderer metadata"))?;
    Ok(orderer.last_config.map_or(0, |l| l.index))
}
