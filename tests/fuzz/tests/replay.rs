//! Every corpus seed (`corpus/<target>/`) and every input a fuzzer ever crashed on (`regressions/<target>/`) goes
//! through its target on each `cargo test`, so a fixed crash stays fixed and the seeds stay valid inputs.

use std::fs;
use std::path::Path;

#[test]
fn every_corpus_and_regression_file_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut ran = 0;
    for (name, target) in gridledger_fuzz::TARGETS {
        for folder in ["corpus", "regressions"] {
            let dir = root.join(folder).join(name);
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            files.sort();
            for file in files {
                let data = fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "{} failed its target {name}", file.display());
                ran += 1;
            }
        }
        assert!(root.join("corpus").join(name).is_dir(), "target {name} has no seed corpus");
    }
    assert!(ran >= gridledger_fuzz::TARGETS.len(), "only {ran} files replayed");
}

/// A seed the contracts refuse early only exercises argument decoding; these must get all the way through.
#[test]
fn contract_seeds_are_accepted_end_to_end() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/contract-calls");
    for seed in ["asset-meter-reading", "order", "queries"] {
        let data = fs::read(root.join(seed)).unwrap();
        let outcomes = gridledger_fuzz::contracts::outcomes(&data);
        assert!(outcomes.len() >= 2, "{seed}: {outcomes:?}");
        for (i, (status, message)) in outcomes.iter().enumerate() {
            assert_eq!(*status, 200, "{seed} call {i}: {message}");
        }
    }
}

/// The identity and OCMF seeds must be inputs the decoders accept, or the targets never get past the first check.
#[test]
fn identity_and_ocmf_seeds_are_accepted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let both = fs::read(root.join("client-identity/cert-and-pkcs8-key")).unwrap();
    let at = both.iter().position(|b| *b == 0xFF).unwrap();
    assert!(gridledger_client::identity::Signer::from_pem("Org1MSP", &both[..at], &both[at + 1..]).is_ok());
    let text = fs::read_to_string(root.join("ocmf-record/session-kwh-hex")).unwrap();
    assert!(gridledger_metering::ocmf::OcmfRecord::parse(&text).is_ok(), "the OCMF vector does not parse");
}
