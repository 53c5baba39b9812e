#!/usr/bin/env bash
# Chaincodes for an onboarded org (sourced by org.sh). A definition that uses
# the channel's default endorsement policy (MAJORITY Endorsement) grows with
# the channel: the new org installs the package and approves the committed
# definition as it is. A definition with a collection or an explicit signature
# policy naming every other member org has to name the new org too: that is a
# new definition (next sequence), prepared by `gridctl cc plan` as a directory
# ($GL_RUN/proposals/cc-NAME-SEQ/definition.json + collections.json) that every
# org approves (cc-approve) and one org commits once a majority has (cc-commit).
# shellcheck shell=bash

# gateway_args ORG USER: gridctl's flags for ORG's USER through ORG's own peer.
gateway_args() {
  signer_args "$1" "$2"
  printf '%s\n' --peer "$(orgvar "$1" PEER_HOST):$(orgvar "$1" PEER_PORT)" \
    --tls-ca "$GL_ORGS_DIR/$1/msp/tlscacerts/ca.pem"
}

# approve_for ORG DIR: approve the plan in DIR as ORG's admin through ORG's peer (gridctl does nothing when ORG
# approved exactly that definition already).
approve_for() {
  local org=$1 dir=$2 ids out
  mapfile -t ids < <(gateway_args "$org" admin)
  out=$(gridctl cc approve "${ids[@]}" --plan "$dir" 2>>"$ORG_LOG") ||
    gl_die "approving $dir as $org failed: $(tail -n1 "$ORG_LOG")"
  gl_log "$out"
}

install_for() { # org package-file package-id
  if ! as_identity "$1" admin peer lifecycle chaincode queryinstalled --output json 2>/dev/null |
    jq -e --arg id "$3" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
    as_identity "$1" admin peer lifecycle chaincode install "$2" >>"$ORG_LOG" 2>&1 ||
      gl_die "installing $2 on peer-$1 failed (logs/org.log)"
  fi
}

# plan_definitions ORG --add-org|--drop-org MSP: `gridctl cc plan` through ORG's peer as its admin, into
# $GL_RUN/proposals/cc-NAME-SEQ (with the package ids of $GL_RUN/chaincode); prints its
# `changed|same NAME SEQUENCE DIR` lines.
plan_definitions() {
  local org=$1 f ids packages=()
  shift
  for f in "$GL_RUN"/chaincode/*/package-id; do
    [[ -f $f ]] || continue
    packages+=(--package-id "$(basename "$(dirname "$f")")=$(cat "$f")")
  done
  mapfile -t ids < <(gateway_args "$org" admin)
  mkdir -p "$GL_RUN/proposals"
  gridctl cc plan "${ids[@]}" "$@" --out "$GL_RUN/proposals" "${packages[@]}" 2>>"$ORG_LOG" ||
    gl_die "planning the chaincode definitions through peer-$org failed: $(tail -n1 "$ORG_LOG")"
}

chaincodes() {
  local org=${1:?usage: org.sh chaincodes ORG} msp plans state name dir id prepared=()
  require_org_defined "$org"
  gl_use_fabric peer configtxlator
  msp=$(orgvar "$org" MSPID)
  wait_caught_up "$org"
  plans=$(plan_definitions "$org" --add-org "$msp")
  while read -r state name _ dir; do
    [[ -n $state ]] || continue
    [[ -f $GL_RUN/chaincode/$name/package-id ]] || {
      gl_log "$name: no package here ($GL_RUN/chaincode/$name); skipped"
      continue
    }
    id=$(cat "$GL_RUN/chaincode/$name/package-id")
    install_for "$org" "$GL_RUN/chaincode/$name/${id%%:*}.tar.gz" "$id"
    approve_for "$org" "$dir"
    [[ $state != changed ]] || prepared+=("$dir")
  done <<<"$plans"
  restart_chaincode_servers
  for dir in "${prepared[@]}"; do
    gl_log "prepared $dir (names $msp): each org runs 'org.sh cc-approve $dir --as ORG', then 'org.sh cc-commit $dir'"
    echo "$dir"
  done
}

# cc_drop ORG [--as A]: after ORG left the channel, the next-sequence
# definitions of the chaincodes whose collections or explicit policy still name
# it, approved by A (default GL_LEAD_ORG); the other orgs cc-approve, one commits.
cc_drop() {
  local org=${1:-} as=$GL_LEAD_ORG msp plans state name dir prepared=()
  [[ ${2:-} != --as ]] || as=${3:?--as ORG}
  [[ -n $org ]] || gl_die "usage: org.sh cc-drop ORG [--as ORG2]"
  require_org_defined "$org"
  msp=$(orgvar "$org" MSPID)
  plans=$(plan_definitions "$as" --drop-org "$msp")
  while read -r state name _ dir; do
    [[ -n $state ]] || continue
    [[ -f $GL_RUN/chaincode/$name/package-id ]] || gl_die "$name names $msp but has no package here"
    approve_for "$as" "$dir"
    prepared+=("$dir")
  done <<<"$plans"
  for dir in "${prepared[@]}"; do
    gl_log "prepared $dir (without $msp): each org runs 'org.sh cc-approve $dir --as ORG', then 'org.sh cc-commit $dir'"
    echo "$dir"
  done
}

# Chaincode servers check the peers' TLS client certificates against every
# joined org's CA (network.sh writes that list when it starts them): restart
# them so the new org's peer can connect.
restart_chaincode_servers() {
  local f name
  for f in "$GL_RUN"/chaincode/*/serve-args; do
    [[ -f $f ]] || continue
    name=$(basename "$(dirname "$f")")
    "$GL_SCRIPTS/network.sh" cc-start "$name" >>"$ORG_LOG" 2>&1 || gl_die "restarting chaincode server $name failed"
  done
}

cc_approve() {
  local dir=${1:-} as=""
  [[ ${2:-} == --as ]] && as=${3:-}
  [[ -n $dir && -n $as && -f $dir/definition.json ]] || gl_die "usage: org.sh cc-approve DIR --as ORG"
  approve_for "$as" "$dir"
}

cc_commit() {
  local dir=${1:-} as=$GL_LEAD_ORG ids out
  [[ ${2:-} != --as ]] || as=${3:?--as ORG}
  [[ -n $dir && -f $dir/definition.json ]] || gl_die "usage: org.sh cc-commit DIR [--as ORG]"
  mapfile -t ids < <(gateway_args "$as" admin)
  # gridctl refuses unless a majority approved, and has the approving orgs endorse the commit.
  out=$(gridctl cc commit "${ids[@]}" --plan "$dir" 2>>"$ORG_LOG") || gl_die "commit failed: $(tail -n1 "$ORG_LOG")"
  gl_log "${out//$'\n'/; }"
}
