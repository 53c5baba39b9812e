//! The registry chaincode server: all logic lives in the library.
fn main() -> std::process::ExitCode {
    match gridledger_registry::chaincode() {
        Ok(chaincode) => gridledger_shim::main(chaincode),
        Err(e) => {
            eprintln!("registry chaincode definition is invalid: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
