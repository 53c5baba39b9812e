#!/usr/bin/env bash
# Node configuration shared by every launcher (sourced by network.sh and the
# launchers, after common.sh): core.yaml, orderer and peer environments, Fabric
# CA environment, chaincode server environment. A launcher only decides where
# Fabric's sample core.yaml/orderer.yaml come from (gl_sample_config) and which
# external builders a peer has (gl_external_builders); every path written here
# is a run-dir path, and the Docker launcher mounts the run dir at the same path
# inside its containers, so one set of files serves both.
# shellcheck shell=bash

# render_core_yaml SRC DEST: Fabric's core.yaml with the launcher's external
# builders (gl_external_builders prints their YAML list items) and an empty
# vm.endpoint: a CCaaS peer never talks to Docker.
render_core_yaml() {
  local builders
  builders=$(gl_external_builders)
  awk -v builders="$builders" '
    /^[[:space:]]*endpoint: unix:\/\/.*docker\.sock/ { sub(/endpoint: .*/, "endpoint: \"\""); print; next }
    skipping {
      if ($0 ~ /^[[:space:]]*$/ || $0 ~ /^[[:space:]]*#/) next
      match($0, /^[[:space:]]*/)
      if (RLENGTH > indent || substr($0, RLENGTH + 1, 1) == "-") next
      skipping = 0
    }
    /^[[:space:]]*externalBuilders:/ {
      match($0, /^[[:space:]]*/); indent = RLENGTH; pad = substr($0, 1, indent)
      print pad "externalBuilders:"
      n = split(builders, lines, "\n")
      for (i = 1; i <= n; i++) print pad "  " lines[i]
      skipping = 1; next
    }
    { print }' "$1" >"$2"
  grep -q '^[[:space:]]*- name: ' <(sed -n '/externalBuilders:/,/installTimeout/p' "$2") ||
    gl_die "could not set externalBuilders in $2"
  if grep -q 'docker.sock' <(grep -E '^[[:space:]]*endpoint:' "$2"); then
    gl_die "could not empty vm.endpoint in $2"
  fi
}

# gl_render: stdin with every ${GL_*} replaced. Consortium definitions set
# plain shell variables: export them to envsubst (in a subshell), and let it
# replace only ${GL_*}, never another $ in the YAML.
gl_render() {
  (
    export "${!GL_@}"
    # shellcheck disable=SC2016 # the literal ${NAME} list is what envsubst wants
    envsubst "$(printf '${%s} ' "${!GL_@}")"
  )
}

# with_org ORG CONSENTER_ID CMD...: CMD with GL_O_* set to ORG's fields, the
# placeholders of the per-org configtx fragments (network/configtx-org*.in).
with_org() {
  local org=$1 id=$2
  shift 2
  # shellcheck disable=SC2034 # read by gl_render, which exports every GL_* to envsubst
  (
    GL_O_KEY=$org
    GL_O_MSPID=$(orgvar "$org" MSPID)
    GL_O_PEER_HOST=$(orgvar "$org" PEER_HOST)
    GL_O_PEER_PORT=$(orgvar "$org" PEER_PORT)
    GL_O_CONSENTER_ID=$id
    if [[ $GL_ORDERER_TYPE == bft && " $GL_BFT_ORGS " == *" $org "* ]]; then
      GL_O_ORDERER_HOST=$(orgvar "$org" ORDERER_HOST)
      GL_O_ORDERER_PORT=$(orgvar "$org" ORDERER_PORT)
    fi
    "$@"
  )
}

# splice MARKER FILE: stdin with the line "# @MARKER@" replaced by FILE.
splice() {
  awk -v m="# @$1@" -v f="$2" '
    { line = $0; sub(/^[[:space:]]+/, "", line) }
    line == m { while ((getline l < f) > 0) print l; close(f); next }
    { print }'
}

# The channel config: configtx.yaml.in (plus the BFT profile for a BFT
# channel: 2.5's configtxgen cannot parse it) with one section per peer org
# of the consortium definition, so no org is written out by hand.
render_configtx() {
  local dir="$GL_RUN/config/configtx" org id=2 app=() ord=()
  local files=("$GL_NETWORK/configtx.yaml.in")
  : >"$dir/peer-orgs.yaml"
  : >"$dir/consenters.yaml"
  for org in $GL_PEER_ORGS; do
    with_org "$org" 0 gl_render <"$GL_NETWORK/configtx-org.yaml.in" >>"$dir/peer-orgs.yaml"
    app+=("*$org")
  done
  if [[ $GL_ORDERER_TYPE == bft ]]; then
    files+=("$GL_NETWORK/configtx-bft.profile.in")
    # ID 1 is the orderer org's consenter (configtx-bft.profile.in).
    for org in $GL_BFT_ORGS; do
      with_org "$org" 0 gl_render <"$GL_NETWORK/configtx-org-orderer.yaml.in" >>"$dir/peer-orgs.yaml"
      with_org "$org" "$id" gl_render <"$GL_NETWORK/configtx-bft-consenter.yaml.in" >>"$dir/consenters.yaml"
      ord+=("*${org}_orderer")
      id=$((id + 1))
    done
  fi
  cat "${files[@]}" | splice peer-orgs "$dir/peer-orgs.yaml" | splice consenters "$dir/consenters.yaml" |
    GL_APP_ORGS=$(gl_join ', ' "${app[@]}") GL_BFT_ORDERER_ORGS=$(gl_join ', ' "${ord[@]}") gl_render \
      >"$dir/configtx.yaml"
}

# gl_join SEP WORD...: the words joined by SEP.
gl_join() {
  local sep=$1 out=""
  shift
  while (($#)); do
    out+="${out:+$sep}$1"
    shift
  done
  printf '%s' "$out"
}

# Channel config and the orderer's yaml (the orderer takes everything else
# from its environment, see orderer_env).
render_configs() {
  local node
  mkdir -p "$GL_RUN/config/configtx"
  render_configtx
  for node in $(gl_orderer_nodes); do
    mkdir -p "$GL_RUN/config/$node"
    gl_sample_config orderer.yaml "$GL_RUN/config/$node/orderer.yaml"
  done
}

# render_peer_config ORG: config/ORG/{core.yaml,env}, for any org whose
# GL_<ORG>_* variables exist (an org added later included).
render_peer_config() {
  local org=$1 dir="$GL_RUN/config/$1"
  mkdir -p "$dir" "$GL_RUN/data/peer-$org"
  if [[ ! -f $dir/core.yaml ]]; then
    gl_sample_config core.yaml "$dir/core.yaml.sample"
    render_core_yaml "$dir/core.yaml.sample" "$dir/core.yaml"
    rm -f "$dir/core.yaml.sample"
  fi
  peer_env_node "$org" >"$dir/env"
}

# orderer_env NODE: the environment of one orderer node (gl_orderer_nodes).
# Every orderer organization's TLS CA is trusted, so BFT consenters run by
# different companies can authenticate each other's cluster connections.
orderer_env() {
  local node=$1 org d data host roots
  org=$(orderer_org "$node")
  d="$GL_ORGS_DIR/$org/orderer0" data="$GL_RUN/data/$node"
  host=$(ordvar "$node" HOST)
  roots=$(gl_orderer_tls_roots)
  cat <<ENV
FABRIC_CFG_PATH=$GL_RUN/config/$node
ORDERER_GENERAL_LISTENADDRESS=$host
ORDERER_GENERAL_LISTENPORT=$(ordvar "$node" PORT)
ORDERER_GENERAL_LOCALMSPID=$(orgvar "$org" MSPID)
ORDERER_GENERAL_LOCALMSPDIR=$d/msp
ORDERER_GENERAL_TLS_ENABLED=true
ORDERER_GENERAL_TLS_PRIVATEKEY=$d/tls/server.key
ORDERER_GENERAL_TLS_CERTIFICATE=$d/tls/server.crt
ORDERER_GENERAL_TLS_ROOTCAS=[$roots]
ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=$d/tls/server.crt
ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=$d/tls/server.key
ORDERER_GENERAL_CLUSTER_ROOTCAS=[$roots]
ORDERER_GENERAL_BOOTSTRAPMETHOD=none
ORDERER_CHANNELPARTICIPATION_ENABLED=true
ORDERER_ADMIN_LISTENADDRESS=$host:$(ordvar "$node" ADMIN_PORT)
ORDERER_ADMIN_TLS_ENABLED=true
ORDERER_ADMIN_TLS_CERTIFICATE=$d/tls/server.crt
ORDERER_ADMIN_TLS_PRIVATEKEY=$d/tls/server.key
ORDERER_ADMIN_TLS_ROOTCAS=[$d/tls/ca.crt]
ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true
ORDERER_ADMIN_TLS_CLIENTROOTCAS=[$d/tls/ca.crt]
ORDERER_OPERATIONS_LISTENADDRESS=$host:$(ordvar "$node" OPS_PORT)
ORDERER_FILELEDGER_LOCATION=$data/ledger
ORDERER_CONSENSUS_WALDIR=$data/etcdraft/wal
ORDERER_CONSENSUS_SNAPDIR=$data/etcdraft/snapshot
ENV
}

# render_orderer_config NODE: config/NODE/env and the data dir.
render_orderer_config() {
  local node=${1:-orderer}
  mkdir -p "$GL_RUN/data/$node" "$GL_RUN/config/$node"
  orderer_env "$node" >"$GL_RUN/config/$node/env"
}

# Each peer hands its own TLS identity to the CCaaS builder as the client
# certificate for mutual TLS, plus the CA that issues chaincode server certs.
builder_config() { # org
  local d="$GL_ORGS_DIR/$1/peer0/tls"
  jq -cn --arg peer "peer0-$1" --rawfile cert "$d/server.crt" --rawfile key "$d/server.key" \
    --rawfile root "$(ca_home "$GL_LEAD_ORG")/ca-cert.pem" \
    '{peername: $peer, client_cert: $cert, client_key: $key, root_cert: $root}'
}

peer_env_node() { # org
  local org=$1 host d data
  host=$(orgvar "$org" PEER_HOST)
  d="$GL_ORGS_DIR/$org/peer0"
  data="$GL_RUN/data/peer-$org"
  cat <<ENV
FABRIC_CFG_PATH=$GL_RUN/config/$org
CORE_PEER_ID=peer0.$(orgvar "$org" DOMAIN)
CORE_PEER_LOCALMSPID=$(orgvar "$org" MSPID)
CORE_PEER_MSPCONFIGPATH=$d/msp
CORE_PEER_ADDRESS=$host:$(orgvar "$org" PEER_PORT)
CORE_PEER_LISTENADDRESS=$host:$(orgvar "$org" PEER_PORT)
CORE_PEER_CHAINCODEADDRESS=$host:$(orgvar "$org" PEER_CC_PORT)
CORE_PEER_CHAINCODELISTENADDRESS=$host:$(orgvar "$org" PEER_CC_PORT)
CORE_PEER_GOSSIP_BOOTSTRAP=$host:$(orgvar "$org" PEER_PORT)
CORE_PEER_GOSSIP_EXTERNALENDPOINT=$host:$(orgvar "$org" PEER_PORT)
CORE_PEER_TLS_ENABLED=true
CORE_PEER_TLS_CERT_FILE=$d/tls/server.crt
CORE_PEER_TLS_KEY_FILE=$d/tls/server.key
CORE_PEER_TLS_ROOTCERT_FILE=$d/tls/ca.crt
CORE_PEER_FILESYSTEMPATH=$data
CORE_LEDGER_SNAPSHOTS_ROOTDIR=$data/snapshots
CORE_OPERATIONS_LISTENADDRESS=$host:$(orgvar "$org" PEER_OPS_PORT)
CORE_CHAINCODE_EXECUTETIMEOUT=300s
CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG='$(builder_config "$org")'
ENV
  # How soon a peer that missed private data (down, partitioned) asks the
  # other members for it again; Fabric's default is a minute.
  [[ -z ${GL_PVTDATA_RECONCILE_INTERVAL:-} ]] ||
    echo "CORE_PEER_GOSSIP_PVTDATA_RECONCILESLEEPINTERVAL=$GL_PVTDATA_RECONCILE_INTERVAL"
}

# ca_server_args ORG: fabric-ca-server arguments, one per line.
ca_server_args() {
  local org=$1 home host
  home=$(ca_home "$org")
  host=$(orgvar "$org" CA_HOST)
  printf '%s\n' start -b "admin:$GL_CA_ADMIN_PW" --home "$home" --address "$host" \
    --port "$(orgvar "$org" CA_PORT)" --ca.name "ca-$org" --csr.cn "ca.$(orgvar "$org" DOMAIN)" \
    --csr.hosts "$(tls_hosts "$host")" --tls.enabled
}

# render_ca_config ORG: the CA home and its env file.
render_ca_config() {
  local org=$1 home
  home=$(ca_home "$org")
  mkdir -p "$home"
  printf 'FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS=%s:%s\n' \
    "$(orgvar "$org" CA_HOST)" "$(orgvar "$org" CA_OPS_PORT)" >"$home/env"
}

# wait_ca ORG: the CA is ready when its port is open and its root cert written.
wait_ca() {
  local org=$1 home
  home=$(ca_home "$org")
  wait_port "$(orgvar "$org" CA_HOST)" "$(orgvar "$org" CA_PORT)" 30 ||
    gl_die "ca-$org did not open its port (network.sh logs ca-$org)"
  for _ in $(seq 50); do
    [[ -s $home/ca-cert.pem ]] && return 0
    sleep 0.1
  done
  gl_die "ca-$org wrote no ca-cert.pem"
}
