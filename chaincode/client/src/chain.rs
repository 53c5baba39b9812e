//! The channel itself, read through the Gateway's evaluate: a peer's block height (qscc `GetChainInfo`), a block
//! with its transactions and their validation codes (qscc `GetBlockByNumber`), the channel's configuration
//! (cscc `GetChannelConfig`), and which organizations approved a committed chaincode definition
//! (`_lifecycle` `QueryChaincodeDefinition`).
//!
//! Each call may name the organization whose peer answers: the gateway sends an evaluate with
//! `target_organizations` to one of that organization's peers (Fabric's `internal/pkg/gateway` evaluator), so the
//! heights of every organization's peers can be compared through one gateway.

use std::collections::BTreeMap;

use gridledger_protos::common::{Block, BlockMetadataIndex, ChannelHeader, Config, Envelope, HeaderType, Payload};
use gridledger_protos::peer::{ChaincodeHeaderExtension, TxValidationCode};
use prost::Message;

use crate::error::{Error, Result};
use crate::gateway::Gateway;
use crate::proposal::Invocation;

/// `common.BlockchainInfo` (common/ledger.proto, not among the vendored protos): the fields read.
#[derive(Clone, PartialEq, Message)]
struct BlockchainInfo {
    #[prost(uint64, tag = "1")]
    height: u64,
    #[prost(bytes = "vec", tag = "2")]
    current_block_hash: Vec<u8>,
}

/// `lifecycle.QueryChaincodeDefinitionResult` (peer/lifecycle/lifecycle.proto): the fields read.
#[derive(Clone, PartialEq, Message)]
struct ChaincodeDefinition {
    #[prost(int64, tag = "1")]
    sequence: i64,
    #[prost(map = "string, bool", tag = "8")]
    approvals: std::collections::HashMap<String, bool>,
}

/// One transaction of a block, as a block explorer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The transaction id (empty for a configuration transaction without one).
    pub tx_id: String,
    /// The header type (`ENDORSER_TRANSACTION`, `CONFIG`…).
    pub kind: String,
    /// The client's timestamp, Unix seconds.
    pub timestamp: Option<i64>,
    /// The chaincode invoked (endorser transactions).
    pub chaincode: Option<String>,
    /// The peer's validation code name (`VALID`, `MVCC_READ_CONFLICT`…); `NOT_VALIDATED` when the block carries no
    /// code for it.
    pub validation: String,
}

/// A block: its number and its transactions in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockSummary {
    /// The block number.
    pub number: u64,
    /// The transactions.
    pub transactions: Vec<Transaction>,
}

/// Decodes a `common.Block`: each envelope's header, and the validation code the committing peer wrote into the
/// block's `TRANSACTIONS_FILTER` metadata (one byte per transaction).
pub fn summarize(block: &Block) -> BlockSummary {
    let number = block.header.as_ref().map_or(0, |h| h.number);
    let filter = block
        .metadata
        .as_ref()
        .and_then(|m| m.metadata.get(BlockMetadataIndex::TransactionsFilter as usize))
        .map_or(&[][..], Vec::as_slice);
    let data = block.data.as_ref().map_or(&[][..], |d| d.data.as_slice());
    let transactions = data
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let header = Envelope::decode(raw.as_slice())
                .ok()
                .and_then(|e| Payload::decode(e.payload.as_slice()).ok())
                .and_then(|p| p.header)
                .and_then(|h| ChannelHeader::decode(h.channel_header.as_slice()).ok())
                .unwrap_or_default();
            let kind = HeaderType::try_from(header.r#type)
                .map_or_else(|_| header.r#type.to_string(), |t| t.as_str_name().into());
            let chaincode = (header.r#type == HeaderType::EndorserTransaction as i32)
                .then(|| ChaincodeHeaderExtension::decode(header.extension.as_slice()).ok())
                .flatten()
                .and_then(|x| x.chaincode_id)
                .map(|id| id.name);
            let validation = filter.get(i).map_or_else(
                || "NOT_VALIDATED".to_string(),
                |code| {
                    TxValidationCode::try_from(i32::from(*code))
                        .map_or_else(|_| format!("code {code}"), |c| c.as_str_name().to_string())
                },
            );
            Transaction {
                tx_id: header.tx_id,
                kind,
                timestamp: header.timestamp.map(|t| t.seconds),
                chaincode,
                validation,
            }
        })
        .collect();
    BlockSummary { number, transactions }
}

impl Gateway {
    /// Evaluates `function(args…)` of a system chaincode on `channel`, on a peer of `org` when given: the payload of
    /// a 2xx answer, [`Error::Chaincode`] otherwise.
    async fn system(&self, channel: &str, chaincode: &str, args: &[&[u8]], org: Option<&str>) -> Result<Vec<u8>> {
        let inv = Invocation {
            args: args.iter().map(|a| a.to_vec()).collect(),
            endorsing_orgs: org.map(|o| vec![o.to_string()]).unwrap_or_default(),
            ..Invocation::new::<&str>(channel, chaincode, [])
        };
        let response = self.evaluate(&inv).await?;
        if !(200..300).contains(&response.status) {
            let function = String::from_utf8_lossy(args.first().copied().unwrap_or_default()).into_owned();
            return Err(Error::Chaincode { function, status: response.status, message: response.message });
        }
        Ok(response.payload)
    }

    /// The block height of the ledger of `channel` on a peer of `org` (the gateway's choice of peer when `None`).
    pub async fn height(&self, channel: &str, org: Option<&str>) -> Result<u64> {
        let payload = self.system(channel, "qscc", &[b"GetChainInfo", channel.as_bytes()], org).await?;
        let info = BlockchainInfo::decode(payload.as_slice()).map_err(|_| Error::Malformed("BlockchainInfo"))?;
        Ok(info.height)
    }

    /// Block `number` of `channel`, with its transactions and their validation codes.
    pub async fn block(&self, channel: &str, number: u64, org: Option<&str>) -> Result<BlockSummary> {
        let n = number.to_string();
        let payload =
            self.system(channel, "qscc", &[b"GetBlockByNumber", channel.as_bytes(), n.as_bytes()], org).await?;
        let block = Block::decode(payload.as_slice()).map_err(|_| Error::Malformed("Block"))?;
        Ok(summarize(&block))
    }

    /// The channel's current configuration (cscc `GetChannelConfig`, a `common.Config`; the configuration
    /// system chaincode answers it through the Gateway to a member of the channel's Readers).
    pub async fn channel_config(&self, channel: &str) -> Result<Config> {
        let payload = self.system(channel, "cscc", &[b"GetChannelConfig", channel.as_bytes()], None).await?;
        Config::decode(payload.as_slice()).map_err(|_| Error::Malformed("channel Config"))
    }

    /// The approvals of the committed definition of `chaincode`: every application organization of the channel
    /// by MSP id, `true` where it approved the committed sequence.
    pub async fn approvals(&self, channel: &str, chaincode: &str) -> Result<BTreeMap<String, bool>> {
        let arg = QueryChaincodeDefinitionArgs { name: chaincode.to_string() }.encode_to_vec();
        let payload = self.system(channel, "_lifecycle", &[b"QueryChaincodeDefinition", &arg], None).await?;
        let definition = ChaincodeDefinition::decode(payload.as_slice())
            .map_err(|_| Error::Malformed("QueryChaincodeDefinitionResult"))?;
        Ok(definition.approvals.into_iter().collect())
    }
}

/// `lifecycle.QueryChaincodeDefinitionArgs`.
#[derive(Clone, PartialEq, Message)]
struct QueryChaincodeDefinitionArgs {
    #[prost(string, tag = "1")]
    name: String,
}

#[cfg(test)]
mod tests {
    use gridledger_protos::common::{BlockData, BlockHeader, BlockMetadata, Header};
    use gridledger_protos::peer::ChaincodeId;

    use super::*;

    fn envelope(kind: HeaderType, tx_id: &str, chaincode: Option<&str>) -> Vec<u8> {
        let extension = chaincode.map_or_else(Vec::new, |name| {
            ChaincodeHeaderExtension { chaincode_id: Some(ChaincodeId { name: name.into(), ..ChaincodeId::default() }) }
                .encode_to_vec()
        });
        let channel_header = ChannelHeader {
            r#type: kind as i32,
            tx_id: tx_id.into(),
            timestamp: Some(prost_types::Timestamp { seconds: 1_767_225_600, nanos: 0 }),
            extension,
            ..ChannelHeader::default()
        };
        let payload = Payload {
            header: Some(Header { channel_header: channel_header.encode_to_vec(), ..Header::default() }),
            data: vec![],
        };
        Envelope { payload: payload.encode_to_vec(), ..Envelope::default() }.encode_to_vec()
    }

    #[test]
    fn a_block_lists_its_transactions_with_their_codes() {
        let mut metadata = vec![Vec::new(); 5];
        metadata[BlockMetadataIndex::TransactionsFilter as usize] = vec![0, TxValidationCode::MvccReadConflict as u8];
        let block = Block {
            header: Some(BlockHeader { number: 7, ..BlockHeader::default() }),
            data: Some(BlockData {
                data: vec![
                    envelope(HeaderType::EndorserTransaction, "t1", Some("trade")),
                    envelope(HeaderType::EndorserTransaction, "t2", Some("metering")),
                    b"not an envelope".to_vec(),
                ],
            }),
            metadata: Some(BlockMetadata { metadata }),
        };
        let got = summarize(&block);
        assert_eq!(got.number, 7);
        let codes: Vec<(&str, &str, Option<&str>)> = got
            .transactions
            .iter()
            .map(|t| (t.tx_id.as_str(), t.validation.as_str(), t.chaincode.as_deref()))
            .collect();
        assert_eq!(
            codes,
            [
                ("t1", "VALID", Some("trade")),
                ("t2", "MVCC_READ_CONFLICT", Some("metering")),
                ("", "NOT_VALIDATED", None)
            ]
        );
        assert_eq!(
            (got.transactions[0].kind.as_str(), got.transactions[0].timestamp),
            ("ENDORSER_TRANSACTION", Some(1_767_225_600))
        );
    }
}
