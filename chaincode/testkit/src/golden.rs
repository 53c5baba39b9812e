//! Golden files: output pinned byte for byte in the repository, so that any change to it shows up as a diff to
//! review (the energy contracts pin their whole `GetMetadata` document this way).

/// Panics unless `actual` equals the file at `path` byte for byte. With `GRIDLEDGER_BLESS` set in the environment it
/// first rewrites the file with `actual` (then review the diff).
pub fn assert_pinned(actual: &str, path: &str) {
    if std::env::var_os("GRIDLEDGER_BLESS").is_some()
        && let Err(e) = std::fs::write(path, actual)
    {
        panic!("writing {path}: {e}");
    }
    let pinned = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    assert!(actual == pinned, "the output differs from {path}; GRIDLEDGER_BLESS=1 rewrites it");
}
