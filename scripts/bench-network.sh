#!/usr/bin/env bash
# Benchmarks on the real 3-org network, driven by `gridctl bench` through the
# Fabric Gateway, in one run:
#   (a) kv GetPut on the Rust kv chaincode vs the Go reference kvgo, rounds
#       alternating (tx/s, latency, chaincode CPU and RSS);
#   (b) metering ingestion: signed readings committed per second;
#   (c) market: 10,000 orders placed for one interval, then ClearMarket;
#   (d) footprint: binary sizes, idle and peak RSS of each chaincode;
#   (f) certificates: IssueCertificates for CERT_HOURS device-hours over
#       CERT_DEVICES PV devices from signed 15-minute readings (certificates/s),
#       then a consumer's day (96 readings, 24 claims): MatchingReport latency;
#   (g) flexibility: settling one interval of a VPP of FLEX_MEMBERS member
#       meters (Deliveries evaluate; Settle endorse, order and commit; the
#       flexibility chaincode's CPU);
#   (e) write batching and multi-key reads: `PutMany 9999` (10,000 puts in one
#       transaction) and a 1,000-key `GetMany`, evaluated on one peer with
#       `gridctl query`, Rust kv vs Go kvgo alternating (chaincode CPU per call,
#       wall time net of a plain Get).
# It builds the chaincodes and gridctl in release, takes the network down,
# brings it up, deploys kv, kvgo, registry, metering and trade (CCaaS, mTLS),
# prints Markdown tables and keeps every JSON report in $BENCH_OUT.
#
#   scripts/bench-network.sh
#
# Knobs (environment): BENCH_WORKERS (32), BENCH_DURATION seconds per kv
# round (30), BENCH_ROUNDS (2), METERS (400), METER_INTERVALS (96),
# METER_WORKERS (8), METER_RUNS (interval:500: one ORDER:BATCH per metering
# run, each with a fresh fleet; order interval is every meter's readings of one
# interval per batch, as a head-end forwarding as intervals end; meter is a
# meter's consecutive intervals, as a head-end reading load profiles),
# MARKET_ORDERS (10000),
# MARKET_WORKERS (32), BATCH_CALLS (20 calls per chaincode and round of (e)),
# BENCH_PARTS (kv metering market batch certificates flexibility: which of
# a-c and e-g run), CERT_HOURS (10000), CERT_DEVICES (10), FLEX_MEMBERS (1000),
# BENCH_OUT (default .cache/bench-network), KEEP_NETWORK=1
# leaves the network up. Use the GL_* port variables and GRIDLEDGER_RUN as for
# network.sh to run beside another network. GL_ORDERER_TYPE=bft runs it all on
# four SmartBFT consenters (BFT vs Raft: run it twice, BENCH_PARTS=kv).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly NET="$GL_SCRIPTS/network.sh"
readonly WORKERS=${BENCH_WORKERS:-32}
readonly DURATION=${BENCH_DURATION:-30}
readonly ROUNDS=${BENCH_ROUNDS:-2}
readonly METERS=${METERS:-400}
readonly METER_INTERVALS=${METER_INTERVALS:-96}
readonly METER_WORKERS=${METER_WORKERS:-8}
readonly METER_RUNS=${METER_RUNS:-interval:500}
readonly PARTS=" ${BENCH_PARTS:-kv metering market batch certificates flexibility} "
readonly CERT_HOURS=${CERT_HOURS:-10000}
readonly CERT_DEVICES=${CERT_DEVICES:-10}
readonly FLEX_MEMBERS=${FLEX_MEMBERS:-1000}
readonly BATCH_CALLS=${BATCH_CALLS:-20}
readonly MARKET_ORDERS=${MARKET_ORDERS:-10000}
readonly MARKET_WORKERS=${MARKET_WORKERS:-32}
readonly OUT=${BENCH_OUT:-$GL_REPO/.cache/bench-network}
readonly REL="${CARGO_TARGET_DIR:-$GL_REPO/target}/release"
readonly GRIDCTL="$REL/gridctl"
CLK_TCK=$(getconf CLK_TCK)
readonly CLK_TCK

cleanup() {
  if [[ ${KEEP_NETWORK:-0} != 1 ]]; then "$NET" down >/dev/null 2>&1 || true; fi
}

build() {
  gl_log "bench: building release chaincodes and gridctl"
  (cd "$GL_REPO" && cargo build --release -p gridledger-example-kv --bin kv-ccaas \
    -p gridledger-registry --bin registry-cc -p gridledger-metering --bin metering-cc \
    -p gridledger-trade --bin trade-cc -p gridledger-certificates --bin certificates-cc \
    -p gridledger-flexibility --bin flexibility-cc -p gridctl --bin gridctl) >&2
  "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  gl_use_fabric peer
  KVGO=$("$GL_SCRIPTS/build-go-reference.sh")
}

deploy() {
  local port=$((GL_CC_PORT - 2)) name opts
  "$NET" deploy --name kv --cmd "$REL/kv-ccaas" --port "$GL_CC_PORT" --collections "$GL_NETWORK/collections-kv.json"
  "$NET" deploy --name kvgo --cmd "$KVGO" --port "$((GL_CC_PORT - 1))" --collections "$GL_NETWORK/collections-kv.json"
  for name in registry metering trade certificates flexibility; do
    opts=(--name "$name" --cmd "$REL/$name-cc" --port "$port")
    [[ $name != metering ]] || opts+=(--collections "$GL_NETWORK/collections-energy.json")
    "$NET" deploy "${opts[@]}"
    port=$((port - 1))
  done
  "$NET" init-roles
}

pid_of() { cat "$GL_RUN/pids/cc-$1.pid"; }
# CPU seconds (user + system) a process has used so far.
cpu_of_pid() { awk -v t="$CLK_TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
cpu_of() { cpu_of_pid "$(pid_of "$1")"; }
# CPU seconds of the three peers and of the ordering service (every orderer
# node: four under BFT), space-separated.
fabric_cpu() {
  local total=0 ordering=0 node
  for node in $GL_PEER_ORGS; do
    total=$(echo "$total + $(cpu_of_pid "$(cat "$GL_RUN/pids/peer-$node.pid")")" | bc)
  done
  for node in $(gl_orderer_nodes); do
    ordering=$(echo "$ordering + $(cpu_of_pid "$(cat "$GL_RUN/pids/$node.pid")")" | bc)
  done
  echo "$total $ordering"
}
# Resident and peak resident memory, MiB.
rss_of() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$(pid_of "$1")/status"; }
hwm_of() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$(pid_of "$1")/status"; }
field() { jq -r "$2" "$1"; }

gridctl() { "$GRIDCTL" "$@"; }

# wait_gateway CC: measure only once every org's Gateway gets CC endorsed by
# every org (common.sh; right after a deploy discovery may not know them yet).
wait_gateway() { gl_wait_endorsable 60 "$1" Put bench-warmup ready; }

# (a) kv vs kvgo, alternating rounds; one table row per round.
bench_kv() {
  local round cc before after report
  for cc in kv kvgo; do wait_gateway "$cc"; done
  echo "### (a) kv GetPut: Rust kv vs Go kvgo ($WORKERS workers, ${DURATION}s per round)"
  echo
  echo "| round | chaincode | tx/s | p50 ms | p90 ms | p99 ms | max ms | failed | chaincode CPU s | CPU ms/tx | RSS idle MiB | RSS peak MiB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for ((round = 1; round <= ROUNDS; round++)); do
    for cc in kv kvgo; do
      IDLE[$cc]=${IDLE[$cc]:-$(rss_of "$cc")}
      before=$(cpu_of "$cc")
      report="$OUT/kv-$cc-$round.json"
      gridctl bench --org utility --workload kv -n "$cc" --workers "$WORKERS" --duration "$DURATION" \
        --report "$report" >/dev/null
      after=$(cpu_of "$cc")
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$cc" \
        "$(field "$report" .txPerSecond)" "$(field "$report" .latencyMs.p50)" "$(field "$report" .latencyMs.p90)" \
        "$(field "$report" .latencyMs.p99)" "$(field "$report" .latencyMs.max)" "$(field "$report" .failed)" \
        "$(echo "$after - $before" | bc)" \
        "$(echo "scale=3; ($after - $before) * 1000 / $(field "$report" .succeeded)" | bc)" \
        "${IDLE[$cc]}" "$(hwm_of "$cc")"
    done
  done
  echo
}

# (b) metering ingestion: per ORDER:BATCH in METER_RUNS, register a fleet, then
# submit all its readings; one table row per run.
bench_metering() {
  local run order batch report before after fabric_before fabric_after peers orderer
  echo "### (b) metering ingestion ($METERS meters x $METER_INTERVALS intervals x 2 registers per run, $METER_WORKERS workers)"
  echo
  echo "CPU columns cover the whole command, registration of the run's fleet included."
  echo
  echo "| order | batch | readings committed | readings/s | tx/s | p50 ms | p99 ms | max ms | failed | metering CPU s | 3 peers CPU s | orderer CPU s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  IDLE[metering]=$(rss_of metering)
  for run in $METER_RUNS; do
    order=${run%:*} batch=${run#*:}
    report="$OUT/metering-$order-$batch.json"
    before=$(cpu_of metering)
    fabric_before=$(fabric_cpu)
    gridctl bench --org grid --user gateway1 --workload metering --register --meters "$METERS" \
      --intervals "$METER_INTERVALS" --batch "$batch" --order "$order" --workers "$METER_WORKERS" \
      --report "$report" >/dev/null
    after=$(cpu_of metering)
    fabric_after=$(fabric_cpu)
    peers=$(echo "${fabric_after% *} - ${fabric_before% *}" | bc)
    orderer=$(echo "${fabric_after#* } - ${fabric_before#* }" | bc)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$order" "$batch" \
      "$(field "$report" .units)" "$(field "$report" .unitsPerSecond)" "$(field "$report" .txPerSecond)" \
      "$(field "$report" .latencyMs.p50)" "$(field "$report" .latencyMs.p99)" "$(field "$report" .latencyMs.max)" \
      "$(field "$report" .failed)" "$(echo "$after - $before" | bc)" "$peers" "$orderer"
  done
  echo
}

# (c) market: MARKET_ORDERS orders for one interval, then close its gate (by
# raising gateClosureSeconds, so the run need not wait for the clock) and clear.
bench_market() {
  local report="$OUT/market.json" interval config gate len now clear_log
  IDLE[trade]=$(rss_of trade)
  # An interval whose gate stays open for at least 25 minutes of order placing.
  config=$(gridctl query --org grid --user operator1 -n trade GetMarketConfig)
  len=$(jq '.intervalSeconds // 900' <<<"$config")
  gate=$(jq '.gateClosureSeconds' <<<"$config")
  interval=$((($(date +%s) + gate + 1500) / len * len + len))
  gridctl bench --org prosumer --user alice --workload market --count "$MARKET_ORDERS" \
    --workers "$MARKET_WORKERS" --interval "$interval" --report "$report" >/dev/null
  config=$(gridctl query --org grid --user operator1 -n trade GetMarketConfig)
  now=$(date +%s)
  gate=$((interval - now + 1))
  gridctl invoke --org grid --user operator1 -n trade SetMarketConfig \
    "$(jq -c --argjson g "$gate" '.gateClosureSeconds = $g' <<<"$config")" >/dev/null 2>&1
  clear_log="$OUT/clear.log"
  gridctl market clear --org grid --user operator1 --interval "$interval" >"$clear_log" 2>&1
  echo "### (c) market ($MARKET_ORDERS PlaceOrder transactions, $MARKET_WORKERS workers; then ClearMarket)"
  echo
  echo "| orders accepted | orders/s | p50 ms | p99 ms | failed | ClearMarket latency (endorse+order+commit) | result |"
  echo "|---|---|---|---|---|---|---|"
  printf '| %s | %s | %s | %s | %s | %s | %s |\n\n' "$(field "$report" .succeeded)" \
    "$(field "$report" .txPerSecond)" "$(field "$report" .latencyMs.p50)" "$(field "$report" .latencyMs.p99)" \
    "$(field "$report" .failed)" "$(sed -n 's/^cleared in \(.*\) (.*/\1/p' "$clear_log")" \
    "$(grep -m1 '^interval' "$clear_log")"
}

# (f) certificates, as gateway1 (the readings) with the fixture's defaults:
# alice owns the devices, issuer1 registers them, bob claims.
bench_certificates() {
  local report="$OUT/certificates.json" before after
  wait_gateway kv
  before=$(cpu_of certificates)
  gridctl bench --org grid --user gateway1 --workload certificates --devices "$CERT_DEVICES" --count "$CERT_HOURS" \
    --workers "$WORKERS" --report "$report" >/dev/null
  after=$(cpu_of certificates)
  echo "### (f) certificates ($CERT_HOURS device-hours over $CERT_DEVICES devices, $WORKERS workers)"
  echo
  echo "| certificates issued | certificates/s | p50 ms | p99 ms | failed | fixture s | certificates CPU s (run) | MatchingReport p50 ms | p99 ms | max ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n\n' "$(field "$report" .issuance.succeeded)" \
    "$(field "$report" .issuance.txPerSecond)" "$(field "$report" .issuance.latencyMs.p50)" \
    "$(field "$report" .issuance.latencyMs.p99)" "$(field "$report" .issuance.failed)" \
    "$(field "$report" .setupSeconds)" "$(echo "$after - $before" | bc)" \
    "$(field "$report" .matchingReport.latencyMs.p50)" "$(field "$report" .matchingReport.latencyMs.p99)" \
    "$(field "$report" .matchingReport.latencyMs.max)"
}

# (g) flexibility: the VPP fixture, then Deliveries and Settle of one interval.
bench_flexibility() {
  local report="$OUT/flexibility.json" before after
  wait_gateway kv
  before=$(cpu_of flexibility)
  gridctl bench --org grid --user gateway1 --workload flex-settle --members "$FLEX_MEMBERS" --workers "$WORKERS" \
    --report "$report" >/dev/null
  after=$(cpu_of flexibility)
  echo "### (g) flexibility: settling one interval of a VPP of $FLEX_MEMBERS member meters"
  echo
  echo "| members | Deliveries evaluate p50 ms | Settle endorse ms | Settle order+commit ms | Settle total ms | postings | flexibility CPU s (run: offer, award, 5 Deliveries, Settle) | fixture s |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n\n' "$(field "$report" .members)" \
    "$(field "$report" .deliveriesEvaluateMs.p50)" "$(field "$report" .settle.endorseMs)" \
    "$(field "$report" .settle.orderAndCommitMs)" "$(field "$report" .settle.totalMs)" "$(field "$report" .postings)" \
    "$(echo "$after - $before" | bc)" "$(field "$report" .setupSeconds)"
}

# batch_round CC NAME ARGS...: BATCH_CALLS evaluations of one call on
# Utility's peer; prints "wall-ms-median cpu-ms-per-call".
batch_round() {
  local cc=$1 name=$2 i t0 t1 before after walls=()
  shift 2
  before=$(cpu_of "$cc")
  for ((i = 0; i < BATCH_CALLS; i++)); do
    t0=$(date +%s%N)
    gridctl query --org utility -n "$cc" "$@" >/dev/null
    t1=$(date +%s%N)
    walls+=($(((t1 - t0) / 1000)))
  done
  after=$(cpu_of "$cc")
  printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] / 1000 }')" \
    "$(echo "scale=2; ($after - $before) * 1000 / $BATCH_CALLS" | bc)"
}

# (e) write batching and multi-key reads, kv vs kvgo, two alternating rounds.
# CPU per call comes from /proc at 10 ms resolution, hence many calls.
bench_batch() {
  local cc round keys=() i get put many
  for cc in kv kvgo; do gridctl invoke --org utility -n "$cc" PutMany 9999 bb >/dev/null 2>&1; done
  for ((i = 0; i < 1000; i++)); do keys+=("$(printf 'bb%04d' "$((i * 7))")"); done
  echo "### (e) write batching and multi-key reads: one evaluation on Utility's peer, $BATCH_CALLS calls per cell"
  echo
  echo "| round | chaincode | Get wall ms | PutMany 9999 wall ms | net of Get | PutMany CPU ms/call | GetMany 1000 wall ms | net of Get | GetMany CPU ms/call |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for round in 1 2; do
    for cc in kv kvgo; do
      read -r get _ < <(batch_round "$cc" get Get bb0000)
      put=$(batch_round "$cc" put PutMany 9999 bp)
      many=$(batch_round "$cc" many GetMany "${keys[@]}")
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$round" "$cc" "$get" "${put% *}" \
        "$(echo "${put% *} - $get" | bc)" "${put#* }" "${many% *}" "$(echo "${many% *} - $get" | bc)" "${many#* }"
    done
  done
  echo
}

# (d) footprint of every chaincode process.
footprint() {
  local cc bin
  echo "### (d) footprint"
  echo
  echo "| chaincode | binary | size MiB | RSS idle MiB | RSS peak MiB |"
  echo "|---|---|---|---|---|"
  for cc in kv kvgo registry metering trade; do
    bin=$(readlink -f "/proc/$(pid_of "$cc")/exe")
    bin=${bin% (deleted)} # rebuilt while it ran: the size is the new file's
    printf '| %s | %s | %s | %s | %s |\n' "$cc" "${bin##*/}" \
      "$(awk -v s="$(stat -c %s "$bin")" 'BEGIN { printf "%.1f", s / 1048576 }')" \
      "${IDLE[$cc]:-$(rss_of "$cc")}" "$(hwm_of "$cc")"
  done
  echo
}

main() {
  declare -gA IDLE=()
  build
  trap cleanup EXIT
  "$NET" down >/dev/null
  "$NET" up
  deploy
  mkdir -p "$OUT" # after up: down clears the run directory
  IDLE[registry]=$(rss_of registry)
  {
    echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), Fabric" \
      "$(peer version 2>/dev/null | sed -n 's/^ Version: //p') ($GL_ORDERER_TYPE ordering), $(uname -r)."
    echo
    [[ $PARTS != *" kv "* ]] || bench_kv
    [[ $PARTS != *" metering "* ]] || bench_metering
    [[ $PARTS != *" market "* ]] || bench_market
    [[ $PARTS != *" batch "* ]] || bench_batch
    [[ $PARTS != *" certificates "* ]] || bench_certificates
    [[ $PARTS != *" flexibility "* ]] || bench_flexibility
    footprint
  } | tee "$OUT/summary.md"
}

main "$@"
