#!/usr/bin/env bash
# Peer CLI environment for one organization of the running network:
#   source scripts/env.sh utility [USER]   # sets FABRIC_CFG_PATH, CORE_PEER_*,
#                                          # ORDERER_ADDRESS, ORDERER_CA, CHANNEL, PATH
#   scripts/env.sh grid                    # prints the KEY=VALUE lines
#   scripts/env.sh --market                # the consortium's orgs and market roles:
#                                          # ORGS, SUPPLIER, GRID_OPERATOR, PROSUMER (org keys),
#                                          # ROLE_ATTRIBUTE, CHANNEL
# USER is a directory under $GRIDLEDGER_RUN/orgs/<org>/users (default admin).
# The consortium is the running network's (or GL_CONSORTIUM's; scripts/lib/common.sh).
# Meant to be sourced into an interactive shell, so it sets no shell options.

gl_env_main() {
  local org=${1:-} who=${2:-admin} dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  if [[ -z $org ]]; then
    echo "usage: source scripts/env.sh ORG [USER]   (ORG: a key of GL_PEER_ORGS); scripts/env.sh --market" >&2
    return 2
  fi
  # A subshell keeps lib/common.sh's strict options out of the caller's shell.
  (
    set -euo pipefail
    # shellcheck source=SCRIPTDIR/lib/common.sh
    source "$dir/lib/common.sh"
    if [[ $org == --market ]]; then
      printf '%s\n' "ORGS=$GL_PEER_ORGS" "SUPPLIER=$GL_MARKET_SUPPLIER" "GRID_OPERATOR=$GL_MARKET_GRID_OPERATOR" \
        "PROSUMER=$GL_MARKET_PROSUMER" "ROLE_ATTRIBUTE=$GL_ROLE_ATTRIBUTE" "CHANNEL=$GL_CHANNEL"
      exit 0
    fi
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
