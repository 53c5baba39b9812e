#!/usr/bin/env bash
# Chaincode as a service on the running consortium (sourced by network.sh):
# deterministic packages (gridctl package), the lifecycle (install, approve, commit) and the
# chaincode servers, which the launcher starts (gl_launch_chaincode).
# shellcheck shell=bash

deploy_usage() {
  cat >&2 <<'USAGE'
network.sh deploy --name NAME --cmd "SERVER COMMAND" [options]
  --label LABEL          package label (default NAME_VERSION)
  --version V            chaincode version (default 1.0)
  --sequence N           definition sequence (default 1)
  --policy EXPR          --signature-policy, e.g. "OR('Org1MSP.peer','Org2MSP.peer')"
                         (default: the channel's MAJORITY Endorsement)
  --collections FILE     private data collections config JSON
  --port PORT            chaincode server port (default GL_CC_PORT, 9999)
  --no-mtls              TLS without client authentication
  --no-tls               plaintext chaincode connection
  --serve-only           package and start the server, skip the lifecycle
                         (needs only `identities`; for probing a chaincode)
  --classic              peer-launched chaincode: the package names the program
                         (--cmd, one absolute path) and each peer runs it through
                         network/builders/exec; no server is started here
USAGE
}

# The package is gridctl's (`gridctl package`, crate gridledger-client):
# reproducible, so the same inputs always give the same package id. A CCaaS
# package's connection.json holds only the address, flags and {{.}}
# placeholders that our builder fills per peer; certificates stay out of it,
# so its id does not change when a network is recreated with new CAs. A
# classic package names a program on this machine (exec.json); the peers'
# exec builder runs it. The path is part of the package, so its id changes
# only when the path does, not when the program is rebuilt.
cc_package() { # classic file label program-or-address tls mtls -> writes file, prints the package id
  local classic=$1 file=$2 label=$3 flags
  if [[ $classic == true ]]; then
    flags=(--exec "$4")
  else
    flags=(--address "$4")
    [[ $5 != true ]] || flags+=(--tls)
    [[ $6 != true ]] || flags+=(--client-auth)
  fi
  gridctl package --label "$label" "${flags[@]}" -o "$file" || gl_die "gridctl package failed for $label"
}

deploy() {
  local name="" cmd="" label="" version=1.0 sequence=1 policy="" collections="" port=$GL_CC_PORT
  local tls=true mtls=true serve_only=false classic=false
  while (($#)); do
    case "$1" in
      --name) name=$2 && shift 2 ;;
      --cmd) cmd=$2 && shift 2 ;;
      --label) label=$2 && shift 2 ;;
      --version) version=$2 && shift 2 ;;
      --sequence) sequence=$2 && shift 2 ;;
      --policy) policy=$2 && shift 2 ;;
      --collections) collections=$2 && shift 2 ;;
      --port) port=$2 && shift 2 ;;
      --no-mtls) mtls=false && shift ;;
      --no-tls) tls=false mtls=false && shift ;;
      --serve-only) serve_only=true && shift ;;
      --classic) classic=true && shift ;;
      -h | --help) deploy_usage && return 0 ;;
      *) deploy_usage && gl_die "unknown deploy option $1" ;;
    esac
  done
  [[ -n $name && -n $cmd ]] || {
    deploy_usage
    gl_die "--name and --cmd are required"
  }
  label=${label:-${name}_$version}
  if [[ $serve_only == true ]]; then
    [[ -d $GL_ORGS_DIR/$GL_LEAD_ORG/msp ]] || gl_die "no identities: run 'network.sh identities' or 'up'"
    gl_use_fabric fabric-ca-client
  else
    [[ -f $GL_RUN/.up ]] || gl_die "network is not up"
    gl_use_fabric peer fabric-ca-client
  fi
  local start=$SECONDS dir="$GL_RUN/chaincode/$name" pkg id org
  mkdir -p "$dir"
  pkg="$dir/$label.tar.gz"
  if [[ $classic == true ]]; then
    [[ $cmd == /* && -x $cmd ]] || gl_die "--classic needs --cmd /absolute/path/to/program"
    cc_package true "$pkg" "$label" "$cmd" >"$dir/package-id"
  else
    cc_package false "$pkg" "$label" "$GL_CC_HOST:$port" "$tls" "$mtls" >"$dir/package-id"
  fi
  id=$(<"$dir/package-id")
  gl_log "package $pkg id $id"
  if [[ $serve_only == true ]]; then
    start_chaincode "$name" "$id" "$cmd" "$port" "$tls" "$mtls"
    return 0
  fi

  local opts=(--channelID "$GL_CHANNEL" --name "$name" --version "$version" --sequence "$sequence")
  [[ -z $policy ]] || opts+=(--signature-policy "$policy")
  [[ -z $collections ]] || opts+=(--collections-config "$collections")
  local orderer=(-o "$GL_ORDERER_HOST:$GL_ORDERER_PORT" --tls --cafile "$GL_ORGS_DIR/orderer/msp/tlscacerts/ca.pem")
  for org in $GL_PEER_ORGS; do
    if ! as_org "$org" peer lifecycle chaincode queryinstalled --output json 2>/dev/null |
      jq -e --arg id "$id" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
      as_org "$org" peer lifecycle chaincode install "$pkg" >>"$GL_RUN/logs/tools.log" 2>&1 ||
        gl_die "install on peer-$org failed (logs/tools.log)"
    fi
  done
  for org in $GL_PEER_ORGS; do
    approve "$org" "$id" "$name" "$sequence" "${orderer[@]}" "${opts[@]}"
  done
  local targets
  mapfile -t targets < <(all_peer_targets)
  as_org "$GL_LEAD_ORG" peer lifecycle chaincode commit "${orderer[@]}" "${opts[@]}" "${targets[@]}" \
    >>"$GL_RUN/logs/tools.log" 2>&1 || gl_die "commit failed (logs/tools.log)"
  gl_log "lifecycle done in $((SECONDS - start))s"
  if [[ $classic == true ]]; then
    gl_log "chaincode $name is peer-launched; each peer starts it on first use"
    return 0
  fi
  start_chaincode "$name" "$id" "$cmd" "$port" "$tls" "$mtls"
}

# Approves a definition for one org. Right after 'up' the orderer may still be
# electing its Raft leader and refuse the first transaction, so this retries a
# few times; it asks queryapproved first, because approving the same definition
# twice is an error once an earlier attempt has gone through.
approve() { # org package-id name sequence orderer-and-lifecycle-args...
  local org=$1 id=$2 name=$3 sequence=$4 attempt approved
  shift 4
  for attempt in 1 2 3 4 5; do
    approved=$(as_org "$org" peer lifecycle chaincode queryapproved --channelID "$GL_CHANNEL" --name "$name" \
      --sequence "$sequence" --output json 2>/dev/null | jq -r '.source.Type.LocalPackage.package_id // empty') || true
    [[ $approved != "$id" ]] || return 0
    if as_org "$org" peer lifecycle chaincode approveformyorg "$@" --package-id "$id" --waitForEvent \
      >>"$GL_RUN/logs/tools.log" 2>&1; then
      return 0
    fi
    gl_log "approve by $org: attempt $attempt failed; retrying"
    sleep 2
  done
  gl_die "approve by $org failed (logs/tools.log)"
}

# Starts the chaincode server with the fabric-samples CCaaS environment, which
# the Rust shim reads as well.
start_chaincode() { # name id cmd port tls mtls
  local name=$1 id=$2 cmd=$3 port=$4 dir="$GL_RUN/chaincode/$1" org argv
  # The command is a command line (program plus arguments). A relative program
  # is the caller's: make it absolute once, here, so that serve-args (cc-start)
  # runs the same program from any directory.
  read -r -a argv <<<"$cmd"
  if [[ ${argv[0]} == */* && ${argv[0]} != /* ]]; then
    argv[0]="$PWD/${argv[0]}"
    cmd="${argv[*]}"
  fi
  gl_stop_node "cc-$name"
  {
    echo "CHAINCODE_ID=$id"
    echo "CORE_CHAINCODE_ID_NAME=$id"
    # The peers dial GL_CC_HOST; the server binds GL_CC_LISTEN_HOST when the
    # host is a name (the shim takes an ip:port; multihost.env).
    echo "CHAINCODE_SERVER_ADDRESS=${GL_CC_LISTEN_HOST:-$GL_CC_HOST}:$port"
    echo "CORE_PEER_TLS_ENABLED=$5"
    # GL_CC_LOG: the servers' RUST_LOG (e2e.sh turns on the shim's per-transaction wire counters).
    [[ -z ${GL_CC_LOG:-} ]] || echo "RUST_LOG=$GL_CC_LOG"
    if [[ $5 == true ]]; then
      issue_chaincode_tls "$name" "$dir"
      echo "CHAINCODE_TLS_DISABLED=false"
      echo "CHAINCODE_TLS_CERT=$dir/tls/server.crt"
      echo "CHAINCODE_TLS_KEY=$dir/tls/server.key"
    else
      echo "CHAINCODE_TLS_DISABLED=true"
    fi
    if [[ $6 == true ]]; then
      # Each peer presents its own TLS certificate, so trust every org's CA.
      for org in $GL_PEER_ORGS; do cat "$GL_ORGS_DIR/$org/msp/tlscacerts/ca.pem"; done >"$dir/tls/client-ca.crt"
      echo "CHAINCODE_CLIENT_CA_CERT=$dir/tls/client-ca.crt"
    fi
  } >"$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
  # Remember how, so cc-start can bring the server back after a crash.
  printf '%s\n' "$id" "$cmd" "$port" "$5" "$6" >"$dir/serve-args"
  gl_launch_chaincode "$name" "$cmd" "$port"
  gl_log "chaincode $name serving on $GL_CC_HOST:$port ($GL_LAUNCHER)"
}

# The energy contracts as CCaaS over mutual TLS, each on its own port below
# kv's and kvgo's, with the channel's default endorsement (MAJORITY, 2 of 3):
# the market keeps running when one org's peer is down, and no single org can
# write alone. metering gets the meterReadings collection of every member org,
# generated for the consortium by gridctl (for ours it equals
# network/collections-energy.json, gridctl's golden test). certificates and
# flexibility after trade: they call the other three (and read readings through
# metering, so their endorsers must be collection members: every member org is);
# trade accepts flexibility's settlement postings only from a proposal named
# `flexibility`, so that name is fixed.
# The Docker launcher runs each program by name from GL_CC_IMAGE.
deploy_energy() {
  local port=$((GL_CC_PORT - 2)) name opts roles collections="$GL_RUN/chaincode/metering-collections.json"
  mkdir -p "$GL_RUN/chaincode"
  mapfile -t roles < <(xn_role_args)
  gridctl consortium collections "${roles[@]}" >"$collections" || gl_die "gridctl consortium collections failed"
  for name in registry metering trade certificates flexibility; do
    opts=(--name "$name" --cmd "$("$GL_SCRIPTS/build-chaincodes.sh" path "$name-cc")" --port "$port")
    [[ $name != metering ]] || opts+=(--collections "$collections")
    deploy "${opts[@]}"
    port=$((port - 1))
  done
  init_roles
}

# The market roles record (registry InitRoles, once; DESIGN.md "Organizations
# and roles"), as the guide writes it (scripts/lib/existing-network.sh, step
# roles): GL_MARKET_GRID_OPERATOR operates every connection point,
# GL_MARKET_SUPPLIER supplies everyone, every other peer org is a member.
init_roles() {
  xn_roles >>"$GL_RUN/logs/tools.log" 2>&1 || gl_die "writing the market roles record failed (logs/tools.log)"
  gl_log "market roles: $(as_org "$GL_MARKET_GRID_OPERATOR" peer chaincode query -C "$GL_CHANNEL" -n registry \
    -c '{"Args":["GetRoles"]}')"
}

cc_stop() { # name [--kill]
  local name=${1:?usage: network.sh cc-stop NAME [--kill]}
  # --kill: a crash, not a shutdown: no chance to say goodbye to the peer.
  gl_stop_node "cc-$name" "${2:-}"
  gl_log "chaincode server cc-$name stopped"
}

cc_start() { # name
  local name=${1:?usage: network.sh cc-start NAME} args
  [[ -f $GL_RUN/chaincode/$name/serve-args ]] || gl_die "chaincode $name was not deployed as a service here"
  mapfile -t args <"$GL_RUN/chaincode/$name/serve-args"
  gl_use_fabric fabric-ca-client
  start_chaincode "$name" "${args[@]}"
}
