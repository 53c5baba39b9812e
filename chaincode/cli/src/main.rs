//! `gridctl`: see `gridctl --help`.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = gridctl::Cli::parse();
    match gridctl::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gridctl: {e:#}");
            ExitCode::FAILURE
        }
    }
}
