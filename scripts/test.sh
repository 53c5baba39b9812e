#!/usr/bin/env bash
# The project's one test command (README.md, .ci/run): every gate CI enforces, in the order that fails fastest.
#   scripts/test.sh            all gates
#   SKIP_E2E=1 scripts/test.sh everything but the real-Fabric end-to-end suite
#   SKIP_E2E_DOCKER=1 scripts/test.sh   the end-to-end suite natively only, not also in Docker
#   SKIP_E2E_BFT=1, SKIP_E2E_LTS=1      leave out the SmartBFT subset, or the 2.5.16 native run
# Fabric comes from FABRIC_SOURCE_DIR when set (.ci/run sets it), else the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "dependencies (Debian packages, idempotent)"
scripts/install-deps.sh

step "format"
cargo fmt --all --check

step "shellcheck"
mapfile -t shell_scripts < <(git ls-files '*.sh' .ci/run)
shellcheck "${shell_scripts[@]}"

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

# cargo-deny reads every crate of the lockfile offline. Clippy fetched only those the default features use, so
# fetch the rest (afl, behind tests/fuzz's feature, is missing on a fresh machine otherwise).
step "supply chain: licences, banned and duplicate crates, sources (deny.toml)"
cargo fetch --locked
"$(scripts/install-deps.sh cargo-deny)" --offline check licenses bans sources

step "MSRV: dependencies and std APIs within rust-version"
scripts/check-msrv.sh

step "generated protobuf code is up to date"
proto/check-drift.sh

step "protos are wire-identical to fabric-protos v0.3.7"
proto/check-conformance.sh

step "contract metadata passes fabric-contract-api-go's own validator"
chaincode/contract/tests/validate-metadata.sh

step "tests"
cargo test --workspace --locked

step "fuzz smoke: every target under AFL++ for 10 s from its seeds (scripts/fuzz.sh; long runs: README)"
scripts/fuzz.sh --seconds "${FUZZ_SECONDS:-10}"

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

if [[ "${SKIP_E2E:-0}" != 1 && -x scripts/e2e.sh ]]; then
    step "end-to-end against real Fabric 3.1.5 (Raft native, SmartBFT, Docker), then 2.5.16 (native)"
    scripts/e2e.sh
fi
step "all gates passed"
