#!/usr/bin/env bash
# Everything the Docker launcher needs on a machine with no image registry
# (this workplace, CI), built from what the registries here do serve:
#
#   scripts/docker-local.sh prepare   all of the below, each step skipped when done
#   scripts/docker-local.sh dockerd   start dockerd if no engine answers (no bridge)
#   scripts/docker-local.sh compose   build Compose v2 from the Go module proxy
#   scripts/docker-local.sh images    local base, Fabric and chaincode images (docker-images.sh)
#   scripts/docker-local.sh env       print the settings that select all of them
#
# Images are tagged local/...; the launcher runs them through the same
# variables a user with internet sets (network/docker/images.env), so
# `set -a; source <(scripts/docker-local.sh env); set +a` is all that differs.
# Caches under ${GRIDLEDGER_CACHE:-~/.cache/gridledger}/docker: the debootstrap
# tarball and the compose binary, so a second run only rebuilds what changed.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}/docker"
readonly COMPOSE_VERSION="${GL_COMPOSE_VERSION:-v2.28.1}"
readonly COMPOSE_BIN="$CACHE/compose/$COMPOSE_VERSION/docker-compose"
# Debian's engine and client; another, newer client may come first on PATH.
readonly DOCKER="${GL_DOCKER:-/usr/bin/docker}"
readonly DOCKERD_PID=/var/run/docker.pid

# --- engine -------------------------------------------------------------------

engine_up() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# No default bridge and no iptables: every container uses host networking, so
# the engine needs no network of its own. Data stays in /var/lib/docker and
# the pidfile in /var/run, so the next run reuses the engine and its images.
start_dockerd() {
  if engine_up; then
    gl_log "docker engine already running"
    return 0
  fi
  command -v dockerd >/dev/null || gl_die "no dockerd: scripts/install-deps.sh docker"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  mkdir -p "$CACHE"
  gl_log "starting dockerd (--bridge=none, log $CACHE/dockerd.log)"
  "${sudo[@]}" setsid dockerd --bridge=none --iptables=false --ip-masq=false --pidfile "$DOCKERD_PID" \
    >>"$CACHE/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 60); do
    engine_up && return 0
    sleep 0.5
  done
  gl_die "dockerd did not answer within 30 s ($CACHE/dockerd.log)"
}

# --- compose ------------------------------------------------------------------

# Debian ships only compose v1; v2 is a Go program the module proxy serves.
# Built like fabric-tools.sh builds Fabric: a throw-away module that requires
# the exact version (no version-list query, which the proxy may refuse).
build_compose() {
  if [[ -x $COMPOSE_BIN ]]; then
    gl_log "compose $COMPOSE_VERSION already built"
    return 0
  fi
  local src="$CACHE/compose/$COMPOSE_VERSION/src" start=$SECONDS
  gl_log "building compose $COMPOSE_VERSION from the Go module proxy (a few minutes)"
  rm -rf "$src"
  mkdir -p "$src"
  printf 'module gridledger.local/compose\n\ngo 1.25.0\n\nrequire github.com/docker/compose/v2 %s\n\ntool github.com/docker/compose/v2/cmd\n' \
    "$COMPOSE_VERSION" >"$src/go.mod"
  (
    cd "$src"
    go mod tidy
    CGO_ENABLED=0 go build -trimpath -ldflags "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
      -o "$COMPOSE_BIN.tmp" github.com/docker/compose/v2/cmd
  )
  mv "$COMPOSE_BIN.tmp" "$COMPOSE_BIN"
  gl_log "compose built in $((SECONDS - start))s"
}

env_lines() {
  GL_DOCKER=$DOCKER "$GL_SCRIPTS/docker-images.sh" tags
  echo "GL_DOCKER=$DOCKER"
  # A compose chosen by the caller (say, v1's docker-compose) stays.
  echo "GL_COMPOSE=${GL_COMPOSE:-$COMPOSE_BIN}"
}

images() {
  local line
  # The local Fabric images' tags; the chaincode image needs no base (scratch).
  while IFS= read -r line; do export "${line?}"; done < <(env_lines)
  "$GL_SCRIPTS/docker-images.sh" local
  "$GL_SCRIPTS/docker-images.sh" chaincode
}

main() {
  case "${1:-}" in
    prepare)
      "$GL_SCRIPTS/install-deps.sh" docker
      start_dockerd
      build_compose
      images
      ;;
    dockerd) start_dockerd ;;
    compose) build_compose ;;
    images) images ;;
    env) env_lines ;;
    *)
      sed -n '2,16p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
