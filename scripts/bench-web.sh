#!/usr/bin/env bash
# Load check of the web view (issue 17): CONCURRENCY concurrent loads of one
# page (the market page by default), REQUESTS in all, while `gridctl meter
# simulate` ingests readings through the same network; prints p50, p99 and
# max page latency and the non-200 count. It needs a running network with the
# energy contracts (run it under the network lock, as scripts/e2e.sh does):
#   flock /tmp/gridledger-network.lock bash -c 'scripts/network.sh up &&
#     scripts/network.sh deploy-energy && scripts/bench-web.sh; scripts/network.sh down'
# Options (environment): REQUESTS (500), CONCURRENCY (50), PAGE (/market),
# METERS (100, the ingesting fleet; 0: no ingestion), GRIDCTL (the gridctl binary to serve
# with; default: build-chaincodes.sh's, built here), WEB_BIN (serve with this
# gridledger-web binary instead, from the peer CLI environment of
# `scripts/env.sh utility operator1`: how an older build is measured),
# WEB_PORT (18088).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly REQUESTS="${REQUESTS:-500}"
readonly CONCURRENCY="${CONCURRENCY:-50}"
readonly PAGE="${PAGE:-/market}"
readonly METERS="${METERS:-100}"
readonly WEB_PORT="${WEB_PORT:-18088}"
readonly BASE="http://127.0.0.1:$WEB_PORT"
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# percentile P FILE: the P-th percentile (nearest rank) of the sorted numbers in FILE, in ms.
percentile() {
  local n rank
  n=$(wc -l <"$2")
  rank=$(((n * $1 + 99) / 100))
  ((rank >= 1)) || rank=1
  sed -n "${rank}p" "$2" | awk '{printf "%.0f", $1 * 1000}'
}

main() {
  local gridctl=${GRIDCTL:-} out times codes
  if [[ -z $gridctl ]]; then
    (cd "$GL_REPO" && cargo build -p gridctl) >&2
    gridctl=$(GRIDLEDGER_CC_PROFILE=debug "$GL_SCRIPTS/build-chaincodes.sh" path gridctl)
  fi
  trap cleanup EXIT
  out=$(mktemp -d)
  if [[ -n ${WEB_BIN:-} ]]; then
    (
      while IFS= read -r line; do export "${line?}"; done < <("$GL_SCRIPTS/env.sh" utility operator1)
      exec "$WEB_BIN" --listen "127.0.0.1:$WEB_PORT"
    ) 2>"$out/serve.log" &
  else
    "$gridctl" serve --org utility --user operator1 --listen "127.0.0.1:$WEB_PORT" 2>"$out/serve.log" &
  fi
  PIDS+=($!)
  local deadline=$((SECONDS + 60))
  until curl -fso /dev/null "$BASE$PAGE"; do
    ((SECONDS < deadline)) || gl_die "the web view did not serve $PAGE within 60 s ($out/serve.log)"
    sleep 1
  done
  # Metering ingestion for the whole measurement: a fleet registers, then submits a day of readings.
  if ((METERS > 0)); then
    "$gridctl" meter simulate --org grid --user gateway1 --register --meters "$METERS" --intervals 96 \
      --batch 200 >"$out/ingest.json" 2>"$out/ingest.log" &
    PIDS+=($!)
    sleep 5
  fi
  gl_log "bench-web: $REQUESTS loads of $PAGE, $CONCURRENCY at a time, while $METERS meters ingest"
  local start=$SECONDS
  seq "$REQUESTS" | xargs -P "$CONCURRENCY" -I{} \
    curl -so /dev/null -w '%{http_code} %{time_total}\n' "$BASE$PAGE" >"$out/results"
  local elapsed=$((SECONDS - start))
  times="$out/times"
  codes=$(awk '$1 != 200' "$out/results" | wc -l)
  awk '{print $2}' "$out/results" | sort -n >"$times"
  echo "bench-web: page $PAGE, $REQUESTS requests, concurrency $CONCURRENCY, ${elapsed}s:" \
    "p50 $(percentile 50 "$times") ms, p99 $(percentile 99 "$times") ms, max $(percentile 100 "$times") ms," \
    "non-200 $codes"
  if ((METERS == 0)); then
    echo "bench-web: no ingestion"
  elif kill -0 "${PIDS[1]}" 2>/dev/null; then
    echo "bench-web: ingestion was still running at the end (readings/s so far: $(grep -o '[0-9.]* readings/s' "$out/ingest.log" | tail -n 1))"
  else
    echo "bench-web: ingestion ended before the loads did ($out/ingest.log)"
  fi
  ((codes == 0)) || gl_die "bench-web: $codes requests did not answer 200"
}

main "$@"
