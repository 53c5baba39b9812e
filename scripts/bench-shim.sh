#!/usr/bin/env bash
# Shim benchmark: the same GetPut transaction (chaincode/examples/kv/SPEC.md) on four chaincode servers, driven
# over loopback gRPC by shim-load playing the peer (chaincode/bench). See BENCHMARKS.md for the method and results.
#
#   rust         chaincode/examples/kv  kv-ccaas on gridledger-shim
#   rust-static  the same, linked statically (glibc's crt-static, non-PIE): no libc/libm/ld.so mapped at start-up
#   go           tests/go-reference     fabric-chaincode-go v2 (scripts/build-go-reference.sh)
#   fabric-shim  tests/bench/fabric-shim-kv  chainlaunch's fabric-shim crate from crates.io, as shipped (Server::start)
#   fabric-shim-nodelay  the same on a TCP_NODELAY listener (0.1.1 leaves Nagle on; see its main.rs)
#   echo         chaincode/bench        shim-echo: the message exchange with no chaincode runtime (transport floor)
#   echo-1       the same on a current-thread runtime, as the Rust shim runs by default (one thread for gRPC and
#                transactions): tells the cost of that choice apart from the cost of the shim's own work
#   echo-flush   echo-1 sending its replies early in a run of messages exactly as the shim's driver does (after the
#                4th, then every 16th): the floor for the shim's own scheduling, where echo and echo-1 write once a run
#   rust-baseline  a kv-ccaas built elsewhere (--baseline PATH, e.g. from a worktree of an older commit): before/after
#                in one interleaved run
#
# Every target runs plaintext (no TLS) on a free 127.0.0.1 port. Per round and target: start it, read its idle RSS,
# run shim-load at --concurrency (throughput) and at concurrency 1 (latency), read its peak RSS, stop it. Rounds
# interleave the targets (the order alternates) so machine drift spreads over all of them.
#
# usage: scripts/bench-shim.sh [--rounds N] [--duration S] [--warmup S] [--concurrency N] [--latency-duration S]
#                              [--targets rust,rust-static,go,fabric-shim,fabric-shim-nodelay,echo,echo-1,echo-flush] [--out DIR] [--skip-build]
#                              [--baseline PATH] [--quick]
# Prints a markdown table on stdout; writes every run's JSON, summary.json and summary.md to the results dir
# (default target/bench-shim/<UTC timestamp>). BENCH_COMMIT overrides the commit recorded (for an exported tree).
# Binaries are built into and taken from CARGO_TARGET_DIR when it is set (default: target/ of the repository).
set -euo pipefail
shopt -s inherit_errexit

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO

rounds=2
duration=10
warmup=2
concurrency=20
latency_duration=5
targets="rust,rust-static,go,fabric-shim,fabric-shim-nodelay,echo"
out=""
build=1
baseline=""

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

while (($#)); do
  case "$1" in
    --rounds) rounds="$2" && shift ;;
    --duration) duration="$2" && shift ;;
    --warmup) warmup="$2" && shift ;;
    --concurrency) concurrency="$2" && shift ;;
    --latency-duration) latency_duration="$2" && shift ;;
    --targets) targets="$2" && shift ;;
    --out) out="$2" && shift ;;
    --skip-build) build=0 ;;
    --baseline) baseline="$2" && shift ;;
    --quick) rounds=1 duration=3 warmup=1 latency_duration=2 ;;
    -h | --help) usage ;;
    *) echo "unknown option: $1" >&2 && usage ;;
  esac
  shift
done
out="${out:-$REPO/target/bench-shim/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$out"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

readonly TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
readonly RELEASE="$TARGET_DIR/release"
readonly FSK_TARGET="$TARGET_DIR/fabric-shim-kv"
readonly LOAD="$RELEASE/shim-load"
# The static build needs an explicit --target, so its RUSTFLAGS reach the chaincode but not the proc-macros, which
# are host dylibs and cannot be static; its own target dir keeps the two builds' caches apart.
readonly HOST_TRIPLE="x86_64-unknown-linux-gnu"
readonly STATIC_TARGET="$TARGET_DIR/static"
go_bin=""

# Builds only what the chosen targets need (the driver always).
build_targets() {
  log "building release binaries for: $targets (static, fabric-shim and Go only when chosen)"
  local packages=(-p gridledger-bench --bin shim-load --bin shim-echo)
  [[ ,$targets, == *,rust,* ]] && packages+=(-p gridledger-example-kv --bin kv-ccaas)
  cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" "${packages[@]}"
  if [[ ,$targets, == *,fabric-shim* ]]; then
    cargo build --release --quiet --locked --manifest-path "$REPO/tests/bench/fabric-shim-kv/Cargo.toml" \
      --target-dir "$FSK_TARGET"
  fi
  if [[ ,$targets, == *,rust-static,* ]]; then
    RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
      cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --target "$HOST_TRIPLE" \
      --target-dir "$STATIC_TARGET" -p gridledger-example-kv --bin kv-ccaas
  fi
  if [[ ,$targets, == *,go,* ]]; then
    go_bin="$("$REPO/scripts/build-go-reference.sh" build)"
  fi
  return 0
}

# The command line of a target (the environment is the same for all: CHAINCODE_ID, CHAINCODE_SERVER_ADDRESS).
target_cmd() {
  case "$1" in
    rust) echo "$RELEASE/kv-ccaas" ;;
    rust-static) echo "$STATIC_TARGET/$HOST_TRIPLE/release/kv-ccaas" ;;
    go) echo "${go_bin:-$HOME/.cache/gridledger/go-reference/kv-go}" ;;
    fabric-shim | fabric-shim-nodelay) echo "$FSK_TARGET/release/fabric-shim-kv" ;;
    echo | echo-1 | echo-flush) echo "$RELEASE/shim-echo" ;;
    rust-baseline) echo "${baseline:?rust-baseline needs --baseline PATH}" ;;
    *) die "unknown target $1" ;;
  esac
}

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if [[ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]]; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

cc_pid=""

stop_chaincode() {
  [[ -n $cc_pid ]] || return 0
  if kill -0 "$cc_pid" 2>/dev/null; then
    kill -TERM "$cc_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$cc_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$cc_pid" 2>/dev/null || true
  fi
  wait "$cc_pid" 2>/dev/null || true
  cc_pid=""
}

cleanup() {
  local rc=$?
  stop_chaincode
  exit "$rc"
}
trap cleanup EXIT INT TERM

status_kb() { # PID FIELD -> KiB
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# Starts target $1 on a fresh port; sets cc_pid and port.
start_chaincode() {
  local name="$1" log_file="$2" cmd
  cmd="$(target_cmd "$name")"
  [[ -x $cmd ]] || die "$name: $cmd is not built (drop --skip-build)"
  port="$(free_port)"
  local nodelay=false echo_threads=0 echo_flush=false
  [[ $name == fabric-shim-nodelay ]] && nodelay=true
  [[ $name == echo-1 || $name == echo-flush ]] && echo_threads=1
  [[ $name == echo-flush ]] && echo_flush=true
  SHIM_ECHO_THREADS="$echo_threads" SHIM_ECHO_FLUSH="$echo_flush" FABRIC_SHIM_KV_NODELAY="$nodelay" CHAINCODE_ID="kv_1.0:bench-$name" CHAINCODE_SERVER_ADDRESS="127.0.0.1:$port" \
    CHAINCODE_TLS_DISABLED=true RUST_LOG=warn "$cmd" >"$log_file" 2>&1 &
  cc_pid=$!
  for _ in $(seq 100); do
    [[ -n "$(ss -Htln "sport = :$port" 2>/dev/null)" ]] && return 0
    kill -0 "$cc_pid" 2>/dev/null || die "$name exited at start; see $log_file"
    sleep 0.05
  done
  die "$name did not listen on 127.0.0.1:$port; see $log_file"
}

# One round of one target: idle RSS, throughput run, latency run, peak RSS.
bench_target() {
  local name="$1" round="$2" base="$out/$1-r$2" idle_rss idle_hwm
  start_chaincode "$name" "$base.log"
  # Let the runtime settle before reading the idle footprint (no peer connected yet).
  sleep 0.5
  idle_rss="$(status_kb "$cc_pid" VmRSS)"
  idle_hwm="$(status_kb "$cc_pid" VmHWM)"
  log "$name round $round: pid $cc_pid port $port idle RSS ${idle_rss} KiB; concurrency $concurrency"
  "$LOAD" --address "127.0.0.1:$port" --pid "$cc_pid" --label "$name" --json \
    --concurrency "$concurrency" --warmup "$warmup" --duration "$duration" >"$base-c$concurrency.json" \
    2>"$base-c$concurrency.txt" || die "$name: shim-load failed; see $base-c$concurrency.txt"
  log "$name round $round: concurrency 1"
  "$LOAD" --address "127.0.0.1:$port" --pid "$cc_pid" --label "$name" --json \
    --concurrency 1 --warmup 1 --duration "$latency_duration" >"$base-c1.json" \
    2>"$base-c1.txt" || die "$name: shim-load failed; see $base-c1.txt"
  jq -n --arg target "$name" --argjson round "$round" --argjson idle_rss "$idle_rss" --argjson idle_hwm "$idle_hwm" \
    --argjson hwm "$(status_kb "$cc_pid" VmHWM)" --argjson rss "$(status_kb "$cc_pid" VmRSS)" \
    '{target: $target, round: $round, idle_rss_kb: $idle_rss, idle_hwm_kb: $idle_hwm, rss_after_kb: $rss,
      hwm_after_kb: $hwm}' >"$base-mem.json"
  stop_chaincode
}

machine_json() {
  local fsk_version go_shim_version
  fsk_version="$(awk '/^name = "fabric-shim"$/ { getline; gsub(/[" ]/, "", $0); sub(/version=/, "", $0); print }' \
    "$REPO/tests/bench/fabric-shim-kv/Cargo.lock")"
  go_shim_version="$(awk '$1 == "github.com/hyperledger/fabric-chaincode-go/v2" { print $2 }' \
    "$REPO/tests/go-reference/go.mod")"
  jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg nproc "$(nproc)" \
    --arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" --arg kernel "$(uname -r)" \
    --arg mem "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" \
    --arg rustc "$(rustc --version)" --arg go "$(go version)" --arg go_shim "$go_shim_version" \
    --arg fabric_shim "$fsk_version" --arg load_before "$1" --arg load_after "$2" \
    --arg commit "${BENCH_COMMIT:-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)}" \
    --arg tree "$( (git -C "$REPO" status --porcelain -- proto chaincode/shim chaincode/examples/kv 2>/dev/null || true) |
      wc -l)" \
    '{date: $date, nproc: $nproc, cpu: $cpu, kernel: $kernel, memory: $mem, rustc: $rustc, go: $go,
      fabric_chaincode_go: $go_shim, fabric_shim_crate: $fabric_shim, commit: $commit,
      modified_files_under_test: ($tree | tonumber),
      loadavg_before: $load_before, loadavg_after: $load_after}'
}

# Means over rounds per target, plus the ratios the issue asks for.
summarize() {
  jq -s --argjson c "$concurrency" --argjson machine "$1" '
    def mean(f): (map(f) | add / length);
    def r2: . * 100 | round / 100;
    (map(select(.concurrency != null)) | group_by(.label)) as $runs
    | ($runs | map({
        key: .[0].label,
        value: {
          rounds: (map(select(.concurrency == $c)) | length),
          tx_s: (map(select(.concurrency == $c)) | mean(.tx_per_s)),
          tx_s_min: (map(select(.concurrency == $c) | .tx_per_s) | min),
          tx_s_max: (map(select(.concurrency == $c) | .tx_per_s) | max),
          p50_us: (map(select(.concurrency == $c)) | mean(.latency.p50_us)),
          p99_us: (map(select(.concurrency == $c)) | mean(.latency.p99_us)),
          cc_cpu_us_tx: (map(select(.concurrency == $c)) | mean(.chaincode.cpu_us_per_tx)),
          cc_cpu_pct: (map(select(.concurrency == $c)) | mean(.chaincode.cpu_pct)),
          cc_switches_tx: (map(select(.concurrency == $c))
            | mean(.chaincode.voluntary_switches_per_tx + .chaincode.involuntary_switches_per_tx)),
          cc_threads: (map(select(.concurrency == $c) | .chaincode.threads) | max),
          driver_cpu_pct: (map(select(.concurrency == $c)) | mean(.driver.cpu_pct)),
          c1_tx_s: (map(select(.concurrency == 1)) | mean(.tx_per_s)),
          c1_p50_us: (map(select(.concurrency == 1)) | mean(.latency.p50_us)),
          c1_p99_us: (map(select(.concurrency == 1)) | mean(.latency.p99_us)),
          errors: (map(.error_count) | add)
        }}) | from_entries) as $t
    | (map(select(.idle_rss_kb != null)) | group_by(.target) | map({
        key: .[0].target,
        value: {idle_rss_kb: mean(.idle_rss_kb), hwm_kb: (map(.hwm_after_kb) | max)}}) | from_entries) as $m
    | ($t | with_entries(.value += ($m[.key] // {}))) as $targets
    | def ratio(a; b): if a != null and b != null and b != 0 then (a / b | r2) else null end;
      {machine: $machine, concurrency: $c, targets: $targets,
       ratios: {
         rust_vs_go_tx_s: ratio($targets.rust.tx_s; $targets.go.tx_s),
         rust_vs_fabric_shim_tx_s: ratio($targets.rust.tx_s; $targets["fabric-shim"].tx_s),
         rust_vs_fabric_shim_nodelay_tx_s: ratio($targets.rust.tx_s; $targets["fabric-shim-nodelay"].tx_s),
         rust_vs_echo_tx_s: ratio($targets.rust.tx_s; $targets.echo.tx_s),
         rust_baseline_vs_echo_tx_s: ratio($targets["rust-baseline"].tx_s; $targets.echo.tx_s),
         rust_vs_echo1_tx_s: ratio($targets.rust.tx_s; $targets["echo-1"].tx_s),
         echo1_vs_echo_tx_s: ratio($targets["echo-1"].tx_s; $targets.echo.tx_s),
         rust_vs_echo_flush_tx_s: ratio($targets.rust.tx_s; $targets["echo-flush"].tx_s),
         rust_baseline_vs_echo_flush_tx_s: ratio($targets["rust-baseline"].tx_s; $targets["echo-flush"].tx_s),
         rust_vs_baseline_tx_s: ratio($targets.rust.tx_s; $targets["rust-baseline"].tx_s),
         rust_vs_baseline_cpu_us_tx: ratio($targets.rust.cc_cpu_us_tx; $targets["rust-baseline"].cc_cpu_us_tx),
         rust_vs_go_p99: ratio($targets.rust.p99_us; $targets.go.p99_us),
         rust_vs_go_c1_p50: ratio($targets.rust.c1_p50_us; $targets.go.c1_p50_us),
         rust_idle_rss_mb: (if $targets.rust.idle_rss_kb then ($targets.rust.idle_rss_kb / 1024 | r2) else null end),
         rust_static_idle_rss_mb: (if $targets["rust-static"].idle_rss_kb
                                   then ($targets["rust-static"].idle_rss_kb / 1024 | r2) else null end),
         rust_static_vs_go_tx_s: ratio($targets["rust-static"].tx_s; $targets.go.tx_s)
       }}
  ' "$out"/*-c*.json "$out"/*-mem.json
}

markdown() {
  jq -r '
    def f0: if . == null then "-" else (. | round | tostring) end;
    def f1: if . == null then "-" else ((. * 10 | round) / 10 | tostring) end;
    def mb: if . == null then "-" else ((. / 1024 * 10 | round) / 10 | tostring) end;
    def pass(ok): if ok == null then "n/a" elif ok then "met" else "MISSED" end;
    .concurrency as $c | .ratios as $r |
    "| target | tx/s @\($c) (min-max) | p50 @\($c) us | p99 @\($c) us | cc CPU us/tx | cc CPU % | cc switches/tx | cc threads | driver CPU % | tx/s @1 | p50 @1 us | p99 @1 us | idle RSS MB | peak RSS MB | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    (.targets | to_entries[] | .key as $k | .value |
      "| \($k) | \(.tx_s | f0) (\(.tx_s_min | f0)-\(.tx_s_max | f0)) | \(.p50_us | f0) | \(.p99_us | f0) | \(.cc_cpu_us_tx | f1) | \(.cc_cpu_pct | f0) | \(.cc_switches_tx | f1) | \(.cc_threads) | \(.driver_cpu_pct | f0) | \(.c1_tx_s | f0) | \(.c1_p50_us | f0) | \(.c1_p99_us | f0) | \(.idle_rss_kb | mb) | \(.hwm_kb | mb) | \(.errors) |"),
    "",
    "| ratio | value | target | |",
    "|---|---:|---|---|",
    "| Rust / Go tx/s @\($c) | \($r.rust_vs_go_tx_s // "-") | >= 3 | \(pass(if $r.rust_vs_go_tx_s then $r.rust_vs_go_tx_s >= 3 else null end)) |",
    "| Rust / fabric-shim tx/s @\($c) | \($r.rust_vs_fabric_shim_tx_s // "-") | >= 1.5 | \(pass(if $r.rust_vs_fabric_shim_tx_s then $r.rust_vs_fabric_shim_tx_s >= 1.5 else null end)) |",
    "| Rust / fabric-shim-nodelay tx/s @\($c) | \($r.rust_vs_fabric_shim_nodelay_tx_s // "-") | (not in the issue) | |",
    "| Rust p99 / Go p99 @\($c) | \($r.rust_vs_go_p99 // "-") | <= 0.5 | \(pass(if $r.rust_vs_go_p99 then $r.rust_vs_go_p99 <= 0.5 else null end)) |",
    "| Rust idle RSS (MB) | \($r.rust_idle_rss_mb // "-") | <= 3 | \(pass(if $r.rust_idle_rss_mb then $r.rust_idle_rss_mb <= 3 else null end)) |",
    "| Rust static idle RSS (MB) | \($r.rust_static_idle_rss_mb // "-") | <= 3 | \(pass(if $r.rust_static_idle_rss_mb then $r.rust_static_idle_rss_mb <= 3 else null end)) |",
    "| Rust static / Go tx/s @\($c) | \($r.rust_static_vs_go_tx_s // "-") | >= 3 | \(pass(if $r.rust_static_vs_go_tx_s then $r.rust_static_vs_go_tx_s >= 3 else null end)) |",
    "| Rust / echo floor tx/s @\($c) | \($r.rust_vs_echo_tx_s // "-") | (1.0 = transport bound) | |",
    "| Rust baseline / echo floor tx/s @\($c) | \($r.rust_baseline_vs_echo_tx_s // "-") | | |",
    "| Rust / echo-1 (current-thread floor) tx/s @\($c) | \($r.rust_vs_echo1_tx_s // "-") | | |",
    "| echo-1 / echo tx/s @\($c) | \($r.echo1_vs_echo_tx_s // "-") | | |",
    "| Rust / echo-flush (same scheduling) tx/s @\($c) | \($r.rust_vs_echo_flush_tx_s // "-") | | |",
    "| Rust baseline / echo-flush tx/s @\($c) | \($r.rust_baseline_vs_echo_flush_tx_s // "-") | | |",
    "| Rust / Rust baseline tx/s @\($c) | \($r.rust_vs_baseline_tx_s // "-") | | |",
    "| Rust / Rust baseline CPU us/tx @\($c) | \($r.rust_vs_baseline_cpu_us_tx // "-") | | |",
    "| Rust p50 / Go p50 @1 | \($r.rust_vs_go_c1_p50 // "-") | | |",
    "",
    "Machine: \(.machine.nproc) x \(.machine.cpu), kernel \(.machine.kernel), \(.machine.memory); \(.machine.rustc); \(.machine.go); fabric-chaincode-go \(.machine.fabric_chaincode_go); fabric-shim \(.machine.fabric_shim_crate); commit \(.machine.commit) (\(.machine.modified_files_under_test) uncommitted files in proto, shim, kv); load average before: \(.machine.loadavg_before); after: \(.machine.loadavg_after)."
  ' "$1"
}

main() {
  if ((build)); then
    build_targets
  fi
  [[ -x $LOAD ]] || die "$LOAD is not built"
  local load_before load_after order=() t round
  IFS=',' read -r -a order <<<"$targets"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  log "results in $out; load average $load_before; $rounds round(s) x ${#order[@]} target(s)"
  for ((round = 1; round <= rounds; round++)); do
    for t in "${order[@]}"; do
      bench_target "$t" "$round"
    done
    # Alternate the order so no target always runs first (or right after the same neighbour).
    local reversed=()
    for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[i]}"); done
    order=("${reversed[@]}")
  done
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  summarize "$(machine_json "$load_before" "$load_after")" >"$out/summary.json"
  markdown "$out/summary.json" | tee "$out/summary.md"
  log "wrote $out/summary.json and $out/summary.md"
}

main
