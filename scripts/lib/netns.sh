#!/usr/bin/env bash
# Hosts for a multi-host consortium on one machine (sourced by
# scripts/multihost.sh after common.sh, with a consortium definition that
# names them: network/consortiums/multihost.env). Each host is a network
# namespace with one veth ("eth0") into a bridge that lives in a namespace of
# its own (GL_MH_SWITCH_NETNS), so nothing is added to this machine's own
# network namespace: no link, no address, no route. No namespace has a default
# route or forwarding, so no packet can leave the hosts' subnet; mh_check
# proves it. Every host gets the same /etc/hosts (ip netns exec bind-mounts
# /etc/netns/<ns>/hosts over /etc/hosts), the stand-in for DNS.
# shellcheck shell=bash

# The bridge in the switch namespace; its ports are named b-<host key>.
readonly MH_BRIDGE=br0

# mh_keys: every host's key: the client and each org that runs nodes.
mh_keys() { echo "client orderer $GL_FOUNDING_ORGS"; }

# mh_ns KEY / mh_addr KEY: a host's namespace and address.
mh_ns() { mh_field "$1" NETNS "$GL_MH_CLIENT_NETNS"; }
mh_addr() { mh_field "$1" ADDR "$GL_MH_CLIENT_ADDR"; }
mh_field() { # key field client-value
  local v=$3
  [[ $1 == client ]] || v=$(orgvar "$1" "$2")
  echo "$v"
}

# mh_names KEY: every host name of a host: the org's GL_<ORG>_*HOST values
# (peer, CA, consenter, orderer) and the chaincode servers' name on GL_CC_ORG.
mh_names() {
  local key=$1 var names=()
  if [[ $key == client ]]; then
    echo "$GL_MH_CLIENT_HOST"
    return 0
  fi
  for var in $(compgen -v "GL_${key^^}_"); do
    [[ $var == *HOST && ${!var} != "$GL_HOST" ]] && names+=("${!var}")
  done
  [[ $key != "${GL_CC_ORG:-}" ]] || names+=("$GL_CC_HOST")
  printf '%s\n' "${names[@]}" | sort -u | tr '\n' ' '
}

# mh_all_ns: every namespace this consortium uses, the switch last.
mh_all_ns() {
  local key
  for key in $(mh_keys); do mh_ns "$key"; done
  echo "$GL_MH_SWITCH_NETNS"
}

mh_ns_exists() { [[ -e /run/netns/$1 ]]; }

mh_hosts_file() {
  local key
  printf '127.0.0.1 localhost\n'
  for key in $(mh_keys); do printf '%s %s\n' "$(mh_addr "$key")" "$(mh_names "$key")"; done
}

# mh_teardown: stop whatever still runs in our namespaces (a crashed run's
# nodes; `network.sh down` has normally stopped them already), then delete
# the namespaces (which deletes their veths and the bridge) and their
# /etc/netns entries. Only the namespaces this definition names are touched.
mh_teardown() {
  local ns pids
  for ns in $(mh_all_ns); do
    if mh_ns_exists "$ns"; then
      pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
      if [[ -n ${pids// /} ]]; then
        gl_log "multihost: stopping leftover processes in $ns: $pids"
        # shellcheck disable=SC2086 # one pid per word
        kill -KILL $pids 2>/dev/null || true
      fi
      ip netns del "$ns"
    fi
    rm -rf "/etc/netns/$ns"
  done
}

# mh_setup: the hosts from scratch (a crashed run's leftovers removed first).
mh_setup() {
  local sw=$GL_MH_SWITCH_NETNS key ns hosts
  [[ $(id -u) == 0 ]] || gl_die "multihost: network namespaces need root"
  mh_teardown
  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add "$MH_BRIDGE" type bridge
  ip -n "$sw" link set "$MH_BRIDGE" up
  hosts=$(mh_hosts_file)
  for key in $(mh_keys); do
    ns=$(mh_ns "$key")
    ip netns add "$ns"
    # The veth is created with one end in each namespace: it never exists here.
    ip link add eth0 netns "$ns" type veth peer name "b-$key" netns "$sw"
    ip -n "$sw" link set "b-$key" master "$MH_BRIDGE" up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv4.ip_forward=0
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$(mh_addr "$key")/$GL_MH_PREFIX" dev eth0
    ip -n "$ns" link set eth0 up
    mkdir -p "/etc/netns/$ns"
    printf '%s\n' "$hosts" >"/etc/netns/$ns/hosts"
  done
  gl_log "multihost: hosts up ($(mh_keys | wc -w) namespaces on $GL_MH_SWITCH_NETNS/$MH_BRIDGE, $GL_MH_SUBNET)"
}

# mh_check: every host reaches every other host by name, and no host has a
# route out of the subnet (no default route; an address outside it is
# unreachable).
mh_check() {
  local key ns other routes
  for key in $(mh_keys); do
    ns=$(mh_ns "$key")
    routes=$(ip -n "$ns" -4 route show table all | grep -v -E '^(local|broadcast) ' || true)
    if grep -q -E '^default|via ' <<<"$routes"; then gl_die "multihost: $ns has a route out: $routes"; fi
    [[ $routes == "$GL_MH_SUBNET dev eth0 "* && $(wc -l <<<"$routes") == 1 ]] ||
      gl_die "multihost: $ns routes are not just its subnet: $routes"
    if ip netns exec "$ns" ip route get 192.0.2.1 >/dev/null 2>&1; then
      gl_die "multihost: $ns can route to 192.0.2.1 (TEST-NET-1)"
    fi
    for other in $(mh_keys); do
      ip netns exec "$ns" getent hosts "$(mh_names "$other" | cut -d' ' -f1)" >/dev/null ||
        gl_die "multihost: $ns cannot resolve $other's names"
    done
  done
  mh_reachable client "$GL_MARKET_PROSUMER" || gl_die "multihost: the client host cannot reach the $GL_MARKET_PROSUMER host"
  gl_log "multihost: every host resolves every other; no route leaves $GL_MH_SUBNET"
}

# mh_reachable FROM TO: a TCP connection from host FROM to a closed port of
# host TO is refused (TO answered) rather than timing out or unreachable.
mh_reachable() {
  local out
  out=$(ip netns exec "$(mh_ns "$1")" timeout 3 bash -c "exec 3<>/dev/tcp/$(mh_addr "$2")/9" 2>&1) || true
  [[ $out == *refused* ]]
}

# mh_partition ORG down|up: ORG's host loses (or gets back) its link to the
# bridge; the bridge end goes down, so its packets are dropped both ways.
mh_partition() {
  local key=$1 state=$2
  [[ $state == down || $state == up ]] || gl_die "mh_partition: down or up, not $state"
  mh_ns "$key" >/dev/null
  ip -n "$GL_MH_SWITCH_NETNS" link set "b-$key" "$state"
  gl_log "multihost: $key's link $state"
}
