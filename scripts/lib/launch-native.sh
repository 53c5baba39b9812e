#!/usr/bin/env bash
# Native launcher: every node is a process on this machine (pids/<name>.pid,
# logs/<name>.log under the run dir). Sourced through gl_source_launcher
# (common.sh) when GL_LAUNCHER=native, the default.
#
# Launcher interface (scripts/lib/launch-docker.sh defines the same functions):
#   gl_launch_ca ORG          start ORG's Fabric CA; returns when it serves
#   gl_launch_orderer [NODE]  start orderer node NODE (default orderer; the BFT
#                             consenters are orderer-ORG, see gl_orderer_nodes);
#                             returns when its admin port is open
#   gl_launch_peer ORG        render ORG's peer config and start it; returns when
#                             its port is open. ORG is any org with GL_<ORG>_*
#                             variables (orgvar), not only the consortium definition's
#   gl_launch_chaincode NAME CMD PORT
#                             start chaincode server cc-NAME from the env file
#                             chaincode/NAME/env (written by network.sh deploy);
#                             CMD is the server command line; returns when PORT listens
#   gl_stop_node NAME [--kill]  stop one node (ca-ORG, orderer, peer-ORG, cc-NAME);
#                             --kill: no graceful shutdown (a crash)
#   gl_node_running NAME      exit status 0 when the node is up
#   gl_node_logs NAME [LINES] print the node's last LINES (default 100) log lines
#   gl_stop_all               stop every node this launcher started for the run dir
#   gl_sample_config FILE DEST  copy Fabric's sample FILE (core.yaml, orderer.yaml)
#                             of the nodes' Fabric version to DEST
#   gl_external_builders      the peer's externalBuilders list items (YAML)
# Configuration (env files, core.yaml, identities) is shared: node-config.sh.
# shellcheck shell=bash

gl_launch_ca() { # org
  local org=$1 home args
  home=$(ca_home "$org")
  render_ca_config "$org"
  mapfile -t args < <(ca_server_args "$org")
  gl_start "ca-$org" "$home" "$home/env" fabric-ca-server "${args[@]}"
  wait_ca "$org"
}

gl_launch_orderer() { # [node]
  local node=${1:-orderer}
  render_orderer_config "$node"
  gl_start "$node" "$GL_RUN/config/$node" "$GL_RUN/config/$node/env" orderer
  wait_port "$(ordvar "$node" HOST)" "$(ordvar "$node" ADMIN_PORT)" 30 || gl_die "$node admin port closed (logs/$node.log)"
}

gl_launch_peer() { # org
  local org=$1
  render_peer_config "$org"
  gl_start "peer-$org" "$GL_RUN/config/$org" "$GL_RUN/config/$org/env" peer node start
  wait_port "$(orgvar "$org" PEER_HOST)" "$(orgvar "$org" PEER_PORT)" 30 || gl_die "peer-$org did not start (logs/peer-$org.log)"
}

gl_launch_chaincode() { # name cmd port
  local name=$1 port=$3 dir="$GL_RUN/chaincode/$1" argv
  # A command line (program plus arguments); deploy made a relative program
  # absolute, since the server runs in its own directory under the run dir.
  read -r -a argv <<<"$2"
  gl_start "cc-$name" "$dir" "$dir/env" "${argv[@]}"
  wait_port "$GL_CC_HOST" "$port" 30 || gl_die "chaincode server cc-$name did not listen on $port (logs/cc-$name.log)"
}

gl_stop_node() { # name [--kill]
  local pidfile="$GL_RUN/pids/$1.pid"
  if [[ ${2:-} == --kill && -f $pidfile ]]; then
    kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  else
    gl_stop "$1"
  fi
}

gl_node_running() { gl_running "$1"; }

gl_node_logs() { # name [lines]
  [[ -f $GL_RUN/logs/$1.log ]] || gl_die "no log for $1 in $GL_RUN/logs"
  tail -n "${2:-100}" "$GL_RUN/logs/$1.log"
}

gl_stop_all() {
  local pidfile names=()
  for pidfile in "$GL_RUN"/pids/*.pid; do
    if [[ -f $pidfile ]]; then names+=("$(basename "$pidfile" .pid)"); fi
  done
  ((${#names[@]} == 0)) || gl_stop "${names[@]}"
}

gl_sample_config() { # file dest
  local sample
  sample=$("$GL_SCRIPTS/fabric-tools.sh" sampleconfig)
  cp "$sample/$1" "$2"
}

# Two builders: ccaas (the peer dials the chaincode server) and exec (the peer
# launches a local program, "classic" mode; network/builders/exec).
gl_external_builders() {
  cat <<YAML
- name: gridledger-ccaas
  path: $("$GL_SCRIPTS/fabric-tools.sh" builder)
  propagateEnvironment:
    - CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG
- name: gridledger-exec
  path: $GL_NETWORK/builders/exec
YAML
}
