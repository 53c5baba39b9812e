#!/usr/bin/env bash
# The Docker part of the end-to-end suite (scripts/e2e.sh runs it after the
# native part; it also runs alone):
#   local images (scripts/docker-local.sh prepare; GL_DOCKER_LOCAL=0 uses the
#   images network/docker/images.env names instead) -> GL_LAUNCHER=docker up on
#   the default ports -> deploy-energy -> the energy scenario and, when present,
#   the onboarding test -> down -> fail if any container, volume, network or
#   file of this run dir is left (other consortia on the engine are not counted).
# The native part runs the whole suite; this part runs what differs under
# Docker (node start/stop, images, a fourth org's nodes) and stays short.
# E2E_DOCKER_TESTS replaces the list of test binaries (space-separated names).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

export GL_LAUNCHER=docker
readonly NET="$GL_SCRIPTS/network.sh"
T0=$SECONDS
DOWN_ARMED=0

cleanup() {
  local rc=$? volumes left
  if ((DOWN_ARMED == 0)); then
    :
  elif [[ ${KEEP_NETWORK:-0} == 1 ]]; then
    gl_log "e2e-docker: KEEP_NETWORK=1, network left running"
  else
    mapfile -t volumes < <(gl_docker_volumes)
    "$NET" down >/dev/null 2>&1 || rc=1
    left=$(gl_docker_leftovers "${volumes[@]}")
    if [[ -n $left ]]; then
      gl_log "e2e-docker: left behind after down:"$'\n'"$left"
      rc=1
    else
      gl_log "e2e-docker: down left nothing behind (containers, ${#volumes[@]} anonymous volumes, networks, files)"
    fi
  fi
  if ((rc == 0)); then
    echo "e2e-docker: PASS in $((SECONDS - T0))s"
  else
    echo "e2e-docker: FAIL (exit $rc)"
  fi
  exit "$rc"
}

test_args() {
  local list=${E2E_DOCKER_TESTS:-} name
  if [[ -z $list ]]; then
    list=energy
    [[ ! -f $GL_REPO/tests/e2e/tests/onboarding.rs ]] || list="$list onboarding"
  fi
  for name in $list; do printf -- '--test\n%s\n' "$name"; done
}

main() {
  local line tests cc
  if [[ ${GL_DOCKER_LOCAL:-1} == 1 ]]; then
    "$GL_SCRIPTS/docker-local.sh" prepare
    while IFS= read -r line; do export "${line?}"; done < <("$GL_SCRIPTS/docker-local.sh" env)
  else
    "$GL_SCRIPTS/docker-images.sh" chaincode
  fi
  mapfile -t tests < <(test_args)
  (cd "$GL_REPO" && cargo test -p gridledger-e2e "${tests[@]}" --no-run)
  gl_source_launcher
  "$NET" down >/dev/null
  trap cleanup EXIT
  DOWN_ARMED=1
  "$NET" up
  "$NET" deploy-energy
  for cc in registry metering trade certificates flexibility; do
    gl_wait_endorsable 90 "$cc" org.hyperledger.fabric:GetMetadata
  done
  gl_log "e2e-docker: tests ${tests[*]}"
  # The web view's browser test runs in e2e.sh's native suite only.
  (cd "$GL_REPO" && GRIDLEDGER_E2E=1 cargo test -p gridledger-e2e "${tests[@]}" --no-fail-fast -- --include-ignored --skip energy_web_view_in_a_browser)
}

main "$@"
