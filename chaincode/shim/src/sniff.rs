//! A look at the first bytes of every connection, so that a TLS mismatch between the peer and this server is named.
//!
//! Without it neither side says why nothing works: a plaintext server drops a TLS ClientHello as a bad HTTP/2
//! preface, a TLS server drops a plaintext preface as a bad handshake (both only at debug level), and the peer keeps
//! retrying until it reports "context deadline exceeded". The bytes are peeked, not read: the connection goes on to
//! the gRPC server unchanged.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::net::TcpStream;

/// A peer sends its first bytes right after connecting; one that stays silent longer is served without the check.
const SNIFF_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections checked at once, so that a silent client never holds up the accept loop.
const MAX_PENDING: usize = 64;

/// What the first bytes say about the client's TLS setting, when it differs from the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// A TLS handshake record reached a plaintext server.
    TlsToPlaintext,
    /// The plaintext HTTP/2 preface reached a TLS server.
    PlaintextToTls,
}

/// Classifies a connection by its first bytes; `None` when they fit the server's setting or say nothing.
pub(crate) fn classify(first: &[u8], server_tls: bool) -> Option<Mismatch> {
    // A TLS record starts with content type 22 (handshake) and major version 3.
    let tls_handshake = first.len() >= 2 && first[0] == 0x16 && first[1] == 0x03;
    let h2_preface = first.starts_with(b"PRI ");
    match (server_tls, tls_handshake, h2_preface) {
        (false, true, _) => Some(Mismatch::TlsToPlaintext),
        (true, _, true) => Some(Mismatch::PlaintextToTls),
        _ => None,
    }
}

/// The log line for a mismatch, saying what to change on either side.
pub(crate) fn explain(mismatch: Mismatch, client: Option<SocketAddr>) -> String {
    let client = client.map_or_else(|| "a client".to_string(), |a| format!("client {a}"));
    match mismatch {
        Mismatch::TlsToPlaintext => format!(
            "{client} opened a TLS connection, but this chaincode server runs without TLS: the chaincode package's \
             connection.json asks for TLS (tls_required: true). Give the server its certificate and key \
             (CHAINCODE_TLS_CERT, CHAINCODE_TLS_KEY, and CHAINCODE_TLS_DISABLED unset) or package it with \
             tls_required: false"
        ),
        Mismatch::PlaintextToTls => format!(
            "{client} spoke plaintext HTTP/2, but this chaincode server requires TLS: the chaincode package's \
             connection.json says tls_required: false. Package it with tls_required: true and the server's root \
             certificate, or run the server with CHAINCODE_TLS_DISABLED=true"
        ),
    }
}

/// Passes every accepted connection on, logging a TLS mismatch on the way.
pub(crate) fn sniffing<S>(incoming: S, server_tls: bool) -> impl Stream<Item = std::io::Result<TcpStream>>
where
    S: Stream<Item = std::io::Result<TcpStream>>,
{
    incoming
        .map(move |conn| async move {
            if let Ok(stream) = &conn {
                let mut first = [0u8; 8];
                if let Ok(Ok(n)) = tokio::time::timeout(SNIFF_TIMEOUT, stream.peek(&mut first)).await
                    && let Some(mismatch) = classify(&first[..n], server_tls)
                {
                    tracing::error!("{}", explain(mismatch, stream.peer_addr().ok()));
                }
            }
            conn
        })
        .buffer_unordered(MAX_PENDING)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_HELLO: &[u8] = &[0x16, 0x03, 0x01, 0x02, 0x00, 0x01];

    #[test]
    fn mismatches_are_recognized_both_ways() {
        assert_eq!(classify(CLIENT_HELLO, false), Some(Mismatch::TlsToPlaintext));
        assert_eq!(classify(b"PRI * HTTP/2.0\r\n", true), Some(Mismatch::PlaintextToTls));
    }

    #[test]
    fn matching_or_unknown_bytes_pass_quietly() {
        assert_eq!(classify(CLIENT_HELLO, true), None);
        assert_eq!(classify(b"PRI * HTTP/2.0\r\n", false), None);
        assert_eq!(classify(b"", false), None);
        assert_eq!(classify(&[0x16], false), None);
        assert_eq!(classify(b"GET / HTTP/1.1", true), None);
    }

    #[test]
    fn the_advice_names_the_settings_to_change() {
        let text = explain(Mismatch::TlsToPlaintext, "127.0.0.1:5".parse().ok());
        assert!(text.contains("client 127.0.0.1:5") && text.contains("CHAINCODE_TLS_CERT"), "{text}");
        let text = explain(Mismatch::PlaintextToTls, None);
        assert!(text.contains("a client") && text.contains("CHAINCODE_TLS_DISABLED=true"), "{text}");
    }

    #[tokio::test]
    async fn a_tls_hello_to_a_plaintext_listener_is_passed_on_unread() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = futures_util::stream::once(async move { listener.accept().await.map(|(s, _)| s) });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(CLIENT_HELLO).await.unwrap();
        let mut conns = Box::pin(sniffing(accepted, false));
        let mut server_side = conns.next().await.unwrap().unwrap();
        let mut got = vec![0u8; CLIENT_HELLO.len()];
        server_side.read_exact(&mut got).await.unwrap();
        assert_eq!(got, CLIENT_HELLO, "the peeked bytes are still there for the server");
    }
}
