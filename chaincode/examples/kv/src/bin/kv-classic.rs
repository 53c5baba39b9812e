//! The kv chaincode in classic mode: it dials the peer given by `-peer.address` or `CORE_PEER_ADDRESS`.
fn main() -> std::process::ExitCode {
    gridledger_shim::main_in_mode(gridledger_shim::ModeKind::Client, gridledger_example_kv::Kv)
}
