#!/usr/bin/env bash
# The long version of the chaos test (tests/e2e/tests/chaos.rs) for BENCHMARKS.md: a fresh SmartBFT network with
# kv, then CHAOS_ROUNDS rounds (default 5) of killing and restarting the kv chaincode server, Prosumer's peer and
# Grid's consenter under a steady Gateway load; prints the test's accounting lines (writes sent, committed, failed by
# cause, recovery per fault, final height) and takes the network down.
#
#   scripts/bench-chaos.sh [ROUNDS]
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly NET="$GL_SCRIPTS/network.sh"
export CHAOS_ROUNDS="${1:-${CHAOS_ROUNDS:-5}}"
export GL_ORDERER_TYPE=bft GL_LAUNCHER=native
export FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"

trap '"$NET" down >/dev/null 2>&1 || true' EXIT
"$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
"$GL_SCRIPTS/build-chaincodes.sh" >/dev/null
(cd "$GL_REPO" && cargo build -q -p gridctl --bin gridctl && cargo test -q -p gridledger-e2e --test chaos --no-run)
"$NET" down >/dev/null
"$NET" up
"$NET" deploy --name kv --cmd "$("$GL_SCRIPTS/build-chaincodes.sh" path kv-ccaas)" --port "$GL_CC_PORT" \
  --collections "$GL_NETWORK/collections-kv.json"
echo "chaos: $CHAOS_ROUNDS rounds on Fabric $FABRIC_VERSION (SmartBFT, 4 consenters), commit $(git -C "$GL_REPO" rev-parse --short HEAD)"
(cd "$GL_REPO" && GRIDLEDGER_E2E=1 cargo test -q -p gridledger-e2e --test chaos -- --include-ignored --nocapture 2>&1) |
  grep -E '^chaos:|test result|panicked'
