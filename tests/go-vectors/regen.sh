#!/usr/bin/env bash
# Regenerates gridledger-shim's Go reference vectors (chaincode/shim/testdata/) with Go's
# fabric-chaincode-go v2.3.0 pkg/cid and pkg/statebased.
#
# The certificate fixtures are deterministic (Ed25519 keys from fixed seeds, fixed serials and
# validity), so on an unchanged generator this leaves the working tree clean; `git diff` after a
# run shows exactly what changed. The Rust tests read the committed files and need no Go.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../chaincode/shim/testdata"
cd "$here"
go run . -out "$out"
echo "vectors written to $(cd "$out" && pwd)"
