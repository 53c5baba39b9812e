//! The kv chaincode as a service: the peer dials `CHAINCODE_SERVER_ADDRESS`.
fn main() -> std::process::ExitCode {
    gridledger_shim::main_in_mode(gridledger_shim::ModeKind::Server, gridledger_example_kv::Kv)
}
