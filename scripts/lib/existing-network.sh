#!/usr/bin/env bash
# The steps of network/EXISTING-NETWORK.md, as functions (sourced by
# scripts/existing-network.sh and scripts/network.sh). The guide's code blocks
# are the bodies between the "# step: NAME" and "# end step" lines below,
# copied verbatim (`existing-network.sh guide-check` fails when they differ;
# `guide-write` copies them again), so the commands an operator reads are the
# ones the foreign-consortium test runs.
#
# Everything about the network comes from the consortium definition
# (GL_CONSORTIUM): peer orgs, MSP ids, hosts and ports, channel, market roles
# (GL_MARKET_*) and role attribute (GL_ROLE_ATTRIBUTE). `as_org ORG CMD`
# runs CMD with ORG admin's peer CLI environment (CORE_PEER_LOCALMSPID,
# CORE_PEER_ADDRESS, CORE_PEER_TLS_ROOTCERT_FILE, CORE_PEER_MSPCONFIGPATH;
# `scripts/env.sh ORG` prints them), `orgvar ORG FIELD` reads GL_<ORG>_<FIELD>.
# shellcheck shell=bash

# Where the packages, package ids and the collection config go.
XN_DIR="${XN_DIR:-$GL_RUN/existing-network}"
# The energy chaincodes, each on its own port below GL_CC_PORT - 1.
XN_CHAINCODES="${XN_CHAINCODES:-registry metering trade certificates flexibility}"
XN_VERSION="${XN_VERSION:-1.0}"
XN_SEQUENCE="${XN_SEQUENCE:-1}"
# The users the `users` step enrols (org:name:role); secret for all of them.
XN_USERS="${XN_USERS-$GL_ENERGY_USERS}"
XN_USER_SECRET="${XN_USER_SECRET:-userpw}"
# The smoke test's prosumer (a user of GL_MARKET_PROSUMER) and grid operator
# staff (a user of GL_MARKET_GRID_OPERATOR with role operator).
XN_SMOKE_PROSUMER="${XN_SMOKE_PROSUMER:-alice}"
XN_SMOKE_OPERATOR="${XN_SMOKE_OPERATOR:-operator1}"

# xn_cc_port NAME: the chaincode server port of NAME (GL_CC_PORT - 2, - 3 ...
# in XN_CHAINCODES order, as network.sh deploy-energy uses them).
xn_cc_port() {
  local name port=$((GL_CC_PORT - 2))
  for name in $XN_CHAINCODES; do
    [[ $name != "$1" ]] || {
      echo "$port"
      return 0
    }
    port=$((port - 1))
  done
  gl_die "$1 is not one of XN_CHAINCODES ($XN_CHAINCODES)"
}

# xn_orderer: the orderer address and TLS CA options of the peer CLI.
xn_orderer() {
  printf '%s\n' -o "$GL_ORDERER_HOST:$GL_ORDERER_PORT" --tls --cafile "$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem"
}

# xn_peer_targets: the peer CLI options that address every org's peer (an
# endorsement by all of them), one option or value a line.
xn_peer_targets() {
  local org
  for org in $GL_PEER_ORGS; do
    printf '%s\n' --peerAddresses "$(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_PORT)" \
      --tlsRootCertFiles "$GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem"
  done
}

# step: roles-args
# The market roles of the consortium definition as gridctl consortium options:
# one grid operator and one supplier (GL_MARKET_*), every other peer org a member.
xn_role_args() {
  local org args=(--role-attribute "$GL_ROLE_ATTRIBUTE")
  args+=(--grid-operator "$(orgvar "$GL_MARKET_GRID_OPERATOR" MSPID)" --supplier "$(orgvar "$GL_MARKET_SUPPLIER" MSPID)")
  for org in $GL_PEER_ORGS; do
    [[ $org == "$GL_MARKET_GRID_OPERATOR" || $org == "$GL_MARKET_SUPPLIER" ]] || args+=(--member "$(orgvar "$org" MSPID)")
  done
  printf '%s\n' "${args[@]}"
}
# end step

# step: package
# One CCaaS package per chaincode for every org: connection.json keeps the
# {{.root_cert}}-style placeholders each peer's builder fills. gridctl prints
# the package id. The metering collections are generated for these orgs.
xn_package() {
  local name roles
  mkdir -p "$XN_DIR"
  for name in $XN_CHAINCODES; do
    gridctl package --label "${name}_$XN_VERSION" --address "$GL_CC_HOST:$(xn_cc_port "$name")" \
      --tls --client-auth -o "$XN_DIR/$name.tar.gz" >"$XN_DIR/$name.id"
    gl_log "package $name: $(<"$XN_DIR/$name.id")"
  done
  mapfile -t roles < <(xn_role_args)
  gridctl consortium collections "${roles[@]}" >"$XN_DIR/metering-collections.json"
}
# end step

# The chaincode servers, on this test network: the launcher starts each
# program with the package id, a TLS certificate from GL_LEAD_ORG's CA and
# every peer org's TLS CA as client CAs (scripts/lib/deploy.sh). On your
# network you run them your way (the guide's section 2).
xn_serve() {
  local name
  for name in $XN_CHAINCODES; do
    mkdir -p "$GL_RUN/chaincode/$name"
    start_chaincode "$name" "$(<"$XN_DIR/$name.id")" "$("$GL_SCRIPTS/build-chaincodes.sh" path "$name-cc")" \
      "$(xn_cc_port "$name")" true true
  done
}

# step: install
# Each org's admin installs every package on its peer (once: a package the
# peer already has is skipped).
xn_install() {
  local org name
  for org in $GL_PEER_ORGS; do
    for name in $XN_CHAINCODES; do
      if ! as_org "$org" peer lifecycle chaincode queryinstalled --output json 2>/dev/null |
        jq -e --arg id "$(<"$XN_DIR/$name.id")" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
        as_org "$org" peer lifecycle chaincode install "$XN_DIR/$name.tar.gz"
      fi
    done
  done
}
# end step

# xn_definition NAME: the definition's options, the same for approve and commit
# (the channel's default endorsement policy, MAJORITY Endorsement; metering
# with its collections).
xn_definition() {
  local opts=(--channelID "$GL_CHANNEL" --name "$1" --version "$XN_VERSION" --sequence "$XN_SEQUENCE")
  [[ $1 != metering ]] || opts+=(--collections-config "$XN_DIR/metering-collections.json")
  printf '%s\n' "${opts[@]}"
}

# step: approve
# Each org's admin approves each definition (once: queryapproved shows what
# the org approved for this sequence). Right after the channel was created
# the orderer may still elect its leader: a few tries.
xn_approve() {
  local org name def orderer try id
  mapfile -t orderer < <(xn_orderer)
  for org in $GL_PEER_ORGS; do
    for name in $XN_CHAINCODES; do
      mapfile -t def < <(xn_definition "$name")
      id=$(<"$XN_DIR/$name.id")
      for try in 1 2 3 4 5; do
        if as_org "$org" peer lifecycle chaincode queryapproved --channelID "$GL_CHANNEL" --name "$name" \
          --sequence "$XN_SEQUENCE" --output json 2>/dev/null |
          jq -e --arg id "$id" '.source.Type.LocalPackage.package_id == $id' >/dev/null; then
          break
        fi
        as_org "$org" peer lifecycle chaincode approveformyorg "${orderer[@]}" "${def[@]}" \
          --package-id "$id" --waitForEvent && break
        ((try < 5)) || gl_die "approve of $name by $org failed"
        sleep 2
      done
    done
  done
}
# end step

# step: commit
# One admin commits each definition, endorsed by every org's peer (at least
# the LifecycleEndorsement policy's majority).
xn_commit() {
  local name def orderer targets
  mapfile -t orderer < <(xn_orderer)
  mapfile -t targets < <(xn_peer_targets)
  for name in $XN_CHAINCODES; do
    mapfile -t def < <(xn_definition "$name")
    if ! as_org "$GL_LEAD_ORG" peer lifecycle chaincode querycommitted --channelID "$GL_CHANNEL" --name "$name" \
      >/dev/null 2>&1; then
      as_org "$GL_LEAD_ORG" peer lifecycle chaincode commit "${orderer[@]}" "${def[@]}" "${targets[@]}"
    fi
  done
}
# end step

# step: users
# Each user is registered with its org's Fabric CA, its market role in the
# attribute GL_ROLE_ATTRIBUTE (":ecert": the enrollment certificate carries it,
# where the contracts read it), then enrolled into users/NAME/msp (once), with
# the org's NodeOUs config.yaml beside it (the peer CLI needs it, as in
# fabric-samples' enrollment scripts).
xn_users() {
  local spec org name role ca tls msp
  for spec in $XN_USERS; do
    IFS=: read -r org name role <<<"$spec"
    ca="$(orgvar "$org" CA_HOST):$(orgvar "$org" CA_PORT)"
    tls="$(ca_home "$org")/ca-cert.pem"
    msp="$GL_ORGS_DIR/$org/users/$name/msp"
    fabric-ca-client register -u "https://$ca" --caname "ca-$org" --tls.certfiles "$tls" -H "$(ca_home "$org")/client" \
      --id.name "$name" --id.secret "$XN_USER_SECRET" --id.type client \
      --id.attrs "$GL_ROLE_ATTRIBUTE=$role:ecert" || gl_log "$name is registered at ca-$org already"
    [[ -s $msp/signcerts/cert.pem ]] ||
      fabric-ca-client enroll -u "https://$name:$XN_USER_SECRET@$ca" --caname "ca-$org" --tls.certfiles "$tls" -M "$msp"
    sed "s#cacerts/ca.pem#cacerts/$(basename "$msp"/cacerts/*.pem)#" "$GL_ORGS_DIR/$org/msp/config.yaml" >"$msp/config.yaml"
  done
}
# end step

# step: roles
# The roles record, once: generated by gridctl with the contracts' own rules,
# written by an admin of a member org with registry InitRoles, endorsed by
# every org's peer. Later changes (SetRoles) need a majority of the members.
xn_roles() {
  local roles args targets orderer
  if as_org "$GL_MARKET_GRID_OPERATOR" peer chaincode query -C "$GL_CHANNEL" -n registry \
    -c '{"Args":["GetRoles"]}' >/dev/null 2>&1; then
    gl_log "market roles already configured (registry GetRoles)"
    return 0
  fi
  mapfile -t args < <(xn_role_args)
  roles=$(gridctl consortium roles "${args[@]}")
  mapfile -t orderer < <(xn_orderer)
  mapfile -t targets < <(xn_peer_targets)
  as_org "$GL_MARKET_GRID_OPERATOR" peer chaincode invoke "${orderer[@]}" -C "$GL_CHANNEL" -n registry \
    "${targets[@]}" --waitForEvent -c "$(jq -cn --arg r "$roles" '{Args: ["InitRoles", $r]}')"
  as_org "$GL_MARKET_GRID_OPERATOR" peer chaincode query -C "$GL_CHANNEL" -n registry -c '{"Args":["GetRoles"]}'
}
# end step

# step: smoke
# A prosumer registers a PV system through the Fabric Gateway (gridctl, each
# identity named explicitly); the grid operator's staff approve its connection.
xn_smoke() {
  local asset id prosumer operator
  id="pv-smoke-$(date +%s)"
  asset=$(jq -cn --arg id "$id" '{id: $id, kind: "pv", nameplateW: 5000, connectionPoint: "cp-smoke-1",
    location: {lat: "52.52", lon: "13.40"}, commissioned: "2024-03-01"}')
  prosumer=$(xn_identity "$GL_MARKET_PROSUMER" "$XN_SMOKE_PROSUMER")
  operator=$(xn_identity "$GL_MARKET_GRID_OPERATOR" "$XN_SMOKE_OPERATOR")
  # shellcheck disable=SC2086 # xn_identity prints options without spaces inside
  xn_gateway gridctl invoke $prosumer -n registry RegisterAsset "$asset" | jq -e '.status == "pending"'
  # shellcheck disable=SC2086
  xn_gateway gridctl invoke $operator -n registry ApproveConnection "$id" | jq -e '.status == "active"'
  # shellcheck disable=SC2086
  xn_gateway gridctl query $prosumer -n registry GetAsset "$id" | jq -e '.status == "active"'
}

# xn_gateway gridctl ARGS...: the call, again while the gateway has no
# endorsement plan: a new channel's gateways learn the other orgs' peers
# through gossip and discovery, some seconds after the peers joined (nothing
# was submitted then).
xn_gateway() {
  local try err="$XN_DIR/gateway.err"
  for try in $(seq 30); do
    "$@" 2>"$err" && return 0
    if ((try == 30)) || ! grep -q "no combination of peers" "$err"; then
      cat "$err" >&2
      return 1
    fi
    sleep 2
  done
}
# end step

# xn_identity ORG USER: gridctl's options for USER of ORG on ORG's peer.
xn_identity() {
  local org=$1 msp="$GL_ORGS_DIR/$1/users/$2/msp"
  echo "--peer $(orgvar "$org" PEER_HOST):$(orgvar "$org" PEER_PORT)" \
    "--tls-ca $GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem --msp-id $(orgvar "$org" MSPID)" \
    "--cert $msp/signcerts/cert.pem --key $(echo "$msp"/keystore/*_sk) -c $GL_CHANNEL"
}
