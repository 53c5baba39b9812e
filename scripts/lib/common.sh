#!/usr/bin/env bash
# Shared helpers for the gridledger network scripts (sourced, not run).
# inherit_errexit: a failing command inside $(...) fails the caller too.
shopt -s inherit_errexit
# Launcher-neutral: paths, the consortium definition, identities, packaging
# and the peer CLI environment live here, so the Docker launcher can reuse
# them and only swap how processes are started.
# shellcheck shell=bash

GL_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GL_SCRIPTS="$GL_REPO/scripts"
GL_NETWORK="$GL_REPO/network"
GL_RUN="${GRIDLEDGER_RUN:-$GL_REPO/.cache/run}"
GL_ORGS_DIR="$GL_RUN/orgs"
GL_CA_ADMIN_PW="${GL_CA_ADMIN_PW:-adminpw}"
export GL_REPO GL_SCRIPTS GL_NETWORK GL_RUN GL_ORGS_DIR

gl_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
gl_die() {
  gl_log "ERROR: $*"
  exit 1
}

# The consortium definition: GL_CONSORTIUM names its file (relative to the
# repository or absolute), default network/consortium.env. A running network
# remembers its own (network.sh up writes it to the run dir), so every later
# command (deploy, env.sh, the tests, down) talks to the same consortium
# without being told. Not exported: a child script decides for itself.
if [[ -z ${GL_CONSORTIUM:-} && -s $GL_RUN/consortium ]]; then
  GL_CONSORTIUM=$(<"$GL_RUN/consortium")
fi
GL_CONSORTIUM=${GL_CONSORTIUM:-$GL_NETWORK/consortium.env}
[[ $GL_CONSORTIUM == /* ]] || GL_CONSORTIUM="$GL_REPO/$GL_CONSORTIUM"
[[ -f $GL_CONSORTIUM ]] || gl_die "GL_CONSORTIUM=$GL_CONSORTIUM: no such consortium definition"
# shellcheck source=SCRIPTDIR/../../network/consortium.env disable=SC1091
source "$GL_CONSORTIUM"
# Every definition names its peer orgs, their market roles and the role
# attribute; what follows holds for any of them.
for gl_required in GL_PEER_ORGS GL_MARKET_SUPPLIER GL_MARKET_GRID_OPERATOR GL_MARKET_PROSUMER GL_ROLE_ATTRIBUTE; do
  [[ -n ${!gl_required:-} ]] || gl_die "$GL_CONSORTIUM defines no $gl_required"
done
unset gl_required
# The founding orgs (the channel's genesis members); orgs onboarded later
# (scripts/org.sh join) are listed in $GL_RUN/joined-orgs and join
# GL_PEER_ORGS, so deploy, status and the chaincode servers' client CAs
# include them.
GL_FOUNDING_ORGS=$GL_PEER_ORGS
if [[ -s $GL_RUN/joined-orgs ]]; then
  GL_PEER_ORGS="$GL_PEER_ORGS $(tr '\n' ' ' <"$GL_RUN/joined-orgs")"
fi
# The org whose admin commits chaincode definitions and whose CA issues the
# chaincode servers' TLS certificates (the peers' builders trust that CA).
: "${GL_LEAD_ORG:=${GL_FOUNDING_ORGS%% *}}"
# A running network remembers its ordering type (network.sh up writes it to
# the run dir), so later commands (status, restart, heal) see the same nodes.
if [[ -z ${GL_ORDERER_TYPE:-} && -s $GL_RUN/orderer-type ]]; then
  GL_ORDERER_TYPE=$(<"$GL_RUN/orderer-type")
fi
: "${GL_ORDERER_TYPE:=raft}"

# The v3 peer CLI logs every gRPC state change; keep tool output readable.
export FABRIC_LOGGING_SPEC="${FABRIC_LOGGING_SPEC:-grpc=warn:info}"

# orgvar ORG FIELD -> value of GL_<ORG>_<FIELD> from the consortium definition.
orgvar() {
  local name="GL_${1^^}_$2"
  [[ -n ${!name+set} ]] || gl_die "the consortium definition ($GL_CONSORTIUM) defines no $name"
  printf '%s' "${!name}"
}

gl_all_orgs() { echo "orderer $GL_PEER_ORGS"; }

# The orderer nodes of this run: "orderer" (orderer0 of the orderer
# organization) and, with GL_ORDERER_TYPE=bft, "orderer-ORG" for each org in
# GL_BFT_ORGS (that org's own consenter, identities under orgs/ORG/orderer0).
gl_orderer_nodes() {
  local org nodes=orderer
  case "$GL_ORDERER_TYPE" in
    raft) ;;
    bft) for org in $GL_BFT_ORGS; do nodes+=" orderer-$org"; done ;;
    *) gl_die "GL_ORDERER_TYPE=$GL_ORDERER_TYPE: expected raft or bft" ;;
  esac
  echo "$nodes"
}

# The organizations that run orderer nodes (their TLS CAs are trusted by all).
gl_orderer_orgs() {
  if [[ $GL_ORDERER_TYPE == bft ]]; then echo "orderer $GL_BFT_ORGS"; else echo orderer; fi
}

# orderer_org NODE: the org key that runs NODE.
orderer_org() { if [[ $1 == orderer ]]; then echo orderer; else echo "${1#orderer-}"; fi; }

# ordvar NODE FIELD (HOST, PORT, ADMIN_PORT, OPS_PORT): GL_ORDERER_<FIELD> for
# orderer0, GL_<ORG>_ORDERER_<FIELD> for an org's consenter.
ordvar() {
  if [[ $1 == orderer ]]; then orgvar orderer "$2"; else orgvar "${1#orderer-}" "ORDERER_$2"; fi
}

# Comma-separated TLS CA files of every orderer organization.
gl_orderer_tls_roots() {
  local org roots=()
  for org in $(gl_orderer_orgs); do roots+=("$GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem"); done
  local IFS=,
  echo "${roots[*]}"
}

# gl_source_launcher: the shared node configuration (node-config.sh) and the
# launcher GL_LAUNCHER names (native, the default, or docker), which define
# gl_launch_ca/orderer/peer/chaincode, gl_stop_node, gl_node_running,
# gl_node_logs and gl_stop_all (see the top of scripts/lib/launch-native.sh).
# Call it from the script's top level: the launchers define globals.
gl_source_launcher() {
  GL_LAUNCHER=${GL_LAUNCHER:-native}
  case "$GL_LAUNCHER" in
    native | docker) ;;
    *) gl_die "GL_LAUNCHER=$GL_LAUNCHER: expected native or docker" ;;
  esac
  export GL_LAUNCHER
  # shellcheck source=SCRIPTDIR/node-config.sh
  source "$GL_SCRIPTS/lib/node-config.sh"
  # shellcheck source=SCRIPTDIR/launch-native.sh
  source "$GL_SCRIPTS/lib/launch-$GL_LAUNCHER.sh"
}

# Puts the pinned Fabric binaries on PATH (building them if needed).
gl_use_fabric() { # tool...
  local bin tool missing=()
  bin=$("$GL_SCRIPTS/fabric-tools.sh" path)
  for tool in "$@"; do [[ -x $bin/$tool ]] || missing+=("$tool"); done
  if ((${#missing[@]})); then
    # Build everything; Fabric CA alone may succeed where Fabric cannot.
    "$GL_SCRIPTS/fabric-tools.sh" build >&2 || true
    for tool in "${missing[@]}"; do
      [[ -x $bin/$tool ]] || gl_die "$tool unavailable: scripts/fabric-tools.sh could not build it"
    done
  fi
  export PATH="$bin:$PATH"
}

# gridctl ARGS: the gridctl of this checkout (built on first use, debug
# profile; GL_GRIDCTL names another binary). deploy.sh packages with it, the
# org and existing-network steps call it.
gridctl() {
  if [[ -z ${GL_GRIDCTL:-} ]]; then
    (cd "$GL_REPO" && cargo build -q -p gridctl --bin gridctl) >&2 || gl_die "building gridctl failed"
    GL_GRIDCTL=$(GRIDLEDGER_CC_PROFILE=debug "$GL_SCRIPTS/build-chaincodes.sh" path gridctl)
  fi
  "$GL_GRIDCTL" "$@"
}

# gl_wait_endorsable SECONDS CC FUNCTION [ARGS...]: right after a network comes up or CC is deployed, a peer's
# Gateway may not know yet (discovery learns it through gossip) every org's peer, or which of them run CC, and
# refuses to endorse ("failed to find any endorsing peers"). Waits until every org's Gateway has submitted
# FUNCTION ARGS to CC endorsed by every org's peer.
gl_wait_endorsable() {
  local limit=$1 cc=$2 deadline org endorsers=()
  shift 2
  deadline=$((SECONDS + limit))
  for org in $GL_PEER_ORGS; do endorsers+=(--endorsing-org "$(orgvar "$org" MSPID)"); done
  for org in $GL_PEER_ORGS; do
    until gridctl invoke --org "$org" -n "$cc" "${endorsers[@]}" "$@" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || gl_die "$org's Gateway could not get $cc endorsed by every org for $limit s"
      sleep 1
    done
  done
}

# wait_port HOST PORT SECONDS: a node is up when its port accepts connections.
wait_port() {
  local host=$1 port=$2 deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# --- processes: every node writes pids/<name>.pid and logs/<name>.log --------

# gl_node_netns NAME: the network namespace node NAME runs in, empty for this
# one: GL_<ORG>_NETNS of the org that runs it (ca-ORG, orderer, orderer-ORG,
# peer-ORG), GL_<GL_CC_ORG>_NETNS for the chaincode servers (cc-NAME). Only a
# multi-host consortium sets them (network/consortiums/multihost.env).
gl_node_netns() {
  local key var
  case "$1" in
    ca-*) key=${1#ca-} ;;
    orderer) key=orderer ;;
    orderer-*) key=${1#orderer-} ;;
    peer-*) key=${1#peer-} ;;
    cc-*) key=${GL_CC_ORG:-} ;;
    *) key="" ;;
  esac
  [[ -n $key ]] || return 0
  var="GL_${key^^}_NETNS"
  printf '%s' "${!var:-}"
}

gl_start() { # name workdir env-file command... (env file: KEY=VALUE lines)
  local name=$1 dir=$2 envfile=$3 ns wrap=()
  shift 3
  mkdir -p "$GL_RUN/pids" "$GL_RUN/logs"
  # On its own host: `ip netns exec` execs the node in place, so the pid and
  # the process group below are still the node's.
  ns=$(gl_node_netns "$name")
  [[ -z $ns ]] || wrap=(ip netns exec "$ns")
  if gl_running "$name"; then
    gl_log "$name already running"
    return 0
  fi
  (
    cd "$dir" || exit 1
    set -a
    # shellcheck disable=SC1090
    [[ -z $envfile ]] || source "$envfile"
    set +a
    # setsid: own process group, so stopping the node also stops its children.
    exec setsid "${wrap[@]}" "$@" >>"$GL_RUN/logs/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$GL_RUN/pids/$name.pid"
}

gl_running() {
  local pidfile="$GL_RUN/pids/$1.pid"
  [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# gl_stop NAME...: TERM every named process group at once, then wait for all
# (Fabric CA takes about 2 s to shut down gracefully; in parallel that is 2 s
# in total), and KILL what is still there after 10 s.
gl_stop() {
  local name pid pids=() deadline=$((SECONDS + 10))
  for name in "$@"; do
    [[ -f $GL_RUN/pids/$name.pid ]] || continue
    pid=$(cat "$GL_RUN/pids/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  for name in "$@"; do rm -f "$GL_RUN/pids/$name.pid"; done
}

# --- peer CLI environment ---------------------------------------------------

# peer_env ORG [IDENTITY]: KEY=VALUE lines for the peer CLI acting as IDENTITY
# (default admin) of ORG against that org's peer.
# shellcheck disable=SC2153 # GL_ORDERER_* come from the consortium definition
peer_env() {
  local org=$1 who=${2:-admin} host
  host=$(orgvar "$org" PEER_HOST)
  cat <<ENV
FABRIC_CFG_PATH=$GL_RUN/config/$org
CORE_PEER_TLS_ENABLED=true
CORE_PEER_LOCALMSPID=$(orgvar "$org" MSPID)
CORE_PEER_ADDRESS=$host:$(orgvar "$org" PEER_PORT)
CORE_PEER_TLS_ROOTCERT_FILE=$GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem
CORE_PEER_MSPCONFIGPATH=$GL_ORGS_DIR/$org/users/$who/msp
ORDERER_ADDRESS=$GL_ORDERER_HOST:$GL_ORDERER_PORT
ORDERER_CA=$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem
CHANNEL=$GL_CHANNEL
FABRIC_LOGGING_SPEC=$FABRIC_LOGGING_SPEC
ENV
}

# as_org ORG CMD...: run CMD with ORG's admin peer CLI environment.
as_org() {
  local org=$1
  shift
  (
    set -a
    # shellcheck disable=SC1090
    source <(peer_env "$org")
    set +a
    "$@"
  )
}

# --peerAddresses/--tlsRootCertFiles for every peer org.
all_peer_targets() {
  local org
  for org in $GL_PEER_ORGS; do
    printf -- '--peerAddresses\n%s:%s\n--tlsRootCertFiles\n%s\n' \
      "$(orgvar "$org" PEER_HOST)" "$(orgvar "$org" PEER_PORT)" "$GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem"
  done
}
