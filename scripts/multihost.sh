#!/usr/bin/env bash
# The consortium on five hosts (network/MULTIHOST.md): one network namespace
# per organization (orderer org, Utility, Grid, Prosumer) plus a client host,
# addresses from 198.18.0.0/15, host names in /etc/netns/<ns>/hosts and in
# every TLS certificate, no route out (scripts/lib/netns.sh). The nodes run in
# their org's namespace (scripts/lib/common.sh, gl_start); network.sh, the CLIs
# and the tests run on the client host. Needs root.
#
#   multihost.sh up               hosts, network (Raft), kv + energy contracts
#   multihost.sh test [ARGS]      the partition test (tests/e2e/tests/multihost.rs) on the client host
#   multihost.sh run              build, up, test, down: what CI runs (scripts/e2e.sh)
#   multihost.sh down             network down, namespaces and /etc/netns entries removed
#   multihost.sh exec CMD...      CMD on the client host, with the consortium's variables exported
#   multihost.sh partition ORG    cut ORG's host off the bridge
#   multihost.sh heal-partition ORG   reconnect it
#   multihost.sh check            hosts resolve each other, no route out of the subnet
#
# `up` starts by removing a crashed run's namespaces; `run` brings everything
# down on exit, failed or not.
set -euo pipefail

GL_CONSORTIUM="${GL_MH_CONSORTIUM:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/network/consortiums/multihost.env}"
# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/netns.sh
source "$GL_SCRIPTS/lib/netns.sh"
[[ -n ${GL_MH_SWITCH_NETNS:-} ]] || gl_die "$GL_CONSORTIUM defines no hosts (GL_MH_*): not a multi-host consortium"

export GL_LAUNCHER=native
export FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"
readonly NET="$GL_SCRIPTS/network.sh"

# on_client CMD...: CMD on the client host, with every GL_* of the consortium
# exported (gridctl reads GL_<ORG>_PEER_HOST) and cargo kept offline.
on_client() {
  (
    export "${!GL_@}" GL_CONSORTIUM CARGO_NET_OFFLINE=true
    exec ip netns exec "$GL_MH_CLIENT_NETNS" "$@"
  )
}

# The root namespace's routes, to show they are the same after the run.
root_routes() { { ip -4 route show table all; ip -6 route show table all; } 2>/dev/null | sort; }

up() {
  local start=$SECONDS kv
  # A crashed run's nodes and run dir go first (its namespaces in mh_setup):
  # `network.sh up` would take a leftover run dir for a running network.
  "$NET" down >/dev/null 2>&1 || true
  mh_setup
  mh_check
  on_client "$NET" up
  kv=$("$GL_SCRIPTS/build-chaincodes.sh" path kv-ccaas)
  on_client "$NET" deploy --name kv --cmd "$kv" --port "$GL_CC_PORT" --collections "$GL_NETWORK/collections-kv.json"
  on_client "$NET" deploy-energy
  wait_gateway
  gl_log "multihost: consortium up on $(mh_keys | wc -w) hosts in $((SECONDS - start))s"
}

# The Gateway endorses once discovery knows every org's peer (e2e.sh does the same).
wait_gateway() { gl_wait_endorsable 90 kv Put multihost-gateway-ready yes; }

# gridctl ARGS: this checkout's gridctl on the client host, the only one that
# reaches every org's peer (gl_wait_endorsable calls it).
gridctl() { on_client "$(GRIDLEDGER_CC_PROFILE=debug "$GL_SCRIPTS/build-chaincodes.sh" path gridctl)" "$@"; }

down() {
  if mh_ns_exists "$GL_MH_CLIENT_NETNS"; then
    on_client "$NET" down >/dev/null 2>&1 || gl_log "multihost: network.sh down failed; stopping what is left"
  else
    "$NET" down >/dev/null 2>&1 || true
  fi
  mh_teardown
  gl_log "multihost: down, namespaces removed"
}

run_test() {
  on_client env GRIDLEDGER_E2E=1 GRIDLEDGER_MULTIHOST=1 \
    cargo test -p gridledger-e2e --test multihost -- --include-ignored --nocapture "$@"
}

build() {
  local args=(build -p gridctl --bin gridctl) name
  "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  "$GL_SCRIPTS/build-chaincodes.sh" >/dev/null
  for name in registry metering trade certificates flexibility; do args+=(-p "gridledger-$name" --bin "$name-cc"); done
  (cd "$GL_REPO" && cargo "${args[@]}" && cargo test -p gridledger-e2e --test multihost --no-run) >&2
}

# run's EXIT trap: everything down, and this machine's routes as they were.
finish() {
  local rc=$?
  down
  if [[ $(root_routes) != "$MH_ROUTES_BEFORE" ]]; then
    gl_log "multihost: WARNING: this machine's routing tables changed during the run"
  else
    gl_log "multihost: this machine's routing tables are as they were"
  fi
  exit "$rc"
}

run() {
  local start t_up t_test
  MH_ROUTES_BEFORE=$(root_routes)
  trap finish EXIT
  build
  start=$SECONDS
  up
  t_up=$((SECONDS - start))
  run_test
  t_test=$((SECONDS - start - t_up))
  gl_log "multihost: up+deploy ${t_up}s, test ${t_test}s"
}

main() {
  local verb=${1:-}
  shift || true
  case "$verb" in
    up) up ;;
    down) down ;;
    test) run_test "$@" ;;
    run) run ;;
    exec) on_client "$@" ;;
    partition) mh_partition "${1:?usage: multihost.sh partition ORG}" down ;;
    heal-partition) mh_partition "${1:?usage: multihost.sh heal-partition ORG}" up ;;
    check) mh_check ;;
    *)
      sed -n '2,19p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
