#!/usr/bin/env bash
# The MSRV check that fits a machine with one Rust toolchain: the workspace declares rust-version (Cargo.toml), and
#  - clippy's incompatible_msrv lint (on by default, and CI's clippy runs with -D warnings) refuses any standard
#    library API stabilized after it, in our own code;
#  - this script refuses any dependency in Cargo.lock's graph whose own rust-version is newer than ours, so a
#    `cargo update` cannot quietly raise the MSRV.
# What it cannot see: a language feature newer than the MSRV (syntax), which only building with that toolchain
# catches; no second toolchain can be installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

metadata=$(cargo metadata --format-version 1 --locked --filter-platform x86_64-unknown-linux-gnu)
ours=$(jq -r '[.packages[] | select(.source == null) | .rust_version // empty] | unique | .[]' <<<"$metadata")
if [[ $(wc -l <<<"$ours") != 1 || -z $ours ]]; then
  echo "check-msrv: workspace crates must share one rust-version, found: ${ours//$'\n'/ }" >&2
  exit 1
fi
# version_le A B: A <= B for dotted numeric versions.
too_new=$(jq -r --arg ours "$ours" '
  def v: split(".") | map(tonumber) | . + [0, 0, 0] | .[0:3];
  [.packages[] | select(.source != null and .rust_version != null)
   | select((.rust_version | v) > ($ours | v))
   | "\(.name) \(.version) needs Rust \(.rust_version)"] | .[]' <<<"$metadata")
if [[ -n $too_new ]]; then
  echo "check-msrv: dependencies newer than the workspace's rust-version $ours:" >&2
  echo "$too_new" >&2
  exit 1
fi
echo "check-msrv: every dependency builds with Rust $ours or older (rustc here: $(rustc --version | cut -d' ' -f2))"
