#!/usr/bin/env bash
# Channel configuration updates as files people exchange (sourced by org.sh),
# thin over `gridctl org` (crate gridledger-governance): a proposal directory
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

# fetch_config ORG DIR: the channel's latest config as ORG's admin, to
# DIR/config.json; prints the number of the block that holds it.
fetch_config() {
  local org=$1 dir=$2 orderer
  mapfile -t orderer < <(orderer_args)
  mkdir -p "$dir"
  as_identity "$org" admin peer channel fetch config "$dir/config-block.pb" -c "$GL_CHANNEL" "${orderer[@]}" \
    >>"$ORG_LOG" 2>&1 || gl_die "fetching the $GL_CHANNEL config as $org admin failed (logs/org.log)"
  configtxlator proto_decode --input "$dir/config-block.pb" --type common.Block >"$dir/config-block.json" ||
    gl_die "configtxlator could not decode the config block"
  jq '.data.data[0].payload.data.config' "$dir/config-block.json" >"$dir/config.json"
  jq -r '.header.number' "$dir/config-block.json"
  rm -f "$dir/config-block.pb" "$dir/config-block.json"
}

# Application org MSP ids of a config, one per line, sorted.
member_msps() { jq -r '.channel_group.groups.Application.groups | keys[]' "$1"; }

# gridctl ARGS: the gridctl of this checkout (built on first use, debug profile).
gridctl() {
  if [[ -z ${GL_GRIDCTL:-} ]]; then
    (cd "$GL_REPO" && cargo build -q -p gridctl --bin gridctl) >&2 || gl_die "building gridctl failed"
    GL_GRIDCTL=$(GRIDLEDGER_CC_PROFILE=debug "$GL_SCRIPTS/build-chaincodes.sh" path gridctl)
  fi
  "$GL_GRIDCTL" "$@"
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

# make_proposal DIR KIND ORG MSP BASE_JSON MODIFIED_JSON BLOCK SUMMARY: computes
# the update between two configs (configtxlator JSON, edited with jq: removing
# an org, a new CRL) and writes the proposal directory. Which policies it needs
# is for `gridctl org show/submit` to work out from the current config.
make_proposal() {
  local dir=$1 kind=$2 org=$3 msp=$4 base=$5 modified=$6 block=$7 summary=$8
  mkdir -p "$dir"
  if ! configtxlator proto_encode --input "$base" --type common.Config --output "$dir/base.pb" ||
    ! configtxlator proto_encode --input "$modified" --type common.Config --output "$dir/modified.pb"; then
    gl_die "configtxlator could not encode the config"
  fi
  if ! configtxlator compute_update --channel_id "$GL_CHANNEL" --original "$dir/base.pb" \
    --updated "$dir/modified.pb" --output "$dir/update.pb" 2>>"$ORG_LOG"; then
    gl_die "computing the update failed: does it change anything? (logs/org.log)"
  fi
  configtxlator proto_decode --input "$dir/update.pb" --type common.ConfigUpdate --output "$dir/update.json"
  jq -n --arg ch "$GL_CHANNEL" --slurpfile u "$dir/update.json" \
    '{payload: {header: {channel_header: {channel_id: $ch, type: 2}}, data: {config_update: $u[0]}}}' \
    >"$dir/envelope.json"
  configtxlator proto_encode --input "$dir/envelope.json" --type common.Envelope --output "$dir/envelope.pb"
  write_proposal_json "$dir" "$kind" "$org" "$msp" "$block" "$summary"
  rm -f "$dir/base.pb" "$dir/modified.pb" "$dir/update.pb" "$dir/envelope.json"
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
