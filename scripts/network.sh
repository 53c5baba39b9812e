#!/usr/bin/env bash
# The gridledger consortium (network/consortium.env): Fabric CAs, the ordering
# service (one etcdraft orderer, or with GL_ORDERER_TYPE=bft four SmartBFT
# consenters) and the Utility, Grid and Prosumer peers, each with its own ports,
# config and data dirs under the run directory ($GRIDLEDGER_RUN, default
# .cache/run). GL_LAUNCHER picks how nodes run: native (default, processes on
# this machine: scripts/lib/launch-native.sh) or docker (containers on host
# networking: scripts/lib/launch-docker.sh); every verb works with both.
#
#   network.sh up                 CAs + identities, orderer, peers, channel
#   network.sh down               stop everything the launcher started, wipe state
#   network.sh status             list nodes and chaincode servers, up or down
#   network.sh logs [NAME]        tail logs (all, or one node: peer-utility, orderer, cc-kv ...)
#   network.sh identities         only CAs + identities (what `up` does first)
#   network.sh deploy OPTIONS     CCaaS lifecycle; see deploy_usage
#   network.sh deploy-energy      registry, metering (collections-energy.json), trade and
#                                 certificates (built by cargo beforehand; ports GL_CC_PORT-2 to -5),
#                                 then the market roles record (init-roles)
#   network.sh init-roles         write the market roles record (registry InitRoles)
#                                 for this consortium, unless one exists
#   network.sh cc-stop NAME [--kill]   stop a deployed chaincode server (--kill: SIGKILL, a crash)
#   network.sh cc-start NAME           start it again as deploy did
#   network.sh restart NODE       restart orderer, orderer-<org> (BFT) or peer-<org>
#                                 (same config, same ledger)
#   network.sh stop NODE [--kill] stop one orderer or peer (--kill: SIGKILL, a crash)
#   network.sh height NODE        an orderer node's block height on the channel
#   network.sh heal               start every orderer, peer and deployed chaincode
#                                 server that is down (tests that break nodes call
#                                 it from a guard, so one failure stays one failure)
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/identities.sh
source "$GL_SCRIPTS/lib/identities.sh"
# shellcheck source=SCRIPTDIR/lib/deploy.sh
source "$GL_SCRIPTS/lib/deploy.sh"
# The launcher defines globals: source it at the top level. identities.sh
# starts each CA through it (gl_launch_ca).
gl_source_launcher

create_channel() {
  local block="$GL_RUN/channel/$GL_CHANNEL.block" profile=EnergyChannel org node a
  [[ $GL_ORDERER_TYPE != bft ]] || profile=EnergyChannelBFT
  mkdir -p "$GL_RUN/channel"
  FABRIC_CFG_PATH="$GL_RUN/config/configtx" configtxgen -profile "$profile" \
    -outputBlock "$block" -channelID "$GL_CHANNEL" >>"$GL_RUN/logs/tools.log" 2>&1 ||
    gl_die "configtxgen failed (logs/tools.log)"
  # Each orderer node joins through its own admin endpoint, as its own org's
  # admin (the admin endpoint trusts only that org's TLS CA).
  for node in $(gl_orderer_nodes); do
    a="$GL_ORGS_DIR/$(orderer_org "$node")/users/admin/tls"
    osnadmin channel join --channelID "$GL_CHANNEL" --config-block "$block" \
      -o "$(ordvar "$node" HOST):$(ordvar "$node" ADMIN_PORT)" --ca-file "$a/ca.crt" \
      --client-cert "$a/server.crt" --client-key "$a/server.key" >>"$GL_RUN/logs/tools.log" 2>&1 ||
      gl_die "osnadmin channel join on $node failed (logs/tools.log)"
  done
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
  local org node hp busy=() pairs=()
  for node in $(gl_orderer_nodes); do
    pairs+=("$(ordvar "$node" HOST):$(ordvar "$node" PORT)" "$(ordvar "$node" HOST):$(ordvar "$node" ADMIN_PORT)")
  done
  for org in $(gl_all_orgs); do pairs+=("$(orgvar "$org" CA_HOST):$(orgvar "$org" CA_PORT)"); done
  for org in $GL_PEER_ORGS; do
    pairs+=("$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_PORT)" "$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_CC_PORT)")
  done
  for hp in "${pairs[@]}"; do
    if (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null; then busy+=("$hp"); fi
  done
  ((${#busy[@]} == 0)) || gl_die "ports in use: ${busy[*]} (another network running? 'network.sh down' there first)"
}

# SmartBFT arrived in Fabric 3.0; a 2.5 orderer would not know the BFT type.
check_orderer_type() {
  local nodes v
  nodes=$(gl_orderer_nodes)
  [[ $GL_ORDERER_TYPE == bft ]] || return 0
  v=$(peer version 2>/dev/null | awk '/Version:/ {print $2; exit}')
  [[ ${v%%.*} -ge 3 ]] 2>/dev/null ||
    gl_die "GL_ORDERER_TYPE=bft needs Fabric 3.x; this run's binaries are ${v:-unknown} (FABRIC_VERSION)"
  gl_log "ordering: SmartBFT, $(wc -w <<<"$nodes") consenters ($nodes)"
}

up() {
  local start=$SECONDS org node
  gl_use_fabric peer orderer configtxgen osnadmin fabric-ca-server fabric-ca-client
  if [[ -f $GL_RUN/.up ]]; then
    gl_log "network already up (run dir $GL_RUN); 'down' first for a fresh one"
    return 0
  fi
  check_orderer_type
  ports_free
  mkdir -p "$GL_RUN/logs"
  identities_up
  render_configs
  for node in $(gl_orderer_nodes); do gl_launch_orderer "$node"; done
  for org in $GL_PEER_ORGS; do gl_launch_peer "$org"; done
  create_channel
  echo "$GL_ORDERER_TYPE" >"$GL_RUN/orderer-type"
  date +%s >"$GL_RUN/.up"
  gl_log "network up in $((SECONDS - start))s: channel $GL_CHANNEL ($GL_ORDERER_TYPE), run dir $GL_RUN"
}

down() {
  gl_stop_all
  rm -rf "$GL_RUN"
  gl_log "network down; removed $GL_RUN"
}

status() {
  local name org dir names=() nodes
  for org in $(gl_all_orgs); do names+=("ca-$org"); done
  read -r -a nodes <<<"$(gl_orderer_nodes)"
  names+=("${nodes[@]}")
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
restart_node() { # orderer | orderer-<org> | peer-<org>
  local node=${1:?usage: network.sh restart orderer|orderer-ORG|peer-ORG}
  gl_use_fabric peer orderer
  case "$node" in
    orderer*) [[ " $(gl_orderer_nodes) " == *" $node "* ]] || gl_die "restart: $node is not an orderer of this run" ;;
  esac
  gl_stop_node "$node"
  case "$node" in
    orderer*) gl_launch_orderer "$node" ;;
    peer-*)
      local org=${node#peer-}
      orgvar "$org" MSPID >/dev/null
      gl_launch_peer "$org"
      ;;
    *) gl_die "restart: unknown node $node (orderer, orderer-ORG, peer-ORG)" ;;
  esac
  gl_log "$node restarted"
}

stop_node() { # node [--kill]
  local node=${1:?usage: network.sh stop NODE [--kill]}
  case "$node" in
    orderer* | peer-*) ;;
    *) gl_die "stop: $node is not an orderer or a peer (chaincode servers: cc-stop)" ;;
  esac
  gl_stop_node "$node" "${2:-}"
  gl_log "$node stopped${2:+ ($2)}"
}

# height NODE: the channel's height on one orderer node, from its admin
# endpoint (channel participation API), as the node's own org admin.
orderer_height() {
  local node=${1:?usage: network.sh height ORDERER_NODE} a out
  [[ " $(gl_orderer_nodes) " == *" $node "* ]] || gl_die "height: $node is not an orderer of this run"
  gl_use_fabric osnadmin
  a="$GL_ORGS_DIR/$(orderer_org "$node")/users/admin/tls"
  out=$(osnadmin channel list --channelID "$GL_CHANNEL" -o "$(ordvar "$node" HOST):$(ordvar "$node" ADMIN_PORT)" \
    --ca-file "$a/ca.crt" --client-cert "$a/server.crt" --client-key "$a/server.key" 2>&1) ||
    gl_die "osnadmin channel list on $node failed: ${out:0:200}"
  # osnadmin prints "Status: 200" and then the JSON body.
  sed -n '/^{/,$p' <<<"$out" | jq -er '.height' || gl_die "no height in $node's answer: ${out:0:200}"
}

# heal: whatever a failed test left stopped comes back with its own config and
# ledger; nodes that run are left alone. Exit 0 when everything is up after it.
heal() {
  local org dir name healed=()
  [[ -f $GL_RUN/.up ]] || gl_die "heal: no network is up in $GL_RUN"
  gl_use_fabric peer orderer fabric-ca-client
  for name in $(gl_orderer_nodes); do
    if ! gl_node_running "$name"; then
      gl_launch_orderer "$name"
      healed+=("$name")
    fi
  done
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
    init-roles) init_roles ;;
    cc-stop) cc_stop "$@" ;;
    cc-start) cc_start "$@" ;;
    restart) restart_node "$@" ;;
    heal) heal ;;
    stop) stop_node "$@" ;;
    height) orderer_height "$@" ;;
    identities)
      gl_use_fabric fabric-ca-server fabric-ca-client
      mkdir -p "$GL_RUN/logs"
      identities_up
      ;;
    env) peer_env "${1:?usage: network.sh env ORG [USER]}" "${2:-admin}" ;;
    *)
      sed -n '2,31p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
