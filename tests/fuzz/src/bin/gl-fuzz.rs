//! The AFL++ entry point: `gl-fuzz <target>` (scripts/fuzz.sh runs it under `cargo afl fuzz`).

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = gridledger_fuzz::target(&name) else {
        let names: Vec<&str> = gridledger_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: gl-fuzz <target>   targets: {}", names.join(" "));
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| target(data));
}
