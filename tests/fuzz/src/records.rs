//! Targets for what meters and operators hand us as text: OCMF-signed charger records (metering `SubmitOcmf`) and
//! the PEM identities and DER signatures the client library (gridctl) reads.

use gridledger_client::identity::{Signer, pem_blocks};
use gridledger_metering::ocmf::OcmfRecord;

/// The charger key of metering's OCMF test vectors (testdata/ocmf/vectors.json), uncompressed P-256.
const CHARGER_KEY_BASE64: &str =
    "BFCXFh/f96fPQQsZWaKU3k+uphH2ll5ZjpQ1eRTivbIbhOi5cu1DQri01i8rkMhh9LxwuP5YCFMcKt2rxH18CWk=";

/// An OCMF record (`OCMF|{payload}|{signature}`): what parses must verify or refuse, map or refuse, and keep its
/// signature printable, without panicking; a record that verifies maps to readings within the meter's interval.
pub fn ocmf(data: &[u8]) {
    use base64::Engine as _;
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(record) = OcmfRecord::parse(text) else { return };
    let key = base64::engine::general_purpose::STANDARD.decode(CHARGER_KEY_BASE64).expect("the vectors' key");
    let _ = record.verify(&key);
    let _ = record.signature_base64();
    for interval in [60, 900, 3600] {
        let _ = record.map(interval);
    }
}

/// A client identity from PEM (certificate and key split at the first `0xFF`), and PEM blocks of any label.
pub fn client_identity(data: &[u8]) {
    let _ = pem_blocks(data, "CERTIFICATE");
    let (cert, key) = match data.iter().position(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    if let Ok(id) = Signer::from_pem("Org1MSP", cert, key) {
        assert_eq!(id.msp_id(), "Org1MSP");
        let signature = id.sign(b"message").unwrap_or_else(|e| panic!("a loaded identity cannot sign: {e}"));
        assert!(gridledger_client::ecdsa::parse(&signature).is_ok(), "our own signature does not parse");
    }
}
