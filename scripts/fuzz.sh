#!/usr/bin/env bash
# Coverage-guided fuzzing on stable Rust: AFL++ through the afl crate (cargo-afl builds AFL++ from the source it
# ships, so nothing comes from outside crates.io). Targets are tests/fuzz/src (gridledger-fuzz); seeds are
# tests/fuzz/corpus/<target>/; every crash found is copied to tests/fuzz/regressions/<target>/, which
# `cargo test -p gridledger-fuzz` replays from then on.
#
#   scripts/fuzz.sh [--seconds N] [--targets a,b] [--out DIR]
#     --seconds N   fuzz each target for N seconds (default 600; CI's smoke run uses 15)
#     --targets     a comma-separated subset (default: every target gl-fuzz knows)
#     --out DIR     AFL++'s output folders (default target/fuzz-runs/<UTC timestamp>)
# Prints a markdown table (executions, executions/s, corpus size, crashes, hangs) and exits 1 if any target
# crashed. AFL++ runs with AFL_NO_UI and does not touch the machine's core_pattern or CPU governor settings.
set -euo pipefail
shopt -s inherit_errexit nullglob

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}"
readonly AFL_VERSION=0.18.2
readonly AFL_ROOT="$CACHE/tools/cargo-afl-$AFL_VERSION"
readonly FUZZ_TARGET_DIR="$REPO/target/afl"

seconds=600
targets=""
out="$REPO/target/fuzz-runs/$(date -u +%Y%m%dT%H%M%SZ)"
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--targets a,b] [--out DIR]" >&2; exit 2 ;;
  esac
done

log() { printf '[fuzz] %s\n' "$*" >&2; }

# cargo-afl from crates.io, once per version; it builds AFL++ at install time. `cargo afl config --build` rebuilds
# AFL++ alone when a new rustc left it behind (AFL++ is kept per rustc version).
export PATH="$AFL_ROOT/bin:$PATH"
if [[ ! -x $AFL_ROOT/bin/cargo-afl ]]; then
  log "building cargo-afl $AFL_VERSION (with AFL++) into $AFL_ROOT"
  cargo install cargo-afl --locked --version "$AFL_VERSION" --root "$AFL_ROOT" >&2
fi
afl_fuzz_glob="${XDG_DATA_HOME:-$HOME/.local/share}/afl.rs/rustc-$(rustc --version | cut -d' ' -f2)-*/afl.rs-$AFL_VERSION/afl/bin/afl-fuzz"
if ! compgen -G "$afl_fuzz_glob" >/dev/null; then
  log "building AFL++ for this rustc"
  cargo afl config --build --force >&2
fi

log "building the instrumented gl-fuzz (profile fuzz)"
CARGO_TARGET_DIR=$FUZZ_TARGET_DIR cargo afl build --locked --profile fuzz -p gridledger-fuzz --features afl \
  --bin gl-fuzz >&2
readonly BIN="$FUZZ_TARGET_DIR/fuzz/gl-fuzz"

if [[ -z $targets ]]; then
  targets=$("$BIN" 2>&1 | sed -n 's/.*targets: //p' | tr ' ' ',' || true)
fi
[[ -n $targets ]] || { log "gl-fuzz lists no targets"; exit 1; }

# stat FILE KEY: one value from AFL++'s fuzzer_stats.
stat() { sed -n "s/^$2 *: *//p" "$1"; }

mkdir -p "$out"
crashed=0
rows=()
IFS=, read -r -a names <<<"$targets"
for t in "${names[@]}"; do
  corpus="$REPO/tests/fuzz/corpus/$t"
  [[ -d $corpus ]] || { log "no seed corpus for $t ($corpus)"; exit 1; }
  log "$t: ${seconds}s"
  AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    AFL_SUPPRESS_FORKSRV_WARNINGS=1 \
    cargo afl fuzz -V "$seconds" -i "$corpus" -o "$out/$t" -- "$BIN" "$t" >"$out/$t.log" 2>&1 ||
    { log "afl-fuzz failed for $t; the end of $out/$t.log:"; tail -20 "$out/$t.log" >&2; exit 1; }
  stats="$out/$t/default/fuzzer_stats"
  crashes=("$out/$t"/default/crashes/id:*)
  hangs=("$out/$t"/default/hangs/id:*)
  for c in "${crashes[@]}"; do
    mkdir -p "$REPO/tests/fuzz/regressions/$t"
    cp "$c" "$REPO/tests/fuzz/regressions/$t/crash-$(sha256sum "$c" | cut -c1-16)"
  done
  ((${#crashes[@]} == 0)) || crashed=1
  rows+=("| $t | $(stat "$stats" execs_done) | $(stat "$stats" execs_per_sec) | $(stat "$stats" corpus_count) | $(stat "$stats" bitmap_cvg) | ${#crashes[@]} | ${#hangs[@]} |")
done

echo "| target | executions | exec/s | corpus | coverage (bitmap) | crashes | hangs |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "${seconds}s per target, $(nproc) cores, rustc $(rustc --version | cut -d' ' -f2), commit $(git -C "$REPO" rev-parse --short HEAD); runs in $out"
if ((crashed)); then
  log "crashes copied to tests/fuzz/regressions/: cargo test -p gridledger-fuzz replays them"
  exit 1
fi
