#!/usr/bin/env bash
# Chaincodes for an onboarded org (sourced by org.sh). A definition that uses
# the channel's default endorsement policy (MAJORITY Endorsement) grows with
# the channel: the new org installs the package and approves the committed
# definition as it is. A definition with a collection or an explicit signature
# policy naming every other member org has to name the new org too: that is a
# new definition (next sequence), prepared here as a directory
# ($GL_RUN/proposals/cc-NAME-SEQ/definition.json) that every org approves
# (cc-approve) and one org commits once a majority has (cc-commit).
# shellcheck shell=bash

# jq: a signature policy, normalized to {n, rules} / {id} from either JSON form
# (the peer CLI's Go JSON or configtxlator's), rendered in the policy language,
# with the principals given as 'MSP.role' strings in $ids.
# shellcheck disable=SC2016 # jq program text
JQ_POLICY='
  def norm: if (.Type? // null) != null then
      (if .Type.SignedBy != null then {id: .Type.SignedBy}
       else {n: (.Type.NOutOf.n // 0), rules: (.Type.NOutOf.rules // [] | map(norm))} end)
    elif .n_out_of then {n: (.n_out_of.n // 0), rules: (.n_out_of.rules // [] | map(norm))}
    else {id: (.signed_by // 0)} end;
  def render($ids): if .id != null then $ids[.id]
    else (.rules | map(render($ids)) | join(", ")) as $r
      | if .n == 1 then "OR(\($r))" elif .n == (.rules | length) then "AND(\($r))" else "OutOf(\(.n), \($r))" end
    end;
  # An OR over single principals that names exactly the other member orgs
  # gets the new org, with the role the others have.
  def with_new_org($ids; $others; $new):
    if .n == 1 and (.rules | all(.id != null)) then
      ([.rules[] | $ids[.id] | capture("^.(?<msp>[^.]+)\\.(?<role>[a-z]+).$")]) as $p
      | if ($p | map(.msp) | unique) == ($others | sort) and ($p | map(.role) | unique | length) == 1
        then {changed: true, text: "OR(\([.rules[] | $ids[.id]] + ["\u0027\($new).\($p[0].role)\u0027"] | join(", ")))"}
        else {changed: false, text: render($ids)} end
    else {changed: false, text: render($ids)} end;
  # The same OR without an org that left the channel.
  def without_org($ids; $gone):
    if .n == 1 and (.rules | all(.id != null)) then
      [.rules[] | $ids[.id]] as $names
      | [$names[] | select(startswith("\u0027\($gone).") | not)] as $kept
      | if ($kept | length) < ($names | length) and ($kept | length) > 0
        then {changed: true, text: "OR(\($kept | join(", ")))"}
        else {changed: false, text: render($ids)} end
    else {changed: false, text: render($ids)} end;
  def adjust($ids; $mode; $others; $msp):
    if $mode == "add" then with_new_org($ids; $others; $msp) else without_org($ids; $msp) end;
'

# 'MSP.role' for each principal of an identities array (base64 MSPRole protos).
principal_names() { # identities-json
  local p
  for p in $(jq -r '.[] | .principal' <<<"$1"); do
    base64 -d <<<"$p" | configtxlator proto_decode --type common.MSPRole |
      jq -r '"\u0027\(.msp_identifier).\((.role // "MEMBER") | ascii_downcase)\u0027"'
  done | jq -R . | jq -s .
}

# cc_plan DEF MODE OTHERS MSP: from one querycommitted definition, the approve
# arguments for the committed definition and, when MSP must be named (MODE add)
# or no longer named (MODE drop), for the next sequence: {changed, policy,
# collections} as JSON. OTHERS: the other member MSPs.
cc_plan() {
  local def=$1 mode=$2 others=$3 msp=$4 ref param policy='{"changed": false, "text": ""}' cols='[]' col ids
  param=$(jq -r '.validation_parameter' <<<"$def" | base64 -d | configtxlator proto_decode --type protos.ApplicationPolicy)
  ref=$(jq -r '.channel_config_policy_reference // empty' <<<"$param")
  if [[ -z $ref ]]; then
    ids=$(principal_names "$(jq '.signature_policy.identities' <<<"$param")")
    policy=$(jq --argjson ids "$ids" --arg mode "$mode" --argjson o "$others" --arg m "$msp" "$JQ_POLICY"'
      .signature_policy.rule | norm | adjust($ids; $mode; $o; $m)' <<<"$param")
  elif [[ $ref != /Channel/Application/Endorsement ]]; then
    policy=$(jq -n --arg r "$ref" '{changed: false, text: "", channelPolicy: $r}')
  fi
  while read -r col; do
    [[ -n $col ]] || continue
    ids=$(principal_names "$(jq '.member_orgs_policy.Payload.SignaturePolicy.identities' <<<"$col")")
    cols=$(jq --argjson c "$col" --argjson ids "$ids" --arg mode "$mode" --argjson o "$others" --arg m "$msp" "$JQ_POLICY"'
      . + [$c | (.member_orgs_policy.Payload.SignaturePolicy.rule | norm | adjust($ids; $mode; $o; $m)) as $p
        | {changed: $p.changed, json: {name, policy: $p.text, requiredPeerCount: (.required_peer_count // 0),
           maxPeerCount: (.maximum_peer_count // 0), blockToLive: (.block_to_live // 0),
           memberOnlyRead: (.member_only_read // false), memberOnlyWrite: (.member_only_write // false)}}]' <<<"$cols")
  done < <(jq -c '.collections.config // [] | .[] | .Payload.StaticCollectionConfig' <<<"$def")
  jq -n --argjson p "$policy" --argjson c "$cols" \
    '{changed: ($p.changed or any($c[]; .changed)), policy: $p, collections: [$c[] | .json]}'
}

# approve_args DIR: the lifecycle arguments a definition.json stands for.
approve_args() {
  local d=$1/definition.json
  printf '%s\n' --channelID "$GL_CHANNEL" --name "$(jq -r .name "$d")" --version "$(jq -r .version "$d")" \
    --sequence "$(jq -r .sequence "$d")"
  jq -r '.plan.policy | if .text != "" then "--signature-policy\n\(.text)"
    elif .channelPolicy then "--channel-config-policy\n\(.channelPolicy)" else empty end' "$d"
  if jq -e '.plan.collections | length > 0' "$d" >/dev/null; then printf '%s\n' --collections-config "$1/collections.json"; fi
  if jq -e '.initRequired' "$d" >/dev/null; then echo --init-required; fi
}

# cc_def_args DIR: the `gridctl cc approve|commit` flags a definition.json stands for.
cc_def_args() {
  local d=$1/definition.json
  printf '%s\n' --name "$(jq -r .name "$d")" --version "$(jq -r .version "$d")" --sequence "$(jq -r .sequence "$d")"
  jq -r '.plan.policy | if .text != "" then "--signature-policy\n\(.text)"
    elif .channelPolicy then "--channel-config-policy\n\(.channelPolicy)" else empty end' "$d"
  if jq -e '.plan.collections | length > 0' "$d" >/dev/null; then printf '%s\n' --collections-config "$1/collections.json"; fi
  if jq -e '.initRequired' "$d" >/dev/null; then echo --init-required; fi
}

# gateway_args ORG USER: gridctl's flags for ORG's USER through ORG's own peer.
gateway_args() {
  signer_args "$1" "$2"
  printf '%s\n' --peer "$(orgvar "$1" PEER_HOST):$(orgvar "$1" PEER_PORT)" \
    --tls-ca "$GL_ORGS_DIR/$1/msp/tlscacerts/ca.pem"
}

# approve_for ORG DIR: approve (gridctl cc approve, through ORG's peer) unless ORG already approved it.
approve_for() {
  local org=$1 dir=$2 d=$2/definition.json id def ids approved
  id=$(jq -r .packageId "$d")
  mapfile -t def < <(cc_def_args "$dir")
  mapfile -t ids < <(gateway_args "$org" admin)
  approved=$(as_identity "$org" admin peer lifecycle chaincode queryapproved --channelID "$GL_CHANNEL" \
    --name "$(jq -r .name "$d")" --sequence "$(jq -r .sequence "$d")" --output json 2>/dev/null |
    jq -r '.source.Type.LocalPackage.package_id // empty') || true
  [[ $approved != "$id" ]] || return 0
  gridctl cc approve "${ids[@]}" "${def[@]}" --package-id "$id" >>"$ORG_LOG" 2>&1 ||
    gl_die "approving $(jq -r '"\(.name) sequence \(.sequence)"' "$d") as $org failed (logs/org.log)"
  gl_log "$org approved $(jq -r '"\(.name) sequence \(.sequence)"' "$d")"
}

install_for() { # org package-file package-id
  if ! as_identity "$1" admin peer lifecycle chaincode queryinstalled --output json 2>/dev/null |
    jq -e --arg id "$3" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
    as_identity "$1" admin peer lifecycle chaincode install "$2" >>"$ORG_LOG" 2>&1 ||
      gl_die "installing $2 on peer-$1 failed (logs/org.log)"
  fi
}

chaincodes() {
  local org=${1:?usage: org.sh chaincodes ORG} msp others defs def name id plan dir seq tmp prepared=()
  require_org_defined "$org"
  gl_use_fabric peer configtxlator
  msp=$(orgvar "$org" MSPID)
  wait_caught_up "$org"
  tmp=$(mktemp -d)
  fetch_config "$org" "$tmp" >/dev/null
  others=$(member_msps "$tmp/config.json" | grep -vx "$msp" | jq -R . | jq -sc .)
  rm -rf "$tmp"
  defs=$(as_identity "$org" admin peer lifecycle chaincode querycommitted -C "$GL_CHANNEL" --output json) ||
    gl_die "querycommitted on peer-$org failed"
  while read -r def; do
    name=$(jq -r .name <<<"$def")
    [[ -f $GL_RUN/chaincode/$name/package-id ]] || {
      gl_log "$name: no package here ($GL_RUN/chaincode/$name); skipped"
      continue
    }
    id=$(cat "$GL_RUN/chaincode/$name/package-id")
    install_for "$org" "$GL_RUN/chaincode/$name/${id%%:*}.tar.gz" "$id"
    plan=$(cc_plan "$def" add "$others" "$msp")
    seq=$(jq -r .sequence <<<"$def")
    if jq -e .changed <<<"$plan" >/dev/null; then seq=$((seq + 1)); fi
    dir=$(write_definition "$def" "$plan" "$id" "$seq")
    approve_for "$org" "$dir"
    if jq -e .changed <<<"$plan" >/dev/null; then prepared+=("$dir"); fi
  done < <(jq -c '.chaincode_definitions // [] | .[]' <<<"$defs")
  restart_chaincode_servers
  for dir in "${prepared[@]}"; do
    gl_log "prepared $dir (names $msp): each org runs 'org.sh cc-approve $dir --as ORG', then 'org.sh cc-commit $dir'"
    echo "$dir"
  done
}

# write_definition DEF PLAN PACKAGE-ID SEQUENCE: the definition directory
# $GL_RUN/proposals/cc-NAME-SEQ (definition.json, collections.json); prints it.
write_definition() {
  local def=$1 plan=$2 id=$3 seq=$4 dir
  dir="$GL_RUN/proposals/cc-$(jq -r .name <<<"$def")-$seq"
  mkdir -p "$dir"
  jq -n --argjson d "$def" --argjson p "$plan" --arg id "$id" --argjson s "$seq" \
    '{name: $d.name, version: $d.version, sequence: $s, initRequired: ($d.init_required // false),
      packageId: $id, plan: $p}' >"$dir/definition.json"
  jq '.plan.collections' "$dir/definition.json" >"$dir/collections.json"
  echo "$dir"
}

# cc_drop ORG [--as A]: after ORG left the channel, the next-sequence
# definitions of the chaincodes whose collections or explicit policy still name
# it, approved by A (default GL_LEAD_ORG); the other orgs cc-approve, one commits.
cc_drop() {
  local org=${1:-} as=$GL_LEAD_ORG msp tmp others defs def name plan id seq dir prepared=()
  [[ ${2:-} != --as ]] || as=${3:?--as ORG}
  [[ -n $org ]] || gl_die "usage: org.sh cc-drop ORG [--as ORG2]"
  require_org_defined "$org"
  msp=$(orgvar "$org" MSPID)
  gl_use_fabric peer configtxlator
  tmp=$(mktemp -d)
  fetch_config "$as" "$tmp" >/dev/null
  ! grep -qx "$msp" < <(member_msps "$tmp/config.json") || gl_die "$msp is still a member of $GL_CHANNEL: remove it first"
  others=$(member_msps "$tmp/config.json" | jq -R . | jq -sc .)
  rm -rf "$tmp"
  defs=$(as_identity "$as" admin peer lifecycle chaincode querycommitted -C "$GL_CHANNEL" --output json) ||
    gl_die "querycommitted on peer-$as failed"
  while read -r def; do
    name=$(jq -r .name <<<"$def")
    plan=$(cc_plan "$def" drop "$others" "$msp")
    jq -e .changed <<<"$plan" >/dev/null || continue
    [[ -f $GL_RUN/chaincode/$name/package-id ]] || gl_die "$name names $msp but has no package here"
    id=$(cat "$GL_RUN/chaincode/$name/package-id")
    seq=$(($(jq -r .sequence <<<"$def") + 1))
    dir=$(write_definition "$def" "$plan" "$id" "$seq")
    approve_for "$as" "$dir"
    prepared+=("$dir")
  done < <(jq -c '.chaincode_definitions // [] | .[]' <<<"$defs")
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
  gl_use_fabric peer
  approve_for "$as" "$dir"
}

cc_commit() {
  local dir=${1:-} as=$GL_LEAD_ORG args def ids targets ready msp
  [[ ${2:-} != --as ]] || as=${3:?--as ORG}
  [[ -n $dir && -f $dir/definition.json ]] || gl_die "usage: org.sh cc-commit DIR [--as ORG]"
  gl_use_fabric peer
  mapfile -t args < <(approve_args "$dir")
  ready=$(as_identity "$as" admin peer lifecycle chaincode checkcommitreadiness "${args[@]}" --output json) ||
    gl_die "checkcommitreadiness failed"
  if ! jq -e '.approvals | (map(select(.)) | length) > (length / 2)' <<<"$ready" >/dev/null; then
    gl_die "not committed: a majority must approve first; approvals: $(jq -c .approvals <<<"$ready")"
  fi
  # A peer endorses the commit only if its own org approved the definition.
  targets=()
  for msp in $(jq -r '.approvals | to_entries[] | select(.value) | .key' <<<"$ready"); do
    targets+=(--endorsing-org "$msp")
  done
  mapfile -t def < <(cc_def_args "$dir")
  mapfile -t ids < <(gateway_args "$as" admin)
  gridctl cc commit "${ids[@]}" "${def[@]}" "${targets[@]}" >>"$ORG_LOG" 2>&1 || gl_die "commit failed (logs/org.log)"
  gl_log "committed $(jq -r '"\(.name) sequence \(.sequence)"' "$dir/definition.json")"
}
