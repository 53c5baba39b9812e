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

#[tokio::main]
async fn main() -> Result<(), fabric_shim::Error> {
    Server::from_env()?.start(Kv).await
}
