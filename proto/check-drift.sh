#!/usr/bin/env bash
# Regenerates proto/src/generated from proto/fabric and fails if the result
# differs from what is committed (modified, deleted or untracked files).
set -euo pipefail

repo_root="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
cd "$repo_root"

generated="proto/src/generated"

cargo run --quiet -p gridledger-protos-codegen

status=0
if ! git diff --exit-code --stat -- "$generated"; then
    status=1
fi
untracked="$(git ls-files --others --exclude-standard -- "$generated")"
if [[ -n "$untracked" ]]; then
    echo "untracked generated files:" >&2
    echo "$untracked" >&2
    status=1
fi

if [[ "$status" -ne 0 ]]; then
    echo "check-drift: $generated is out of date with proto/fabric." >&2
    echo "Run 'cargo run -p gridledger-protos-codegen' and commit the result." >&2
    exit 1
fi
echo "check-drift: $generated is up to date."
