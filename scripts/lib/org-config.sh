#!/usr/bin/env bash
# Channel configuration updates as files people exchange (sourced by org.sh):
# a proposal directory holds the update envelope, the config it was computed
# from and what it needs; admins sign it in turn; the submitter checks it
# against the channel's current config and sends it to the orderer.
#
# A proposal directory:
#   proposal.json   {kind, org, msp, channel, baseDigest, baseBlock, policy, summary}
#   base.json       the channel config the update was computed from (configtxlator JSON)
#   envelope.pb     the CONFIG_UPDATE envelope; `peer channel signconfigtx` appends signatures to it
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

# The org key whose MSP id is MSP, or nothing.
org_of_msp() {
  local org name
  for org in $(gl_all_orgs) $(known_extra_orgs); do
    name="GL_${org^^}_MSPID"
    [[ ${!name:-} != "$1" ]] || {
      echo "$org"
      return 0
    }
  done
}

# Orgs defined in network/orgs/*.env (members or not).
known_extra_orgs() {
  local f
  for f in "$GL_NETWORK"/orgs/*.env; do [[ ! -f $f ]] || basename "$f" .env; done
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

# A digest of a config that does not depend on JSON formatting.
config_digest() { jq -cS . "$1" | sha256sum | cut -d' ' -f1; }

# Application org MSP ids of a config, one per line, sorted.
member_msps() { jq -r '.channel_group.groups.Application.groups | keys[]' "$1"; }

# make_proposal DIR KIND ORG MSP BASE_JSON MODIFIED_JSON POLICY BLOCK SUMMARY:
# computes the update and writes the proposal directory. POLICY is the path of
# the policy that must be satisfied (/Channel/Application/Admins or
# /Channel/Application/<MSP>/Admins).
make_proposal() {
  local dir=$1 kind=$2 org=$3 msp=$4 base=$5 modified=$6 policy=$7 block=$8 summary=$9
  mkdir -p "$dir"
  cp "$base" "$dir/base.json"
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
  jq -n --arg kind "$kind" --arg org "$org" --arg msp "$msp" --arg ch "$GL_CHANNEL" --arg policy "$policy" \
    --arg digest "$(config_digest "$base")" --argjson block "$block" --arg summary "$summary" \
    '{kind: $kind, org: $org, msp: $msp, channel: $ch, baseDigest: $digest, baseBlock: $block,
      policy: $policy, summary: $summary}' >"$dir/proposal.json"
  rm -f "$dir/base.pb" "$dir/modified.pb" "$dir/update.pb" "$dir/envelope.json"
}

proposal_field() { jq -r --arg f "$2" '.[$f]' "$1/proposal.json"; }

require_proposal() {
  [[ -f $1/proposal.json && -f $1/envelope.pb ]] || gl_die "$1 is not a proposal directory (no proposal.json/envelope.pb)"
}

# signers DIR: one line per signature in the envelope: "MSPID<TAB>base64 PEM".
signers() {
  configtxlator proto_decode --input "$1/envelope.pb" --type common.Envelope |
    jq -r '.payload.data.signatures // [] | .[] | .signature_header.creator | "\(.mspid)\t\(.id_bytes)"'
}

# The certificate's subject, one line.
cert_subject() { base64 -d <<<"$1" | openssl x509 -noout -subject -nameopt compat 2>/dev/null; }

# check_signer CONFIG MSP CERT_B64: empty output if CERT is an admin of member
# MSP under CONFIG (NodeOU admin, issued by the org's CA in the channel config,
# not on the org's CRL there); otherwise the reason it does not count.
check_signer() {
  local config=$1 msp=$2 cert=$3 tmp subject
  if ! jq -e --arg m "$msp" '.channel_group.groups.Application.groups | has($m)' "$config" >/dev/null; then
    echo "$msp is not a member org of $GL_CHANNEL"
    return 0
  fi
  subject=$(cert_subject "$cert") || subject=""
  [[ -n $subject ]] || {
    echo "the $msp signer's certificate does not parse"
    return 0
  }
  if [[ $subject != *"OU=admin"* ]]; then
    echo "signature by a non-admin: '$subject' of $msp is not an admin (NodeOU admin)"
    return 0
  fi
  tmp=$(mktemp -d)
  base64 -d <<<"$cert" >"$tmp/cert.pem"
  jq -r --arg m "$msp" '.channel_group.groups.Application.groups[$m].values.MSP.value.config.root_certs[]' \
    "$config" | while read -r c; do base64 -d <<<"$c"; done >"$tmp/roots.pem"
  jq -r --arg m "$msp" '.channel_group.groups.Application.groups[$m].values.MSP.value.config.revocation_list // [] | .[]' \
    "$config" | while read -r c; do base64 -d <<<"$c"; done >"$tmp/crls.pem"
  local verify=(openssl verify -CAfile "$tmp/roots.pem")
  [[ ! -s $tmp/crls.pem ]] || verify+=(-crl_check -CRLfile "$tmp/crls.pem")
  if ! "${verify[@]}" "$tmp/cert.pem" >/dev/null 2>&1; then
    echo "signer '$subject' is not certified by $msp's CA in the channel config, or is revoked"
  fi
  rm -rf "$tmp"
}

# Signatures needed by an ImplicitMeta policy over N sub-policies.
implicit_threshold() { # rule n
  case "$1" in
    ANY) echo 1 ;;
    ALL) echo "$2" ;;
    MAJORITY) echo $(($2 / 2 + 1)) ;;
    *) gl_die "unknown ImplicitMeta rule $1" ;;
  esac
}

# check_proposal DIR CONFIG: prints one problem per line (nothing when the
# proposal may be sent): staleness, signers that do not count, too few.
check_proposal() {
  local dir=$1 config=$2 policy msp cert why rule n need have=() m
  [[ $(proposal_field "$dir" baseDigest) == "$(config_digest "$config")" ]] ||
    echo "stale: the channel config changed since this update was computed (from block $(proposal_field "$dir" baseBlock)); propose it again"
  while IFS=$'\t' read -r msp cert; do
    [[ -n $msp ]] || continue
    why=$(check_signer "$config" "$msp" "$cert")
    if [[ -n $why ]]; then
      echo "$why; such a signature does not count: start again from a fresh proposal"
    elif [[ " ${have[*]} " != *" $msp "* ]]; then
      have+=("$msp")
    fi
  done < <(signers "$dir")
  policy=$(proposal_field "$dir" policy)
  if [[ $policy == /Channel/Application/Admins ]]; then
    rule=$(jq -r '.channel_group.groups.Application.policies.Admins.policy.value.rule' "$config")
    n=$(member_msps "$config" | wc -l)
    need=$(implicit_threshold "$rule" "$n")
    ((${#have[@]} >= need)) ||
      echo "too few signatures: $policy is $rule of $n org admins, so $need orgs must sign; signed by ${#have[@]}: ${have[*]:-none}"
  else
    m=$(basename "$(dirname "$policy")")
    [[ " ${have[*]} " == *" $m "* ]] || echo "not signed by an admin of $m, which $policy requires"
  fi
}
