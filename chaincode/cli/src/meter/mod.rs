//! `gridctl meter`: meter keys, signed readings, and simulated fleets. The canonical encoding and the signer are
//! `gridledger-reading`'s, the metering contract's own, so what gridctl signs is what the contract checks.

pub mod args;
pub mod simulate;

use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gridledger_client::text::quote;
use gridledger_reading::Signer;

use crate::fleet::keys;
use crate::fleet::register::registration;
use args::{KeygenArgs, SignArgs};

/// `gridctl meter keygen`.
pub fn keygen(a: &KeygenArgs) -> anyhow::Result<ExitCode> {
    let (signer, pkcs8) = Signer::generate().context("generating a P-256 key")?;
    keys::write_new(&a.output, &pkcs8)?;
    match (&a.id, &a.asset) {
        (Some(id), Some(asset)) => println!("{}", registration(id, asset, &signer, a.interval_seconds)),
        (None, None) => println!("{}", signer.public_key_base64()),
        _ => bail!("--id and --asset go together (they make the RegisterMeter JSON); pass both or neither"),
    }
    eprintln!("private key written to {}", a.output.display());
    Ok(ExitCode::SUCCESS)
}

/// `gridctl meter sign`.
pub fn sign(a: &SignArgs) -> anyhow::Result<ExitCode> {
    if a.register != "1.8.0" && a.register != "2.8.0" {
        bail!("--register {}: use 1.8.0 (import) or 2.8.0 (export)", quote(&a.register));
    }
    if a.meter.is_empty() || a.meter.len() > 128 {
        bail!("--meter: give the registered meter id (1 to 128 bytes)");
    }
    let signer = keys::load(&a.key)?;
    let reading = signer
        .reading(&a.meter, a.interval_start, &a.register, a.wh, a.counter, a.interval_seconds)
        .context("signing the reading")?;
    println!("{}", serde_json::to_string(&reading)?);
    Ok(ExitCode::SUCCESS)
}
