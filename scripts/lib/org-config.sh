#!/usr/bin/env bash
# Channel configuration updates as files people exchange (sourced by org.sh),
# thin over `gridctl org` (crate gridledger-governance): `gridctl org propose`
# computes the update on the typed channel config; a proposal directory
# holds the update envelope and what it is about; admins sign it in turn
# (`gridctl org sign`); the submitter's `gridctl org submit` checks every
# signature cryptographically against the channel's current MSPs, evaluates
# the policies the update must satisfy, refuses a stale update, and only then
# sends it to the orderer.
#
# A proposal directory:
#   proposal.json   {kind, org, msp, channel, baseBlock, summary}
#   envelope.pb     the CONFIG_UPDATE envelope (also what `peer channel signconfigtx` reads)
# shellcheck shell=bash

ORG_LOG="$GL_RUN/logs/org.log"

orderer_args() {
  printf '%s\n' -o "$GL_ORDERER_HOST:$GL_ORDERER_PORT" --tls --cafile "$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem"
}

# as_identity ORG USER CMD...: CMD with the peer CLI environment of ORG's USER.
as_identity() {
  local org=$1 who=$2
  shift 2
  [[ -d $GL_ORGS_DIR/$org/users/$who/msp ]] || gl_die "no identity $org/$who in $GL_ORGS_DIR"
  (
    set -a
    # shellcheck disable=SC1090
    source <(peer_env "$org" "$who")
    set +a
    "$@"
  )
}

# signer_args ORG USER: gridctl's identity flags for ORG's USER, one per line.
signer_args() {
  local msp=$GL_ORGS_DIR/$1/users/$2/msp
  [[ -d $msp ]] || gl_die "no identity $1/$2 in $GL_ORGS_DIR"
  printf '%s\n' --msp-id "$(orgvar "$1" MSPID)" --cert "$(only_file "$msp/signcerts")" \
    --key "$(only_file "$msp/keystore")" --channel "$GL_CHANNEL"
}

only_file() { # dir: its single file
  local f=("$1"/*)
  if ((${#f[@]} != 1)) || [[ ! -f ${f[0]} ]]; then gl_die "$1 should hold exactly one file"; fi
  echo "${f[0]}"
}

# source_args ORG: signer_args of ORG's admin plus the orderer, for fetching the config and sending.
source_args() {
  signer_args "$1" admin
  printf '%s\n' --orderer "$GL_ORDERER_HOST:$GL_ORDERER_PORT" \
    --orderer-tls-ca "$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem"
}

# propose_update DIR KIND ORG MSP AS SUMMARY ARGS...: `gridctl org propose ARGS` (the update computed on the
# channel's current config, fetched from the orderer as AS's admin) into DIR/envelope.pb, and DIR/proposal.json.
# An update that would change nothing (`gridctl org propose anchor` says "unchanged:") leaves no DIR.
propose_update() {
  local dir=$1 kind=$2 org=$3 msp=$4 as=$5 summary=$6 src block
  shift 6
  mkdir -p "$dir"
  mapfile -t src < <(source_args "$as")
  gridctl org propose "$@" "${src[@]}" --out "$dir/envelope.pb" >"$dir/propose.log" 2>&1 || {
    cat "$dir/propose.log" >>"$ORG_LOG"
    rm -rf "$dir"
    gl_die "proposing $kind $msp failed: $(tail -n1 "$ORG_LOG")"
  }
  if [[ ! -f $dir/envelope.pb ]]; then
    cat "$dir/propose.log" >>"$ORG_LOG"
    rm -rf "$dir"
    return 0
  fi
  block=$(grep -o 'config block [0-9]*' "$dir/propose.log" | grep -o '[0-9]*$')
  write_proposal_json "$dir" "$kind" "$org" "$msp" "${block:-0}" "$summary"
}

# write_proposal_json DIR KIND ORG MSP BLOCK SUMMARY
write_proposal_json() {
  jq -n --arg kind "$2" --arg org "$3" --arg msp "$4" --arg ch "$GL_CHANNEL" --argjson block "$5" --arg summary "$6" \
    '{kind: $kind, org: $org, msp: $msp, channel: $ch, baseBlock: $block, summary: $summary}' >"$1/proposal.json"
}

proposal_field() { jq -r --arg f "$2" '.[$f]' "$1/proposal.json"; }

require_proposal() {
  [[ -f $1/proposal.json && -f $1/envelope.pb ]] || gl_die "$1 is not a proposal directory (no proposal.json/envelope.pb)"
}
