//! The certificates chaincode server: all logic lives in the library.
fn main() -> std::process::ExitCode {
    gridledger_shim::main(gridledger_certificates::chaincode())
}
