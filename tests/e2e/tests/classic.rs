//! The Rust kv chaincode in classic mode: `kvclassic` is packaged for network/builders/exec, so each peer launches
//! `kv-classic` itself (chaincode.json translated to `-peer.address` and the `CORE_*` TLS variables) and the
//! chaincode dials the peer over TLS with the client certificate the peer issued.

use gridledger_e2e::{network, unique};

#[test]
#[ignore = "needs the running Fabric network: scripts/e2e.sh (GRIDLEDGER_E2E=1)"]
fn classic_mode_invoke_and_query() {
    let net = network();
    let key = unique("classic");
    let put = net.cli_invoke("kvclassic", &["Put", &key, "launched-by-the-peer"]).run();
    assert!(put.ok, "{}\n{}", put.error, put.stderr);
    for org in ["utility", "grid", "prosumer"] {
        let got = net.cli_query_as(net.admin(org), "kvclassic", &["Get", &key]);
        assert!(got.ok, "{org}: {}", got.error);
        assert_eq!(got.text(), "launched-by-the-peer");
    }
    let me = net.cli_query_as(net.admin("grid"), "kvclassic", &["WhoAmI"]).json().expect("json");
    assert_eq!(me["mspId"], "GridMSP");
}
