//! Waiting for the peer to acknowledge REGISTER.
//!
//! A peer answers REGISTER at once (REGISTERED, then READY) when it expects the chaincode id, and answers nothing at
//! all when it does not: it only logs "peer will not accept external chaincode connection" and lets the transaction
//! that launched the chaincode wait out `chaincode.startuptimeout` (5 minutes by default) before failing with
//! "timeout expired while starting chaincode". The usual cause is a `CHAINCODE_ID` that is not the installed package
//! id. So a peer that stays silent gets a clear error here instead, and the stream ends, which makes the peer's
//! launch fail at once with this text rather than after the timeout.

use std::time::Duration;

use futures_util::{Stream, StreamExt, stream};
use gridledger_protos::peer::ChaincodeMessage;

use crate::error::{Error, Result};

/// How long the peer may take to answer REGISTER. It answers within milliseconds when it accepts the id; ten
/// seconds leaves room for a peer that is busy, and is still far below the peer's own five-minute launch timeout.
pub(crate) const REGISTER_TIMEOUT: Duration = Duration::from_secs(10);

/// Waits up to `limit` for the peer's first message and gives the stream back, that message included. A stream the
/// peer closes without a word is given back as it is: the protocol loop reports the closed stream.
pub(crate) async fn acknowledged<S>(
    mut incoming: S,
    chaincode_id: &str,
    limit: Duration,
) -> Result<impl Stream<Item = S::Item> + Unpin + use<S>>
where
    S: Stream<Item = Result<ChaincodeMessage, tonic::Status>> + Unpin,
{
    match tokio::time::timeout(limit, incoming.next()).await {
        Ok(first) => Ok(stream::iter(first).chain(incoming)),
        Err(_) => Err(Error::NotRegistered { chaincode_id: chaincode_id.to_string(), waited: limit }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridledger_protos::peer::chaincode_message::Type;

    fn registered() -> Result<ChaincodeMessage, tonic::Status> {
        Ok(ChaincodeMessage { r#type: Type::Registered as i32, ..Default::default() })
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_peer_is_a_wrong_chaincode_id() {
        let silent = stream::pending::<Result<ChaincodeMessage, tonic::Status>>();
        let err = acknowledged(silent, "kv_1.0:deadbeef", REGISTER_TIMEOUT).await.err().unwrap();
        let text = err.to_string();
        assert!(text.contains("kv_1.0:deadbeef"), "{text}");
        assert!(text.contains("CHAINCODE_ID"), "{text}");
        assert!(text.contains("queryinstalled"), "{text}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_first_message_is_kept() {
        let peer = stream::iter(vec![registered(), registered()]);
        let got: Vec<_> = acknowledged(peer, "kv_1.0:abc", REGISTER_TIMEOUT).await.unwrap().collect().await;
        assert_eq!(got.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_closed_stream_is_passed_on() {
        let closed = stream::iter(Vec::<Result<ChaincodeMessage, tonic::Status>>::new());
        let got: Vec<_> = acknowledged(closed, "kv_1.0:abc", REGISTER_TIMEOUT).await.unwrap().collect().await;
        assert!(got.is_empty());
    }
}
