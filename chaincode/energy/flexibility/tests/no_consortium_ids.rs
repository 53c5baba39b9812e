//! The flexibility contract knows no MSP id: market roles come from the roles record. This fails if its non-test
//! source names one of the test consortium's orgs (the same rule as `energy-common/tests/no_consortium_ids.rs`,
//! which lists the older contracts).

use std::fs;
use std::path::Path;

const FORBIDDEN: [&str; 3] = ["UtilityMSP", "GridMSP", "ProsumerMSP"];

#[test]
fn contract_sources_name_no_consortium_msp() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut files = 0;
    for entry in fs::read_dir(&dir).expect("src directory") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let text = fs::read_to_string(&path).expect("source file");
        let code = text.find("#[cfg(test)]").map_or(text.as_str(), |at| &text[..at]);
        for (n, line) in code.lines().enumerate() {
            if let Some(id) = FORBIDDEN.iter().find(|id| line.contains(*id)) {
                found.push(format!("{}:{}: {id}", path.display(), n + 1));
            }
        }
    }
    assert!(files >= 10, "found only {files} source files: wrong path?");
    assert!(found.is_empty(), "MSP ids of the test consortium in contract sources:\n{}", found.join("\n"));
}
