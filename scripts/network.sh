#!/usr/bin/env bash
# The gridledger consortium (network/consortium.env): Fabric CAs, one etcdraft
# orderer and the Utility, Grid and Prosumer peers, each with its own ports,
# config and data dirs under the run directory ($GRIDLEDGER_RUN, default
# .cache/run). GL_LAUNCHER picks how nodes run: native (default, processes on
# this machine: scripts/launch-native.sh) or docker (containers on host
# networking: scripts/launch-docker.sh); every verb works with both.
#
#   network.sh up                 CAs + identities, orderer, peers, channel
#   network.sh down               stop everything the launcher started, wipe state
#   network.sh status             list nodes and chaincode servers, up or down
#   network.sh logs [NAME]        tail logs (all, or one node: peer-utility, orderer, cc-kv ...)
#   network.sh identities         only CAs + identities (what `up` does first)
#   network.sh deploy OPTIONS     CCaaS lifecycle; see deploy_usage
#   network.sh deploy-energy      registry, metering (collections-energy.json) and trade
#                                 (built by cargo beforehand; ports GL_CC_PORT-2, -3, -4)
#   network.sh cc-stop NAME [--kill]   stop a deployed chaincode server (--kill: SIGKILL, a crash)
#   network.sh cc-start NAME           start it again as deploy did
#   network.sh restart NODE       restart orderer or peer-<org> (same config, same ledger)
#   network.sh heal               start every orderer, peer and deployed chaincode
#                                 server that is down (tests that break nodes call
#                                 it from a guard, so one failure stays one failure)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=SCRIPTDIR/identities.sh
source "$GL_SCRIPTS/identities.sh"
# shellcheck source=SCRIPTDIR/deploy.sh
source "$GL_SCRIPTS/deploy.sh"
# The launcher defines globals: source it at the top level. identities.sh
# starts each CA through it (gl_launch_ca).
gl_source_launcher

create_channel() {
  local block="$GL_RUN/channel/$GL_CHANNEL.block" a="$GL_ORGS_DIR/orderer/users/admin/tls" org
  mkdir -p "$GL_RUN/channel"
  FABRIC_CFG_PATH="$GL_RUN/config/configtx" configtxgen -profile EnergyChannel \
    -outputBlock "$block" -channelID "$GL_CHANNEL" >>"$GL_RUN/logs/tools.log" 2>&1 ||
    gl_die "configtxgen failed (logs/tools.log)"
  osnadmin channel join --channelID "$GL_CHANNEL" --config-block "$block" \
    -o "$GL_ORDERER_HOST:$GL_ORDERER_ADMIN_PORT" --ca-file "$a/ca.crt" \
    --client-cert "$a/server.crt" --client-key "$a/server.key" >>"$GL_RUN/logs/tools.log" 2>&1 ||
    gl_die "osnadmin channel join failed (logs/tools.log)"
  for org in $GL_PEER_ORGS; do
    wait_port "$(orgvar "$org" PEER_HOST)" "$(orgvar "$org" PEER_PORT)" 30 || gl_die "peer-$org did not start"
    # The orderer may need a moment before it serves the new channel.
    for attempt in 1 2 3 4 5; do
      as_org "$org" peer channel join -b "$block" >>"$GL_RUN/logs/tools.log" 2>&1 && break
      ((attempt < 5)) || gl_die "peer-$org could not join $GL_CHANNEL (logs/tools.log)"
      sleep 1
    done
  done
}

# Another network (say, from a second checkout) on the same ports would
# answer our readiness checks and our CLI calls: refuse to start beside it.
ports_free() {
  local org hp busy=()
  local pairs=("$GL_ORDERER_HOST:$GL_ORDERER_PORT" "$GL_ORDERER_HOST:$GL_ORDERER_ADMIN_PORT")
  for org in $(gl_all_orgs); do pairs+=("$(orgvar "$org" CA_HOST):$(orgvar "$org" CA_PORT)"); done
  for org in $GL_PEER_ORGS; do
    pairs+=("$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_PORT)" "$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_CC_PORT)")
  done
  for hp in "${pairs[@]}"; do
    if (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null; then busy+=("$hp"); fi
  done
  ((${#busy[@]} == 0)) || gl_die "ports in use: ${busy[*]} (another network running? 'network.sh down' there first)"
}

up() {
  local start=$SECONDS org
  gl_use_fabric peer orderer configtxgen osnadmin fabric-ca-server fabric-ca-client
  if [[ -f $GL_RUN/.up ]]; then
    gl_log "network already up (run dir $GL_RUN); 'down' first for a fresh one"
    return 0
  fi
  ports_free
  mkdir -p "$GL_RUN/logs"
  identities_up
  render_configs
  gl_launch_orderer
  for org in $GL_PEER_ORGS; do gl_launch_peer "$org"; done
  create_channel
  date +%s >"$GL_RUN/.up"
  gl_log "network up in $((SECONDS - start))s: channel $GL_CHANNEL, run dir $GL_RUN"
}

down() {
  gl_stop_all
  rm -rf "$GL_RUN"
  gl_log "network down; removed $GL_RUN"
}

status() {
  local name org dir names=()
  for org in $(gl_all_orgs); do names+=("ca-$org"); done
  names+=(orderer)
  for org in $GL_PEER_ORGS; do names+=("peer-$org"); done
  for dir in "$GL_RUN"/chaincode/*/; do
    [[ -f $dir/serve-args ]] && names+=("cc-$(basename "$dir")")
  done
  for name in "${names[@]}"; do
    if gl_node_running "$name"; then printf '%-16s up\n' "$name"; else printf '%-16s down\n' "$name"; fi
  done
}

logs() {
  local name
  if [[ -n ${1:-} ]]; then
    gl_node_logs "$1" "${LINES_TO_SHOW:-100}"
  else
    while read -r name _; do
      printf '==> %s <==\n' "$name"
      gl_node_logs "$name" "${LINES_TO_SHOW:-20}" 2>/dev/null || true
    done < <(status | grep ' up$')
  fi
}
restart_node() { # orderer | peer-<org>
  local node=${1:?usage: network.sh restart orderer|peer-ORG}
  gl_use_fabric peer orderer
  gl_stop_node "$node"
  case "$node" in
    orderer) gl_launch_orderer ;;
    peer-*)
      local org=${node#peer-}
      orgvar "$org" MSPID >/dev/null
      gl_launch_peer "$org"
      ;;
    *) gl_die "restart: unknown node $node (orderer, peer-ORG)" ;;
  esac
  gl_log "$node restarted"
}

# heal: whatever a failed test left stopped comes back with its own config and
# ledger; nodes that run are left alone. Exit 0 when everything is up after it.
heal() {
  local org dir name healed=()
  [[ -f $GL_RUN/.up ]] || gl_die "heal: no network is up in $GL_RUN"
  gl_use_fabric peer orderer fabric-ca-client
  if ! gl_node_running orderer; then
    gl_launch_orderer
    healed+=(orderer)
  fi
  for org in $GL_PEER_ORGS; do
    if ! gl_node_running "peer-$org"; then
      gl_launch_peer "$org"
      healed+=("peer-$org")
    fi
  done
  for dir in "$GL_RUN"/chaincode/*/; do
    name=$(basename "$dir")
    if [[ -f $dir/serve-args ]] && ! gl_node_running "cc-$name"; then
      cc_start "$name"
      healed+=("cc-$name")
    fi
  done
  gl_log "heal: ${healed[*]:-nothing was down}"
}

main() {
  local verb=${1:-}
  shift || true
  case "$verb" in
    up) up ;;
    down) down ;;
    status) status ;;
    logs) logs "$@" ;;
    deploy) deploy "$@" ;;
    deploy-energy) deploy_energy ;;
    cc-stop) cc_stop "$@" ;;
    cc-start) cc_start "$@" ;;
    restart) restart_node "$@" ;;
    heal) heal ;;
    identities)
      gl_use_fabric fabric-ca-server fabric-ca-client
      mkdir -p "$GL_RUN/logs"
      identities_up
      ;;
    env) peer_env "${1:?usage: network.sh env ORG [USER]}" "${2:-admin}" ;;
    *)
      sed -n '2,23p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
