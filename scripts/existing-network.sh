#!/usr/bin/env bash
# The energy contracts on a network we did not build, step by step: the
# commands of network/EXISTING-NETWORK.md (scripts/lib/existing-network.sh),
# run against the consortium definition in force (GL_CONSORTIUM, or the one
# the running network was brought up with). e2e.sh runs `all` on the
# fabric-samples-style consortium (network/consortiums/samples.env).
#
#   existing-network.sh package    gridctl package per chaincode, collections for these orgs
#   existing-network.sh serve      start the chaincode servers (this test network's launcher)
#   existing-network.sh install    peer lifecycle chaincode install, every org
#   existing-network.sh approve    approveformyorg, every org
#   existing-network.sh commit     commit, endorsed by every org's peer
#   existing-network.sh users      register and enrol XN_USERS with the role attribute
#   existing-network.sh roles      the roles record (registry InitRoles), once
#   existing-network.sh smoke      a prosumer registers a PV system, the grid operator approves it
#   existing-network.sh all        every step above, in that order
#   existing-network.sh guide-check   the guide's code blocks equal the steps' bodies (no network)
#   existing-network.sh guide-write   copy the steps' bodies into the guide
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/identities.sh
source "$GL_SCRIPTS/lib/identities.sh"
# shellcheck source=SCRIPTDIR/lib/deploy.sh
source "$GL_SCRIPTS/lib/deploy.sh"
# shellcheck source=SCRIPTDIR/lib/existing-network.sh
source "$GL_SCRIPTS/lib/existing-network.sh"
# The launcher starts the chaincode servers (serve); it defines globals, so
# it is sourced at the top level.
gl_source_launcher

readonly GUIDE="$GL_NETWORK/EXISTING-NETWORK.md"
readonly LIB="$GL_SCRIPTS/lib/existing-network.sh"
readonly STEPS=(package serve install approve commit users roles smoke)

# step_body NAME: the lines between "# step: NAME" and "# end step" in the library.
step_body() {
  awk -v s="# step: $1" '$0 == "# end step" { on = 0 } on { print } $0 == s { on = 1 }' "$LIB"
}

# guide_blocks: the guide with each "<!-- step: NAME -->" block's body replaced
# by step_body NAME (the block is the ```bash fence after the marker).
guide_blocks() {
  local line name="" inside=0
  while IFS= read -r line; do
    if ((inside)); then
      [[ $line == '```' ]] || continue
      inside=0
    fi
    printf '%s\n' "$line"
    if [[ $line =~ ^'<!-- step: '([a-z-]+)' ' ]]; then
      name=${BASH_REMATCH[1]}
    elif [[ -n $name && $line == '```bash' ]]; then
      step_body "$name"
      [[ -n $(step_body "$name") ]] || gl_die "the guide names step $name; $LIB has no '# step: $name'"
      name="" inside=1
    fi
  done <"$GUIDE"
}

guide_check() {
  local want name
  want=$(guide_blocks)
  for name in "${STEPS[@]}" roles-args; do
    [[ $name == serve ]] && continue
    grep -q "^<!-- step: $name " "$GUIDE" || gl_die "the guide shows no step $name"
  done
  if ! diff -u "$GUIDE" <(printf '%s\n' "$want") >&2; then
    gl_die "network/EXISTING-NETWORK.md differs from the steps in $LIB ('existing-network.sh guide-write')"
  fi
  gl_log "guide-check: every step in the guide is the script's"
}

run_step() {
  local start=$SECONDS
  gl_log "existing-network ($(basename "$GL_CONSORTIUM"), channel $GL_CHANNEL): $1"
  "xn_$1"
  gl_log "existing-network: $1 done in $((SECONDS - start))s"
}

main() {
  local step=${1:-}
  case "$step" in
    guide-check) guide_check ;;
    guide-write)
      guide_blocks >"$GUIDE.tmp"
      mv "$GUIDE.tmp" "$GUIDE"
      ;;
    all | package | serve | install | approve | commit | users | roles | smoke)
      [[ -f $GL_RUN/.up ]] || gl_die "no network is up in $GL_RUN"
      gl_use_fabric peer fabric-ca-client
      if [[ $step == all ]]; then
        for step in "${STEPS[@]}"; do run_step "$step"; done
      else
        run_step "$step"
      fi
      ;;
    *)
      sed -n '2,19p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
