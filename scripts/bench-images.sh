#!/usr/bin/env bash
# Footprint of the chaincode images, side by side (BENCHMARKS.md): the size of
# our image (GL_CC_IMAGE, four static servers on scratch) and of the Go
# reference kv chaincode packaged the same way (network/docker/kvgo.Dockerfile),
# and the memory of one container of each serving kv: idle after start, and
# peak after LOAD_SECONDS (default 20) of GetPut load from shim-load (which
# plays the peer, 20 transactions in flight). Containers listen on 127.0.0.1
# only (host networking, TLS off) and are removed at the end, pass or fail.
#
#   scripts/bench-images.sh          (builds what is missing; needs dockerd:
#                                     scripts/docker-local.sh prepare)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly DOCKER="${GL_DOCKER:-docker}"
readonly LOAD_SECONDS=${LOAD_SECONDS:-20}
readonly GO_IMAGE=gridledger/kvgo-reference:bench
readonly REL="${CARGO_TARGET_DIR:-$GL_REPO/target}/release"
CONTAINERS=()

cleanup() {
  local c
  for c in "${CONTAINERS[@]}"; do "$DOCKER" rm -f "$c" >/dev/null 2>&1 || true; done
}

go_image() {
  local bin ctx="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}/docker/context/kvgo"
  bin=$("$GL_SCRIPTS/build-go-reference.sh")
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cp "$bin" "$ctx/kv-go"
  "$DOCKER" build -q -t "$GO_IMAGE" -f "$GL_NETWORK/docker/kvgo.Dockerfile" "$ctx" >/dev/null
}

# cgroup v1 or v2 memory file of a running container: current or peak bytes.
mem_of() { # container current|peak
  local id dir
  id=$("$DOCKER" inspect --format '{{.Id}}' "$1")
  for dir in "/sys/fs/cgroup/system.slice/docker-$id.scope" "/sys/fs/cgroup/docker/$id" "/sys/fs/cgroup/memory/docker/$id"; do
    [[ -d $dir ]] || continue
    case $2 in
      current) cat "$dir/memory.current" 2>/dev/null || cat "$dir/memory.usage_in_bytes" ;;
      peak) cat "$dir/memory.peak" 2>/dev/null || cat "$dir/memory.max_usage_in_bytes" ;;
    esac
    return 0
  done
  echo "?"
}

# The server process's resident set (VmRSS) or its peak (VmHWM), bytes.
rss_of() { # container VmRSS|VmHWM
  local pid
  pid=$("$DOCKER" inspect --format '{{.State.Pid}}' "$1")
  awk -v f="$2:" '$1 == f { print $2 * 1024 }' "/proc/$pid/status"
}

mib() {
  if [[ $1 == "?" ]]; then echo "?"; else awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; fi
}

# measure LABEL IMAGE COMMAND PORT: one table row.
measure() {
  local label=$1 image=$2 cmd=$3 port=$4 name="gl-bench-$1" idle idle_rss tps size
  "$DOCKER" rm -f "$name" >/dev/null 2>&1 || true
  "$DOCKER" run -d --name "$name" --network host -e "CHAINCODE_SERVER_ADDRESS=127.0.0.1:$port" \
    -e CHAINCODE_ID=kv_1.0:bench -e CHAINCODE_TLS_DISABLED=true -e CORE_PEER_TLS_ENABLED=false \
    "$image" "$cmd" >/dev/null
  CONTAINERS+=("$name")
  wait_port 127.0.0.1 "$port" 30 || gl_die "$label did not listen on $port: $("$DOCKER" logs "$name" 2>&1 | tail -3)"
  sleep 3
  idle=$(mem_of "$name" current)
  idle_rss=$(rss_of "$name" VmRSS)
  tps=$("$REL/shim-load" --address "127.0.0.1:$port" --duration "$LOAD_SECONDS" --warmup 2 --json 2>/dev/null |
    jq -r '.tx_per_s // "?"' | awk '{ printf "%.0f", $1 }')
  size=$("$DOCKER" image inspect --format '{{.Size}}' "$image")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$image" "$(mib "$size")" "$(mib "$idle")" \
    "$(mib "$(mem_of "$name" peak)")" "$(mib "$idle_rss")" "$(mib "$(rss_of "$name" VmHWM)")" "$tps"
}

main() {
  trap cleanup EXIT
  # shellcheck source=SCRIPTDIR/../network/docker/images.env disable=SC1091
  source "$GL_NETWORK/docker/images.env"
  "$DOCKER" image inspect "$GL_CC_IMAGE" >/dev/null 2>&1 || "$GL_SCRIPTS/docker-images.sh" chaincode
  go_image
  (cd "$GL_REPO" && cargo build -q --release -p gridledger-bench --bin shim-load)
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, ${LOAD_SECONDS} s of GetPut load (shim-load, 20 in flight)."
  echo
  echo "Container memory is the cgroup's (resident pages plus page cache and kernel memory charged to it); RSS is"
  echo "the server process's own resident set."
  echo
  echo "| chaincode | image | image MiB | cgroup idle MiB | cgroup peak MiB | RSS idle MiB | RSS peak MiB | GetPut tx/s under load |"
  echo "|---|---|---|---|---|---|---|---|"
  measure rust "$GL_CC_IMAGE" kv-ccaas 19980
  measure go "$GO_IMAGE" kv-go 19981
}

main "$@"
