#!/usr/bin/env bash
# The new org's nodes on this machine (sourced by org.sh): its CA and peer go
# through the launcher interface (scripts/lib/launch-$GL_LAUNCHER.sh), so the same
# steps work natively and in Docker. Orgs whose nodes run here are listed in
# $GL_RUN/joined-orgs, which scripts/lib/common.sh adds to GL_PEER_ORGS.
# shellcheck shell=bash

# The launcher defines globals: source it at org.sh's top level.
gl_source_launcher

launch_ca() { start_ca "$1"; }

joined_orgs() { [[ ! -f $GL_RUN/joined-orgs ]] || cat "$GL_RUN/joined-orgs"; }

mark_joined() { # org
  grep -qx "$1" <(joined_orgs) || echo "$1" >>"$GL_RUN/joined-orgs"
}

unmark_joined() { # org
  local rest
  rest=$(joined_orgs | grep -vx "$1" || true)
  if [[ -n $rest ]]; then echo "$rest" >"$GL_RUN/joined-orgs"; else rm -f "$GL_RUN/joined-orgs"; fi
}

# Block height of ORG's peer on the channel (0 before it joined, or while its
# copy of the channel config does not admit the org).
peer_height() { # org
  local info
  info=$(as_identity "$1" admin peer channel getinfo -c "$GL_CHANNEL" 2>/dev/null | sed -n 's/^Blockchain info: //p') || true
  [[ -n $info ]] || info='{}'
  jq -r '.height // 0' <<<"$info"
}

# Whether ORG's peer has the channel's ledger. A local question (cscc), so it
# works also while the peer's copy of the channel config does not admit the
# org yet (re-admitted after a removal, before it caught up).
peer_joined() { # org
  as_identity "$1" admin peer channel list 2>/dev/null | grep -qx "$GL_CHANNEL"
}

# Number of the newest block the orderer has, as ORG's admin sees it.
orderer_newest() { # org
  local org=$1 tmp orderer
  tmp=$(mktemp -d)
  mapfile -t orderer < <(orderer_args)
  as_identity "$org" admin peer channel fetch newest "$tmp/newest.pb" -c "$GL_CHANNEL" "${orderer[@]}" \
    >>"$ORG_LOG" 2>&1 || gl_die "$org cannot read $GL_CHANNEL from the orderer: is it a member yet?"
  configtxlator proto_decode --input "$tmp/newest.pb" --type common.Block | jq -r '.header.number'
  rm -rf "$tmp"
}

# wait_caught_up ORG: ORG's peer holds every block the orderer had when asked.
wait_caught_up() {
  local org=$1 want deadline=$((SECONDS + 120))
  want=$(($(orderer_newest "$org") + 1))
  until (($(peer_height "$org") >= want)); do
    ((SECONDS < deadline)) || gl_die "peer-$org did not catch up to height $want within 120 s"
    sleep 1
  done
}

# set_anchor ORG: the org's own config update (mod_policy: its Admins), so its
# admin computes, signs and submits it alone; nothing when already set.
set_anchor() {
  local org=$1 msp anchor dir
  msp=$(orgvar "$org" MSPID)
  anchor="$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_PORT)"
  dir=$(proposal_dir "anchor-$org" "")
  propose_update "$dir" anchor "$org" "$msp" "$org" "anchor peer of $msp: $anchor ($msp's own admin signs)" \
    anchor "$msp" --anchor-peer "$anchor"
  if [[ ! -d $dir ]]; then
    gl_log "$msp anchor peer already $anchor"
    return 0
  fi
  sign "$dir" --as "$org"
  submit "$dir" --as "$org"
}

# A peer that joins late replays the channel's history. A block with private
# data its org was eligible for in an earlier membership (its own lifecycle
# approvals, say, before it was removed and re-added with a fresh ledger) can
# never be fetched again, and by default the peer waits 60 s for each such
# block before committing it without. Reconciliation keeps fetching whatever
# is still available in the background, so a short wait loses nothing.
: "${GL_LATE_PULL_RETRY:=3s}"

# The launcher renders core.yaml only when there is none: render it first,
# with that shorter wait.
prepare_peer_config() { # org
  local dir="$GL_RUN/config/$1"
  [[ ! -f $dir/core.yaml ]] || return 0
  declare -F render_core_yaml >/dev/null || gl_die "no render_core_yaml (scripts/lib/node-config.sh)"
  mkdir -p "$dir"
  gl_sample_config core.yaml "$dir/core.yaml.sample"
  render_core_yaml "$dir/core.yaml.sample" "$dir/core.yaml"
  rm -f "$dir/core.yaml.sample"
  sed -i "s/^\([[:space:]]*pullRetryThreshold:\).*/\1 $GL_LATE_PULL_RETRY/" "$dir/core.yaml"
  grep -q "pullRetryThreshold: $GL_LATE_PULL_RETRY" "$dir/core.yaml" ||
    gl_die "could not set pullRetryThreshold in $dir/core.yaml"
}

join() {
  local org=${1:?usage: org.sh join ORG} dir block orderer attempt
  require_org_defined "$org"
  founding_org "$org" && gl_die "$org is a founding org: network.sh up starts it"
  [[ -d $GL_ORGS_DIR/$org/peer0/msp ]] || gl_die "$org has no identities here: run 'org.sh create $org' first"
  gl_use_fabric peer configtxlator
  mark_joined "$org"
  prepare_peer_config "$org"
  gl_launch_peer "$org"
  if ! peer_joined "$org"; then
    dir="$GL_RUN/channel/$org"
    mkdir -p "$dir"
    mapfile -t orderer < <(orderer_args)
    # The orderer serves the channel's blocks to member orgs only: this works
    # once the add proposal has been submitted.
    as_identity "$org" admin peer channel fetch 0 "$dir/genesis.pb" -c "$GL_CHANNEL" "${orderer[@]}" \
      >>"$ORG_LOG" 2>&1 || gl_die "$org cannot fetch $GL_CHANNEL's genesis block: is it a member yet? (logs/org.log)"
    for attempt in 1 2 3 4 5; do
      as_identity "$org" admin peer channel join -b "$dir/genesis.pb" >>"$ORG_LOG" 2>&1 && break
      ((attempt < 5)) || gl_die "peer-$org could not join $GL_CHANNEL (logs/org.log)"
      sleep 1
    done
  fi
  set_anchor "$org"
  block=$(orderer_newest "$org")
  wait_caught_up "$org"
  gl_log "peer-$org joined $GL_CHANNEL (height $((block + 1))); next: 'org.sh chaincodes $org'"
}

# leave ORG [--purge]: stop the org's nodes here. Its CA, identities and
# ledger stay, so it can be admitted again and carry on where it stopped.
# --purge deletes them too; an org purged and then re-admitted with a fresh
# ledger cannot approve a chaincode sequence its earlier self approved (the
# approval's private data is gone), so each such chaincode then needs a new
# sequence. Removing it from the channel is the consortium's proposal
# (org.sh propose remove).
leave() {
  local org=${1:?usage: org.sh leave ORG [--purge]} node
  require_org_defined "$org"
  founding_org "$org" && gl_die "$org is a founding org: network.sh down stops it"
  for node in "peer-$org" "ca-$org"; do gl_stop_node "$node"; done
  unmark_joined "$org"
  # The chaincode servers stop trusting the org's peers' TLS certificates.
  restart_chaincode_servers
  if [[ ${2:-} == --purge ]]; then
    rm -rf "${GL_ORGS_DIR:?}/$org" "$GL_RUN/ca/$org" "$GL_RUN/data/peer-$org" "$GL_RUN/config/$org" \
      "$GL_RUN/config/configtx-$org" "$GL_RUN/channel/$org"
    gl_log "$org: nodes stopped, local state removed"
  else
    gl_log "$org: nodes stopped (state kept in $GL_RUN; 'leave $org --purge' deletes it)"
  fi
}
