#!/usr/bin/env bash
# Builds the Go reference kv chaincode (tests/go-reference) into the cache and
# prints the binary's path. Rebuilds only when a source file changed, so the
# smoke test and the benchmark can call it every time.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO
readonly SRC="$REPO/tests/go-reference"
readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}"
readonly OUT_DIR="$CACHE/go-reference"
readonly BIN="$OUT_DIR/kv-go"
# ccaas-probe plays the peer side of a CCaaS connection (see its source).
readonly PROBE="$OUT_DIR/ccaas-probe"

# A digest of the sources and the Go version decides whether to rebuild.
source_digest() {
  (
    cd "$SRC"
    go env GOVERSION
    find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -d' ' -f1
}

build() {
  local digest stamp="$OUT_DIR/.stamp"
  digest=$(source_digest)
  if [[ -x $BIN && -x $PROBE && -f $stamp && "$(cat "$stamp")" == "$digest" ]]; then
    echo "$BIN"
    return 0
  fi
  mkdir -p "$OUT_DIR"
  # Static, so the same binary also runs in a minimal chaincode container.
  (
    cd "$SRC"
    CGO_ENABLED=0 go build -trimpath -o "$BIN" .
    CGO_ENABLED=0 go build -trimpath -o "$PROBE" ./cmd/ccaas-probe
  )
  echo "$digest" >"$stamp"
  echo "$BIN"
}

test_unit() {
  (cd "$SRC" && go test ./...)
}

case "${1:-build}" in
  build) build ;;
  probe) build >/dev/null && echo "$PROBE" ;;
  test) test_unit ;;
  *)
    echo "usage: $0 [build|probe|test]" >&2
    exit 2
    ;;
esac
