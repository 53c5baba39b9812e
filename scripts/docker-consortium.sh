#!/usr/bin/env bash
# The whole energy consortium in Docker, in one command each way:
#
#   scripts/docker-consortium.sh up       chaincode image, network up (GL_LAUNCHER=docker),
#                                         registry/metering/trade deployed, a short demo
#   scripts/docker-consortium.sh down     remove everything up created (containers, their
#                                         volumes, the run dir) and check nothing is left
#   scripts/docker-consortium.sh status   each node, up or down
#   scripts/docker-consortium.sh logs [NODE]   logs of every node, or one (peer-grid, cc-trade ...)
#   scripts/docker-consortium.sh demo     the demo again on the running network
#
# Images: network/docker/images.env (official Hyperledger images by default;
# GL_FABRIC_VERSION=2.5.16 for the 2.5 LTS). GL_DOCKER_LOCAL=1 builds and uses
# local images instead (no registry needed: scripts/docker-local.sh prepare).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

export GL_LAUNCHER=docker
readonly NET="$GL_SCRIPTS/network.sh"

# With GL_DOCKER_LOCAL=1, the local images' settings (and with "prepare",
# everything built and started first).
use_local_images() {
  [[ ${GL_DOCKER_LOCAL:-0} == 1 ]] || return 0
  local line
  [[ ${1:-} != prepare ]] || "$GL_SCRIPTS/docker-local.sh" prepare >&2
  while IFS= read -r line; do export "${line?}"; done < <("$GL_SCRIPTS/docker-local.sh" env)
}

# invoke_as ORG USER CHAINCODE ARGS-JSON: submit, endorsed by every peer and
# committed (--waitForEvent); fails unless the chaincode answered 200.
invoke_as() {
  local targets out
  mapfile -t targets < <(all_peer_targets)
  out=$(
    set -a
    # shellcheck disable=SC1090
    source <(peer_env "$1" "$2")
    set +a
    peer chaincode invoke -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" -C "$CHANNEL" -n "$3" \
      -c "$4" "${targets[@]}" --waitForEvent 2>&1
  ) || gl_die "demo: invoke $3 $4 failed: $out"
  grep -q 'status:200' <<<"$out" || gl_die "demo: invoke $3 $4: $out"
}

query_as() { # org user chaincode args-json
  (
    set -a
    # shellcheck disable=SC1090
    source <(peer_env "$1" "$2")
    set +a
    peer chaincode query -C "$CHANNEL" -n "$3" -c "$4"
  )
}

# A prosumer registers a PV system, the grid operator approves its connection,
# and every org's peer reads the same active asset.
demo() {
  gl_use_fabric peer
  local id asset org got
  id="pv-demo-$(date +%s)"
  asset=$(jq -cn --arg id "$id" '{id: $id, kind: "pv", nameplateW: 6000, connectionPoint: "cp-demo-1",
    location: {lat: "52.3702", lon: "4.8952"}, commissioned: "2024-03-01"}')
  gl_log "demo: alice ($(orgvar "$GL_MARKET_PROSUMER" MSPID)) registers $id"
  invoke_as "$GL_MARKET_PROSUMER" alice registry "$(jq -cn --arg a "$asset" '{Args: ["RegisterAsset", $a]}')"
  gl_log "demo: the grid operator ($(orgvar "$GL_MARKET_GRID_OPERATOR" MSPID)) approves its connection"
  invoke_as "$GL_MARKET_GRID_OPERATOR" operator1 registry "$(jq -cn --arg id "$id" '{Args: ["ApproveConnection", $id]}')"
  for org in $GL_PEER_ORGS; do
    got=$(query_as "$org" admin registry "$(jq -cn --arg id "$id" '{Args: ["GetAsset", $id]}')" | jq -r '.status')
    gl_log "demo: peer-$org sees $id $got"
    [[ $got == active ]] || gl_die "demo: peer-$org reads status '$got', expected active"
  done
  gl_log "demo passed"
}

up() {
  local start=$SECONDS
  if [[ ${GL_DOCKER_LOCAL:-0} == 1 ]]; then
    use_local_images prepare # builds the chaincode image too
  else
    "$GL_SCRIPTS/docker-images.sh" chaincode >&2
  fi
  "$NET" up
  "$NET" deploy-energy
  demo
  gl_log "energy consortium up in Docker in $((SECONDS - start))s (run dir $GL_RUN)"
}

# down, then fail if any container, volume, network or file of this run is left.
down() {
  local volumes left
  gl_source_launcher
  mapfile -t volumes < <(gl_docker_volumes)
  "$NET" down
  left=$(gl_docker_leftovers "${volumes[@]}")
  [[ -z $left ]] || gl_die "left behind after down: $left"
  gl_log "nothing left behind (containers, ${#volumes[@]} anonymous volumes, networks, $GL_RUN)"
}

main() {
  local verb=${1:-}
  shift || true
  case "$verb" in
    up) up ;;
    down) use_local_images && down ;;
    status) use_local_images && "$NET" status ;;
    logs) use_local_images && "$NET" logs "$@" ;;
    demo) use_local_images && demo ;;
    *)
      sed -n '2,15p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
