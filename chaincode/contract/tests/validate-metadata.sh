#!/usr/bin/env bash
# Validates the contract API's metadata with fabric-contract-api-go's own validator.
#
# The Rust test `tests/metadata.rs` writes the metadata of a sample chaincode (every kind of parameter and return);
# the Go program in `metadata-validator/` checks it the way a Go contract chaincode checks its metadata at start-up
# (fabric-contract-api-go v2.2.2, pinned in its go.mod). Needs cargo and Go; fetches Go modules on first run.
#
# Usage: chaincode/contract/tests/validate-metadata.sh [metadata.json]
#   With a file argument, validates that file instead of generating the sample.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
workdir="$(mktemp -d)"
cleanup() { rm -rf "$workdir"; }
trap cleanup EXIT

if [[ $# -ge 1 ]]; then
    metadata="$1"
else
    metadata="$workdir/metadata.json"
    echo "==> writing the sample metadata (cargo test -p gridledger-contract --test metadata)"
    (cd "$repo" && GRIDLEDGER_METADATA_OUT="$metadata" cargo test --quiet --locked -p gridledger-contract --test metadata \
        -- --exact sample_metadata_fits_fabrics_schema)
fi

[[ -s "$metadata" ]] || { echo "no metadata at $metadata" >&2; exit 1; }

echo "==> validating with fabric-contract-api-go (go run ./metadata-validator)"
(cd "$here/metadata-validator" && go run . ) < "$metadata"
