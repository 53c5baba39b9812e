//! Meter key files: the PKCS#8 document of a P-256 key as PEM (`PRIVATE KEY`), readable by openssl.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use gridledger_client::identity::{pem_blocks, to_pem};
use gridledger_reading::Signer;

/// Writes a new key file (mode 0600); refuses to overwrite one, so a registered meter's key is never lost.
pub fn write_new(path: &Path, pkcs8: &[u8]) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(path).with_context(|| {
        format!("creating {} (an existing key file is never overwritten; pick another name)", path.display())
    })?;
    file.write_all(to_pem("PRIVATE KEY", pkcs8).as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// Loads a meter's signer from a PKCS#8 PEM key file.
pub fn load(path: &Path) -> anyhow::Result<Signer> {
    let text = std::fs::read(path).with_context(|| format!("reading meter key {}", path.display()))?;
    let blocks = pem_blocks(&text, "PRIVATE KEY").with_context(|| format!("reading meter key {}", path.display()))?;
    let Some(der) = blocks.into_iter().next() else {
        bail!("{} holds no 'PRIVATE KEY' (PKCS#8) block; create keys with `gridctl meter keygen`", path.display());
    };
    Signer::from_pkcs8(&der).with_context(|| format!("loading meter key {}", path.display()))
}

/// The signer in `dir/ID.key`, created (and written) when the file does not exist yet.
pub fn load_or_create(dir: &Path, id: &str) -> anyhow::Result<Signer> {
    let path = dir.join(format!("{id}.key"));
    if path.exists() {
        return load(&path);
    }
    let (signer, pkcs8) = Signer::generate().context("generating a P-256 key")?;
    write_new(&path, &pkcs8)?;
    Ok(signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_load_back() {
        let dir = std::env::temp_dir().join(format!("gridctl-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let first = load_or_create(&dir, "m-1").expect("create");
        let again = load_or_create(&dir, "m-1").expect("load");
        assert_eq!(first.public_key_base64(), again.public_key_base64());
        let (_, pkcs8) = Signer::generate().expect("key");
        assert!(write_new(&dir.join("m-1.key"), &pkcs8).is_err(), "never overwrites");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
