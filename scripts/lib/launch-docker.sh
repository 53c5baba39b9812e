#!/usr/bin/env bash
# Docker launcher: every node is a container on host networking, so ports,
# TLS names and the host peer CLI are the same as with the native launcher.
# The run dir is mounted at its own path in every container, so the env files
# and configs node-config.sh renders serve both launchers unchanged. Images:
# network/docker/images.env; compose files: network/docker/*.yaml (one service
# each, one compose project per node). Sourced through gl_source_launcher
# (common.sh) when GL_LAUNCHER=docker.
#
# Launcher interface (scripts/lib/launch-native.sh defines the same functions):
#   gl_launch_ca ORG          start ORG's Fabric CA; returns when it serves
#   gl_launch_orderer [NODE]  start orderer node NODE (default orderer, see
#                             gl_orderer_nodes); returns when its admin port is open
#   gl_launch_peer ORG        render ORG's peer config and start it; returns when
#                             its port is open. ORG is any org with GL_<ORG>_*
#                             variables (orgvar), not only the consortium definition's
#   gl_launch_chaincode NAME CMD PORT
#                             start chaincode server cc-NAME from the env file
#                             chaincode/NAME/env (written by network.sh deploy);
#                             CMD's program is looked up by its base name in
#                             GL_CC_IMAGE; returns when PORT listens
#   gl_stop_node NAME [--kill]  stop and remove one node's container
#   gl_node_running NAME      exit status 0 when the node is up
#   gl_node_logs NAME [LINES] print the node's last LINES (default 100) log lines
#   gl_stop_all               stop and remove every container of this run dir
#   gl_sample_config FILE DEST  copy FILE (core.yaml, orderer.yaml) from the image
#   gl_external_builders      the peer's externalBuilders list items (YAML)
# shellcheck shell=bash

# shellcheck source=SCRIPTDIR/../../network/docker/images.env disable=SC1091
source "$GL_NETWORK/docker/images.env"
GL_DOCKER=${GL_DOCKER:-docker}
GL_COMPOSE_DIR="$GL_NETWORK/docker"

# gl_compose ARGS...: Compose v2 (GL_COMPOSE, else `docker compose`) or v1
# (`docker-compose`), whichever is found first.
gl_compose() {
  if [[ -z ${GL_COMPOSE:-} ]]; then
    if "$GL_DOCKER" compose version >/dev/null 2>&1; then
      GL_COMPOSE="$GL_DOCKER compose"
    elif command -v docker-compose >/dev/null 2>&1; then
      GL_COMPOSE=docker-compose
    else
      gl_die "no Docker Compose: install the compose v2 plugin or docker-compose, or set GL_COMPOSE"
    fi
  fi
  local cmd
  read -r -a cmd <<<"$GL_COMPOSE"
  "${cmd[@]}" "$@"
}

gl_container() { echo "$GL_DOCKER_PREFIX-$1"; }

# docker_up NODE FILE IMAGE ENVFILE WORKDIR [COMMAND]: one node as its own
# compose project. The env file's quoted values (JSON) are passed through the
# environment instead: compose v1 and v2 parse quotes in env files differently.
docker_up() {
  local node=$1 file=$2 envfile="$GL_RUN/docker/$1.env"
  mkdir -p "$GL_RUN/docker"
  grep -v "^[A-Z_]*='" "$4" >"$envfile" || true
  (
    local line
    while IFS= read -r line; do
      line=${line/=\'/=}
      export "${line%\'}"
    done < <(grep "^[A-Z_]*='" "$4" || true)
    export GL_NODE_NAME GL_NODE_IMAGE=$3 GL_NODE_ENV=$envfile GL_NODE_DIR=$5 GL_NODE_COMMAND=${6:-}
    GL_NODE_NAME=$(gl_container "$node")
    export GL_UID GL_GID
    GL_UID=$(id -u)
    GL_GID=$(id -g)
    gl_compose -p "$GL_NODE_NAME" -f "$GL_COMPOSE_DIR/$file" up -d --no-build >>"$GL_RUN/logs/docker.log" 2>&1
  ) || gl_die "starting $node ($3) failed (logs/docker.log)"
}

gl_launch_ca() { # org
  local org=$1 home args
  home=$(ca_home "$org")
  mkdir -p "$GL_RUN/logs"
  render_ca_config "$org"
  mapfile -t args < <(ca_server_args "$org")
  docker_up "ca-$org" ca.yaml "$GL_CA_IMAGE" "$home/env" "$home" "fabric-ca-server ${args[*]}"
  wait_ca "$org"
}

gl_launch_orderer() { # [node]
  local node=${1:-orderer}
  render_orderer_config "$node"
  docker_up "$node" orderer.yaml "$GL_ORDERER_IMAGE" "$GL_RUN/config/$node/env" "$GL_RUN/config/$node"
  wait_port "$(ordvar "$node" HOST)" "$(ordvar "$node" ADMIN_PORT)" 60 || gl_die "$node admin port closed (network.sh logs $node)"
}

gl_launch_peer() { # org
  local org=$1
  render_peer_config "$org"
  docker_up "peer-$org" peer.yaml "$GL_PEER_IMAGE" "$GL_RUN/config/$org/env" "$GL_RUN/config/$org"
  wait_port "$(orgvar "$org" PEER_HOST)" "$(orgvar "$org" PEER_PORT)" 60 ||
    gl_die "peer-$org did not start (network.sh logs peer-$org)"
}

gl_launch_chaincode() { # name cmd port
  local name=$1 port=$3 dir="$GL_RUN/chaincode/$1" argv
  read -r -a argv <<<"$2"
  # The image holds the servers on its PATH: run the program by its name.
  argv[0]=$(basename "${argv[0]}")
  docker_up "cc-$name" chaincode.yaml "$GL_CC_IMAGE" "$dir/env" "$dir" "${argv[*]}"
  wait_port "$GL_CC_HOST" "$port" 60 || gl_die "chaincode server cc-$name did not listen on $port (network.sh logs cc-$name)"
}

gl_stop_node() { # name [--kill]
  local c
  c=$(gl_container "$1")
  if [[ ${2:-} == --kill ]]; then
    "$GL_DOCKER" kill "$c" >/dev/null 2>&1 || true
  else
    "$GL_DOCKER" stop -t 10 "$c" >/dev/null 2>&1 || true
  fi
  # -v: the official images declare VOLUMEs; leave no anonymous volume behind.
  "$GL_DOCKER" rm -f -v "$c" >/dev/null 2>&1 || true
}

gl_node_running() {
  [[ $("$GL_DOCKER" inspect -f '{{.State.Running}}' "$(gl_container "$1")" 2>/dev/null) == true ]]
}

gl_node_logs() { # name [lines]
  "$GL_DOCKER" logs --tail "${2:-100}" "$(gl_container "$1")" 2>&1
}

# Every container of this run dir carries the label gridledger.run=$GL_RUN.
gl_stop_all() {
  local ids
  mapfile -t ids < <("$GL_DOCKER" ps -aq --filter "label=gridledger.run=$GL_RUN")
  ((${#ids[@]} == 0)) && return 0
  "$GL_DOCKER" stop -t 10 "${ids[@]}" >/dev/null 2>&1 || true
  "$GL_DOCKER" rm -f -v "${ids[@]}" >/dev/null || gl_die "could not remove containers ${ids[*]}"
}

# The nodes' own Fabric version ships its sample config in the image, under
# /etc/hyperledger/fabric as in the official images.
gl_sample_config() { # file dest
  local image=$GL_PEER_IMAGE tmp
  [[ $1 != orderer.yaml ]] || image=$GL_ORDERER_IMAGE
  tmp="$GL_DOCKER_PREFIX-config-$$"
  # create never runs the command; it only has to name one.
  "$GL_DOCKER" create --name "$tmp" "$image" none >/dev/null || gl_die "cannot create a container from $image"
  "$GL_DOCKER" cp "$tmp:/etc/hyperledger/fabric/$1" - | tar -xO >"$2" || {
    "$GL_DOCKER" rm -v "$tmp" >/dev/null 2>&1
    gl_die "no /etc/hyperledger/fabric/$1 in $image"
  }
  "$GL_DOCKER" rm -v "$tmp" >/dev/null
}

# The builder the images carry at the official path (the official images' own
# ccaas_builder, or ours in the locally built ones).
gl_external_builders() {
  cat <<'YAML'
- name: ccaas_builder
  path: /opt/hyperledger/ccaas_builder
  propagateEnvironment:
    - CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG
YAML
}

# --- leftovers (docker-consortium.sh down and e2e-docker.sh check them) --------

# gl_docker_volumes: the volumes mounted by this run dir's containers (the
# official images' VOLUMEs become anonymous volumes), one per line.
gl_docker_volumes() {
  local ids
  mapfile -t ids < <("$GL_DOCKER" ps -aq --filter "label=gridledger.run=$GL_RUN")
  ((${#ids[@]} == 0)) && return 0
  "$GL_DOCKER" inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{println .Name}}{{end}}{{end}}' "${ids[@]}" |
    sed '/^$/d'
}

# gl_docker_leftovers [VOLUME...]: what this run dir still has: containers,
# the given volumes, networks and volumes of its compose projects, the run dir.
# Prints nothing when everything is gone. Other consortia on the same engine
# (another run dir) are not looked at.
gl_docker_leftovers() {
  local v
  "$GL_DOCKER" ps -a --filter "label=gridledger.run=$GL_RUN" --format 'container {{.Names}}'
  for v in "$@"; do
    if "$GL_DOCKER" volume inspect "$v" >/dev/null 2>&1; then echo "volume $v"; fi
  done
  "$GL_DOCKER" network ls --filter label=com.docker.compose.project --format '{{.Name}}' |
    grep "^$GL_DOCKER_PREFIX-" | sed 's/^/network /' || true
  "$GL_DOCKER" volume ls --filter label=com.docker.compose.project --format '{{.Name}}' |
    grep "^$GL_DOCKER_PREFIX-" | sed 's/^/volume /' || true
  if [[ -e $GL_RUN ]]; then echo "files $GL_RUN"; fi
}
