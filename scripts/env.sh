#!/usr/bin/env bash
# Peer CLI environment for one organization of the running network:
#   source scripts/env.sh utility [USER]   # sets FABRIC_CFG_PATH, CORE_PEER_*,
#                                          # ORDERER_ADDRESS, ORDERER_CA, CHANNEL, PATH
#   scripts/env.sh grid                    # prints the KEY=VALUE lines
# USER is a directory under $GRIDLEDGER_RUN/orgs/<org>/users (default admin).
# Meant to be sourced into an interactive shell, so it sets no shell options.

gl_env_main() {
  local org=${1:-} who=${2:-admin} dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if [[ -z $org ]]; then
    echo "usage: source scripts/env.sh ORG [USER]   (ORG: utility grid prosumer)" >&2
    return 2
  fi
  # A subshell keeps lib/common.sh's strict options out of the caller's shell.
  (
    set -euo pipefail
    # shellcheck source=SCRIPTDIR/lib/common.sh
    source "$dir/lib/common.sh"
    orgvar "$org" MSPID >/dev/null
    peer_env "$org" "$who"
    echo "PATH=$("$dir/fabric-tools.sh" path):$PATH"
  )
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
  gl_env_lines=$(gl_env_main "$@") || return
  while IFS= read -r gl_env_line; do
    export "${gl_env_line?}"
  done <<<"$gl_env_lines"
  unset gl_env_lines gl_env_line
else
  gl_env_main "$@"
fi
