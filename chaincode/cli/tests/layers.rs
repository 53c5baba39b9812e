//! The module layering of `src/lib.rs`, checked on the source: subcommands are leaves (no subcommand imports
//! another, none imports `cli` or `run`), and the shared modules import only the shared modules below them.

use std::collections::BTreeSet;
use std::path::Path;

const SUBCOMMANDS: [&str; 9] = ["package", "call", "events", "meter", "market", "flex", "cert", "consortium", "bench"];

/// What each shared module may use besides itself.
const SHARED: [(&str, &[&str]); 4] =
    [("conn", &[]), ("load", &[]), ("fleet", &["conn", "load"]), ("ledger", &["conn"])];

/// The top-level module a source file belongs to (`src/meter/args.rs` → `meter`).
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).expect("under src");
    let first = rel.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// Every `crate::NAME` the file mentions.
fn crate_refs(text: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        // `use crate::{a, b}` groups.
        if name.is_empty() && rest.starts_with('{') {
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            refs.extend(group.split(',').map(|s| s.trim().split("::").next().unwrap_or("").to_string()));
        } else {
            refs.insert(name);
        }
    }
    refs
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn subcommands_are_leaves_and_shared_modules_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in all {
        let module = module_of(&path, &src);
        let allowed: BTreeSet<&str> = if SUBCOMMANDS.contains(&module.as_str()) {
            ["conn", "fleet", "load", "ledger"].into()
        } else if let Some((_, below)) = SHARED.iter().find(|(m, _)| *m == module) {
            below.iter().copied().collect()
        } else {
            continue; // lib.rs, main.rs, cli.rs, run.rs: the top
        };
        checked += 1;
        let text = std::fs::read_to_string(&path).expect("read");
        for r in crate_refs(&text) {
            if r != module && !allowed.contains(r.as_str()) {
                problems.push(format!("{}: crate::{r}", path.strip_prefix(&src).expect("under src").display()));
            }
        }
    }
    assert!(checked > 15, "only {checked} files checked");
    assert!(problems.is_empty(), "imports against the layering:\n{}", problems.join("\n"));
}

#[test]
fn the_check_sees_upward_imports() {
    let refs = crate_refs("use crate::cli::Cli;\nuse crate::{conn, run::run};\nlet x = crate::meter::keygen;");
    assert_eq!(refs, ["cli", "conn", "meter", "run"].map(String::from).into());
}
