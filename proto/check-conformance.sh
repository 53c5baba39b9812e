#!/usr/bin/env bash
# Compares our descriptor set (proto/src/generated/file_descriptor_set.bin)
# with the upstream Go bindings github.com/hyperledger/fabric-protos-go-apiv2
# v0.3.7: both sides print a normalized listing (packages, imports, file
# options, every field with number/label/type/json_name/oneof, enum values,
# reserved ranges and names, rpc methods) and the listings must be identical.
# Needs Go; modules come from the Go module proxy (or the local module cache).
set -euo pipefail

repo_root="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
cd "$repo_root"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd proto/conformance && go run -mod=readonly . ../fabric/vendored.txt) >"$work/upstream.txt"
cargo run --quiet -p gridledger-protos-codegen -- --listing >"$work/ours.txt"

if [[ ! -s "$work/upstream.txt" || ! -s "$work/ours.txt" ]]; then
    echo "check-conformance: a listing came out empty" >&2
    exit 1
fi

if ! diff -u --label upstream-v0.3.7 --label gridledger "$work/upstream.txt" "$work/ours.txt"; then
    echo "check-conformance: proto/fabric differs from fabric-protos v0.3.7 (diff above)." >&2
    exit 1
fi
echo "check-conformance: $(wc -l <"$work/ours.txt") definitions identical to fabric-protos v0.3.7."
