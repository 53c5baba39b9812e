#!/usr/bin/env bash
# Builds the Rust chaincode programs the network runs (the kv example in both
# modes: kv-ccaas served by us, kv-classic launched by the peer) and prints
# where they are. Cargo's own incremental build is the cache.
#
#   scripts/build-chaincodes.sh            build (prints the target dir)
#   scripts/build-chaincodes.sh path BIN   print the absolute path of BIN
#
# GRIDLEDGER_CC_PROFILE=debug (default) or release. Debug, because the release
# profile (fat LTO, one codegen unit) costs minutes on two cores and the
# end-to-end suite measures behaviour, not speed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly PROFILE="${GRIDLEDGER_CC_PROFILE:-debug}"
readonly BINS=(kv-ccaas kv-classic)

target_dir() {
  local dir="${CARGO_TARGET_DIR:-$REPO/target}"
  [[ $dir == /* ]] || dir="$REPO/$dir"
  echo "$dir/$PROFILE"
}

build() {
  local args=(build -p gridledger-example-kv) bin
  [[ $PROFILE == debug ]] || args+=(--profile "$PROFILE")
  for bin in "${BINS[@]}"; do args+=(--bin "$bin"); done
  (cd "$REPO" && cargo "${args[@]}") >&2
  target_dir
}

case "${1:-build}" in
  build) build ;;
  path) echo "$(target_dir)/${2:?usage: $0 path BIN}" ;;
  *)
    echo "usage: $0 [build|path BIN]" >&2
    exit 2
    ;;
esac
