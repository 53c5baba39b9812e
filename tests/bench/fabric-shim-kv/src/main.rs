//! `GetPut key value` (read the old value, write the new one, return the old one) on the `fabric-shim` crate,
//! served as chaincode-as-a-service. The crate reads `CHAINCODE_ID` (or `CORE_CHAINCODE_ID`) and
//! `CHAINCODE_SERVER_ADDRESS` (or `CORE_CHAINCODE_ADDRESS`, default `0.0.0.0:7052`); it has no TLS.
//!
//! Only what the benchmark needs, plus `Put` and `Get` for a manual check; responses follow SPEC.md.

use fabric_shim::{Chaincode, ChaincodeStub, Response, Server};

struct Kv;

#[fabric_shim::async_trait]
impl Chaincode for Kv {
    async fn invoke(&self, stub: ChaincodeStub) -> Response {
        let (function, args) = stub.get_function_and_args();
        let want = match function.as_str() {
            "GetPut" | "Put" => 2,
            "Get" => 1,
            other => return Response::error(format!("unknown function: {other}")),
        };
        if args.len() != want {
            return Response::error(format!("{function} expects {want} arguments"));
        }
        let key = args[0].as_str();
        match function.as_str() {
            "GetPut" => {
                // fabric-shim returns an empty value for a missing key, like Go.
                let old = match stub.get_state(key).await {
                    Ok(old) => old,
                    Err(e) => return Response::error(e.to_string()),
                };
                match stub.put_state(key, args[1].as_bytes()).await {
                    Ok(()) => Response::success(old),
                    Err(e) => Response::error(e.to_string()),
                }
            }
            "Put" => match stub.put_state(key, args[1].as_bytes()).await {
                Ok(()) => Response::success(Vec::new()),
                Err(e) => Response::error(e.to_string()),
            },
            _ => match stub.get_state(key).await {
                Ok(v) if v.is_empty() => Response::error(format!("key not found: {key}")),
                Ok(v) => Response::success(v),
                Err(e) => Response::error(e.to_string()),
            },
        }
    }
}

/// `fabric-shim` 0.1.1 serves on a plain `TcpListener`, so its sockets keep Nagle's algorithm on; with delayed
/// ACKs that adds up to ~40 ms to a ledger round trip. `FABRIC_SHIM_KV_NODELAY=true` instead hands it a listener
/// with TCP_NODELAY set (Linux copies it to accepted sockets), through the crate's public `serve_with_listener`,
/// to show what its architecture does without that handicap.
fn nodelay_requested() -> bool {
    std::env::var("FABRIC_SHIM_KV_NODELAY").is_ok_and(|v| v == "true" || v == "1")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::from_env()?;
    if !nodelay_requested() {
        server.start(Kv).await?;
        return Ok(());
    }
    let address = std::env::var("CHAINCODE_SERVER_ADDRESS")
        .or_else(|_| std::env::var("CORE_CHAINCODE_ADDRESS"))
        .unwrap_or_else(|_| "0.0.0.0:7052".to_string());
    let address: std::net::SocketAddr = address.parse()?;
    let socket = if address.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.set_nodelay(true)?;
    socket.bind(address)?;
    let listener = socket.listen(1024)?;
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = async { if let Some(t) = term.as_mut() { t.recv().await; } else { std::future::pending::<()>().await } } => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    };
    server.serve_with_listener(Kv, listener, shutdown).await?;
    Ok(())
}
