#!/usr/bin/env bash
# Fabric CA per organization: start the CA servers and issue every identity
# the network needs (sourced by network.sh and org.sh; the CA process itself
# is started by the launcher, gl_launch_ca).
#
# Layout under $GL_RUN/orgs/<org>/:
#   msp/                      org MSP (cacerts/ca.pem, tlscacerts/ca.pem, config.yaml)
#   peer0/{msp,tls}           peer node (orderer0/ for the orderer org)
#   orderer0/{msp,tls}        the org's BFT consenter (GL_ORDERER_TYPE=bft only)
#   users/<name>/msp          admin and client users (ecert carries GL_ROLE_ATTRIBUTE)
#   users/admin/tls           admin TLS client cert (osnadmin needs mutual TLS)
# tls/ holds server.crt, server.key, ca.crt, as the Fabric samples name them.
# shellcheck shell=bash

# Users: the org admin, and GL_USERS and GL_ENERGY_USERS (org:name:role, from
# the consortium definition) of the org; the role goes into the certificate
# attribute GL_ROLE_ATTRIBUTE.

ca_home() { echo "$GL_RUN/ca/$1"; }
ca_url_host() { echo "$(orgvar "$1" CA_HOST):$(orgvar "$1" CA_PORT)"; }

# Names every TLS certificate must carry: the configured host plus loopback.
tls_hosts() { # host
  local hosts="localhost,127.0.0.1"
  [[ $1 == localhost || $1 == 127.0.0.1 ]] || hosts="$hosts,$1"
  echo "$hosts"
}

# start_ca ORG: ORG's Fabric CA, through the launcher (GL_LAUNCHER; the caller
# has run gl_source_launcher from common.sh).
start_ca() {
  declare -F gl_launch_ca >/dev/null || gl_die "no launcher: call gl_source_launcher (scripts/lib/common.sh) first"
  gl_launch_ca "$1"
}

# ca_client ORG ARGS...: fabric-ca-client against ORG's CA as its bootstrap admin.
ca_client() {
  local org=$1
  shift
  fabric-ca-client "$@" --caname "ca-$org" --tls.certfiles "$(ca_home "$org")/ca-cert.pem" \
    -H "$(ca_home "$org")/client"
}

# A CA that has just opened its port may still refuse the first enrollment on a
# loaded machine, so a few tries; the last failure's output is shown, not hidden.
enroll_ca_admin() {
  local org=$1 out try
  for try in 1 2 3 4 5; do
    if out=$(ca_client "$org" enroll -u "https://admin:$GL_CA_ADMIN_PW@$(ca_url_host "$org")" 2>&1); then
      return 0
    fi
    ((try == 5)) || sleep 1
  done
  printf '%s\n' "$out" | tail -n 5 >&2
  gl_die "enrolling ca-$org bootstrap admin failed (network.sh logs ca-$org)"
}

register() { # org name secret type [attrs]
  local org=$1 args=(register --id.name "$2" --id.secret "$3" --id.type "$4")
  [[ -z ${5:-} ]] || args+=(--id.attrs "$5")
  # Re-registering an existing identity fails; enrollment still works then.
  ca_client "$org" "${args[@]}" >/dev/null 2>&1 || true
}

nodeous_config() {
  cat <<'YAML'
NodeOUs:
  Enable: true
  ClientOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: client}
  PeerOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: peer}
  AdminOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: admin}
  OrdererOUIdentifier: {Certificate: cacerts/ca.pem, OrganizationalUnitIdentifier: orderer}
YAML
}

# Enrolled MSPs name the CA cert after the CA's URL; give every MSP the same
# names so one NodeOUs config.yaml fits all.
normalize_msp() {
  local msp=$1 org=$2
  rm -rf "$msp/cacerts" "$msp/tlscacerts" "$msp/intermediatecerts"
  mkdir -p "$msp/cacerts" "$msp/tlscacerts"
  cp "$(ca_home "$org")/ca-cert.pem" "$msp/cacerts/ca.pem"
  cp "$(ca_home "$org")/ca-cert.pem" "$msp/tlscacerts/ca.pem"
  nodeous_config >"$msp/config.yaml"
}

enroll_msp() { # org name secret dir [hosts]
  local org=$1 dir=$4 args=()
  [[ -z ${5:-} ]] || args=(--csr.hosts "$5")
  ca_client "$org" enroll -u "https://$2:$3@$(ca_url_host "$org")" -M "$dir/msp" "${args[@]}" >/dev/null 2>&1 ||
    gl_die "enrolling $2 with ca-$org failed"
  normalize_msp "$dir/msp" "$org"
}

enroll_tls() { # org name secret dir hosts
  local org=$1 dir=$4 tmp
  tmp="$dir/tls-enroll"
  ca_client "$org" enroll -u "https://$2:$3@$(ca_url_host "$org")" -M "$tmp" \
    --enrollment.profile tls --csr.hosts "$5" >/dev/null 2>&1 || gl_die "TLS enrollment of $2 with ca-$org failed"
  mkdir -p "$dir/tls"
  cp "$tmp/signcerts/cert.pem" "$dir/tls/server.crt"
  cp "$tmp"/keystore/*_sk "$dir/tls/server.key"
  cp "$(ca_home "$org")/ca-cert.pem" "$dir/tls/ca.crt"
  rm -rf "$tmp"
}

issue_org_identities() {
  local org=$1 node type host pw="${GL_NODE_PW:-nodepw}" spec uorg name role
  if [[ $org == orderer ]]; then
    node=orderer0 type=orderer host=$GL_ORDERER_HOST
  else
    node=peer0 type=peer host=$(orgvar "$org" PEER_HOST)
  fi
  enroll_ca_admin "$org"
  mkdir -p "$GL_ORGS_DIR/$org/msp"
  normalize_msp "$GL_ORGS_DIR/$org/msp" "$org"

  register "$org" "$node" "$pw" "$type"
  enroll_msp "$org" "$node" "$pw" "$GL_ORGS_DIR/$org/$node" "$(tls_hosts "$host")"
  enroll_tls "$org" "$node" "$pw" "$GL_ORGS_DIR/$org/$node" "$(tls_hosts "$host"),$node.$(orgvar "$org" DOMAIN)"

  # Under BFT the org runs a consenter of its own (gl_orderer_nodes).
  if [[ $org != orderer && " $(gl_orderer_orgs) " == *" $org "* ]]; then
    host=$(orgvar "$org" ORDERER_HOST)
    register "$org" orderer0 "$pw" orderer
    enroll_msp "$org" orderer0 "$pw" "$GL_ORGS_DIR/$org/orderer0" "$(tls_hosts "$host")"
    enroll_tls "$org" orderer0 "$pw" "$GL_ORGS_DIR/$org/orderer0" "$(tls_hosts "$host"),orderer0.$(orgvar "$org" DOMAIN)"
  fi

  register "$org" admin-user "$pw" admin "$GL_ROLE_ATTRIBUTE=admin:ecert"
  enroll_msp "$org" admin-user "$pw" "$GL_ORGS_DIR/$org/users/admin"
  enroll_tls "$org" admin-user "$pw" "$GL_ORGS_DIR/$org/users/admin" "$(tls_hosts "$GL_HOST")"

  for spec in $GL_USERS $GL_ENERGY_USERS $(org_users "$org"); do
    IFS=: read -r uorg name role <<<"$spec"
    [[ $uorg == "$org" ]] || continue
    register "$org" "$name" "$pw" client "$GL_ROLE_ATTRIBUTE=$role:ecert"
    enroll_msp "$org" "$name" "$pw" "$GL_ORGS_DIR/$org/users/$name"
  done
}

# GL_<ORG>_USERS: the users of an org defined on its own (network/orgs/*.env).
org_users() {
  local name="GL_${1^^}_USERS"
  printf '%s' "${!name:-}"
}

# revoke_identity ORG NAME: revokes every certificate of enrollment id NAME at
# ORG's CA and writes the CA's new CRL to ORG's MSP (msp/crls/crl.pem), where
# `org.sh revoke` picks it up for the channel config.
revoke_identity() {
  local org=$1 name=$2 crls="$GL_ORGS_DIR/$1/msp/crls"
  enroll_ca_admin "$org"
  ca_client "$org" revoke -e "$name" -r keycompromise >>"$GL_RUN/logs/tools.log" 2>&1 ||
    gl_die "ca-$org could not revoke $name (logs/tools.log)"
  ca_client "$org" gencrl >>"$GL_RUN/logs/tools.log" 2>&1 || gl_die "ca-$org could not generate its CRL (logs/tools.log)"
  mkdir -p "$crls"
  cp "$(ca_home "$org")/client/msp/crls/crl.pem" "$crls/crl.pem"
}

# Chaincode servers get their TLS certificate from the lead org's CA
# (GL_LEAD_ORG); peers trust it through root_cert in connection.json (see deploy).
issue_chaincode_tls() { # name dir
  local name=$1 dir=$2 pw="${GL_NODE_PW:-nodepw}"
  register "$GL_LEAD_ORG" "cc-$name" "$pw" client
  enroll_tls "$GL_LEAD_ORG" "cc-$name" "$pw" "$dir" "$(tls_hosts "$GL_CC_HOST")${GL_CC_LISTEN_HOST:+,$GL_CC_LISTEN_HOST}"
}

identities_up() {
  local org
  for org in $(gl_all_orgs); do start_ca "$org"; done
  for org in $(gl_all_orgs); do issue_org_identities "$org"; done
}
