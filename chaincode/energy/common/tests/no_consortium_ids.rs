//! The contracts know no MSP id: market roles come from the roles record (`roles`), so the same build runs on
//! a network whose orgs are `Org1MSP` and `TenneTMSP`. This test fails if a contract crate's non-test source
//! names one of the test consortium's orgs.

use std::fs;
use std::path::{Path, PathBuf};

/// The test consortium's MSP ids: fine in tests and examples, never in a contract.
const FORBIDDEN: [&str; 3] = ["UtilityMSP", "GridMSP", "ProsumerMSP"];

/// The contract crates' sources, relative to this crate (`chaincode/energy/common`).
const SOURCES: [&str; 6] =
    ["src", "../registry/src", "../metering/src", "../trade/src", "../certificates/src", "../../contract/src"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            // Test modules live in `tests/` directories or `tests.rs` files.
            if name != "tests" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// The file's text before its `#[cfg(test)]` module (by convention the last item of a file).
fn non_test_part(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn contract_sources_name_no_consortium_msp() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 40, "found only {} source files: wrong paths?", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).expect("source file");
        for (n, line) in non_test_part(&text).lines().enumerate() {
            if let Some(id) = FORBIDDEN.iter().find(|id| line.contains(*id)) {
                found.push(format!("{}:{}: {id}", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "MSP ids of the test consortium in contract sources:\n{}", found.join("\n"));
}
