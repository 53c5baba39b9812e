#!/usr/bin/env bash
# Two builds of the metering chaincode, side by side on one network: deploys
# registry and metering once (CCaaS, mTLS, release registry), then alternates
# the binary behind the metering package (cc-stop, serve-args, cc-start) and
# runs the same `gridctl bench --workload metering` against each, a fresh fleet
# every round. Prints one Markdown row per round: readings/s and the CPU
# seconds of the metering process and of the three peers.
#
#   scripts/bench-metering-ab.sh A_BINARY B_BINARY
#
# Build the "before" binary from another commit with, e.g.,
#   git worktree add /tmp/before <commit>
#   (cd /tmp/before && cargo build --release -p gridledger-metering --bin metering-cc)
# Knobs (environment): ROUNDS (2: each round runs A then B), METERS (1000),
# METER_INTERVALS (48), METER_BATCH (500), METER_ORDER (interval),
# METER_WORKERS (8), KEEP_NETWORK=1 leaves the network up.
set -euo pipefail

# swap_to edits the native launcher's serve-args.
export GL_LAUNCHER=native
# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly NET="$GL_SCRIPTS/network.sh"
readonly REL="${CARGO_TARGET_DIR:-$GL_REPO/target}/release"
readonly ROUNDS=${ROUNDS:-2}
readonly METERS=${METERS:-1000}
readonly METER_INTERVALS=${METER_INTERVALS:-48}
readonly METER_BATCH=${METER_BATCH:-500}
readonly METER_ORDER=${METER_ORDER:-interval}
readonly METER_WORKERS=${METER_WORKERS:-8}
CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK

cpu_of_pid() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
pid_of() { cat "$GL_RUN/pids/$1.pid"; }
peers_cpu() {
  local total=0 node
  for node in $GL_PEER_ORGS; do
    total=$(echo "$total + $(cpu_of_pid "$(pid_of "peer-$node")")" | bc)
  done
  echo "$total"
}

cleanup() {
  if [[ ${KEEP_NETWORK:-0} != 1 ]]; then "$NET" down >/dev/null 2>&1 || true; fi
}

# Points the deployed metering package at binary $1 and restarts its server.
swap_to() {
  local serve_args="$GL_RUN/chaincode/metering/serve-args"
  "$NET" cc-stop metering >/dev/null
  # serve-args: package id, command, port, TLS options (deploy.sh writes it).
  sed -i "2s|.*|$1|" "$serve_args"
  "$NET" cc-start metering >/dev/null
}

round() { # label binary
  local label=$1 bin=$2 pid cc0 peers0 report="$GL_RUN/ab-$1-$3.json"
  swap_to "$bin"
  pid=$(pid_of cc-metering)
  cc0=$(cpu_of_pid "$pid")
  peers0=$(peers_cpu)
  "$REL/gridctl" bench --org grid --user gateway1 --workload metering --register --meters "$METERS" \
    --intervals "$METER_INTERVALS" --batch "$METER_BATCH" --order "$METER_ORDER" --workers "$METER_WORKERS" \
    --report "$report" >/dev/null
  printf '| %s | %s | %s | %s | %s |\n' "$label" "$3" "$(jq -r .unitsPerSecond "$report")" \
    "$(echo "$(cpu_of_pid "$pid") - $cc0" | bc)" "$(echo "$(peers_cpu) - $peers0" | bc)"
}

main() {
  local a=${1:?usage: bench-metering-ab.sh A_BINARY B_BINARY} b=${2:?usage: bench-metering-ab.sh A_BINARY B_BINARY} r
  a=$(readlink -f "$a") b=$(readlink -f "$b")
  [[ -x $a && -x $b ]] || gl_die "both binaries must exist and be executable"
  (cd "$GL_REPO" && cargo build --release -p gridledger-registry --bin registry-cc -p gridctl --bin gridctl) >&2
  "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  trap cleanup EXIT
  "$NET" down >/dev/null
  "$NET" up
  "$NET" deploy --name registry --cmd "$REL/registry-cc" --port "$((GL_CC_PORT - 2))"
  "$NET" deploy --name metering --cmd "$a" --port "$((GL_CC_PORT - 3))" \
    --collections "$GL_NETWORK/collections-energy.json"
  # Metering asks the registry for the market roles record.
  "$NET" init-roles
  echo "A = $a"
  echo "B = $b"
  echo "$METERS meters x $METER_INTERVALS intervals x 2 registers per round, batch $METER_BATCH in $METER_ORDER order," \
    "$METER_WORKERS workers; $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"
  echo
  echo "| build | round | readings/s | metering CPU s | 3 peers CPU s |"
  echo "|---|---|---|---|---|"
  for ((r = 1; r <= ROUNDS; r++)); do
    round A "$a" "$r"
    round B "$b" "$r"
  done
}

main "$@"
