#!/usr/bin/env bash
# End-to-end smoke test of the native network with the kv chaincode as a
# service over mutual TLS, twice: `kv` is the Rust example
# (chaincode/examples/kv, kv-ccaas), `kvgo` the Go reference (tests/go-reference):
#   fabric-tools -> down -> up -> deploy kv, kvgo -> per chaincode: invoke Put
#   (3 orgs, wait for commit) -> query Get -> compare -> down
# Prints the time of each phase. KEEP_NETWORK=1 leaves the network running.
#
#   scripts/smoke.sh          the full flow (needs the Fabric binaries)
#   scripts/smoke.sh ccaas    what needs no Fabric peer: CAs + identities, the
#                             chaincode server with its TLS certificate, and a
#                             peer-side mutual-TLS probe per org (ccaas-probe)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly NET="$GL_SCRIPTS/network.sh"
TIMINGS=()

# timed LABEL CMD...: run CMD, remember how long it took.
timed() {
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  TIMINGS+=("$(awk -v l="$label" -v a="$t0" -v b="$t1" 'BEGIN { printf "%-14s %6.2fs", l, b - a }')")
}

report() {
  local line
  echo "smoke timings:"
  for line in "${TIMINGS[@]}"; do echo "  $line"; done
}

cleanup() {
  local rc=$?
  if [[ ${KEEP_NETWORK:-0} != 1 ]]; then "$NET" down >/dev/null 2>&1 || true; fi
  ((${#TIMINGS[@]} == 0)) || report
  if ((rc == 0)); then echo "smoke: PASS"; else echo "smoke: FAIL (logs were in $GL_RUN/logs)"; fi
}

invoke_put() { # chaincode key value
  local cc=$1 targets
  shift
  mapfile -t targets < <(all_peer_targets)
  as_org "$GL_LEAD_ORG" peer chaincode invoke -o "$GL_ORDERER_HOST:$GL_ORDERER_PORT" --tls \
    --cafile "$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem" -C "$GL_CHANNEL" -n "$cc" \
    "${targets[@]}" -c "$(jq -cn --arg k "$1" --arg v "$2" '{Args: ["Put", $k, $v]}')" --waitForEvent
}

query_get() { # chaincode key -> value on stdout
  as_org "$GL_MARKET_GRID_OPERATOR" peer chaincode query -C "$GL_CHANNEL" -n "$1" \
    -c "$(jq -cn --arg k "$2" '{Args: ["Get", $k]}')"
}

check_equal() { # got want
  if [[ $1 != "$2" ]]; then
    echo "smoke: Get returned '$1', want '$2'" >&2
    return 1
  fi
  echo "smoke: Get returned '$1' as expected"
}

# Each org's peer TLS identity must be accepted by the chaincode server.
probe_all_orgs() { # probe-binary
  local org id d
  id=$(cat "$GL_RUN/chaincode/kv/package-id")
  for org in $GL_PEER_ORGS; do
    d="$GL_ORGS_DIR/$org/peer0/tls"
    "$1" -address "$GL_CC_HOST:$GL_CC_PORT" -id "$id" -root-cert "$(ca_home_cert)" \
      -client-cert "$d/server.crt" -client-key "$d/server.key"
  done
}

ca_home_cert() { echo "$GL_RUN/ca/$GL_LEAD_ORG/ca-cert.pem"; }

smoke_full() {
  local kv kvgo value cc
  value="smoke-$(date +%s)"
  timed tools "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  gl_use_fabric peer
  kvgo=$("$GL_SCRIPTS/build-go-reference.sh")
  timed cargo "$GL_SCRIPTS/build-chaincodes.sh" >/dev/null
  kv=$("$GL_SCRIPTS/build-chaincodes.sh" path kv-ccaas)
  "$NET" down >/dev/null
  timed up "$NET" up
  timed deploy-kv "$NET" deploy --name kv --cmd "$kv" --port "$GL_CC_PORT"
  timed deploy-go "$NET" deploy --name kvgo --cmd "$kvgo" --port "$((GL_CC_PORT - 1))"
  for cc in kv kvgo; do
    timed "invoke-$cc" invoke_put "$cc" smoke-key "$value-$cc"
    timed "query-$cc" query_get "$cc" smoke-key >"$GL_RUN/smoke-get.out"
    check_equal "$(cat "$GL_RUN/smoke-get.out")" "$value-$cc"
  done
}

smoke_ccaas() {
  local kv probe
  kv=$("$GL_SCRIPTS/build-go-reference.sh")
  probe=$("$GL_SCRIPTS/build-go-reference.sh" probe)
  "$NET" down >/dev/null
  timed identities "$NET" identities
  timed serve "$NET" deploy --serve-only --name kv --cmd "$kv"
  timed probe probe_all_orgs "$probe"
}

main() {
  trap cleanup EXIT
  case "${1:-full}" in
    full) smoke_full ;;
    ccaas) smoke_ccaas ;;
    *)
      echo "usage: $0 [full|ccaas]" >&2
      exit 2
      ;;
  esac
}

main "$@"
