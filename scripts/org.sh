#!/usr/bin/env bash
# Consortium administration on the running network: onboard an organization,
# remove one, revoke an identity. Each step is a command a different person
# runs, and they exchange proposal directories (see network/ONBOARDING.md).
#
#   org.sh create ORG                      new org: its CA, identities, org definition (network/orgs/ORG.env)
#   org.sh user ORG NAME ROLE              one more client identity from ORG's CA (role attribute GL_ROLE_ATTRIBUTE)
#   org.sh propose add ORG [--as A] [--out DIR] [--msp-dir D]  config update adding ORG (its MSP dir); prints DIR
#   org.sh propose remove ORG [--as A] [--out DIR]  config update removing ORG from the channel
#   org.sh revoke ORG USER [--out DIR]     revoke USER at ORG's CA, propose ORG's new CRL
#   org.sh sign DIR --as ORG [--user U]    add ORG admin's signature (only ORG's own MSP is used)
#   org.sh members [--as ORG]              the channel's member org MSP ids, one per line
#   org.sh show DIR [--as ORG]             what DIR changes, who signed, what its policies still need
#   org.sh submit DIR [--as ORG] [--force] verify signatures and policies, refuse stale updates, send
#   org.sh join ORG                        start ORG's peer, join the channel, set its anchor peer
#   org.sh chaincodes ORG                  install + approve every committed chaincode for ORG, and
#                                          prepare next-sequence definitions where ORG must be added
#   org.sh cc-approve DIR --as ORG         approve a prepared chaincode definition
#   org.sh cc-commit DIR [--as ORG]        commit it once a majority approved
#   org.sh cc-drop ORG [--as A]            after ORG was removed: next-sequence definitions without it
#   org.sh leave ORG [--purge]             stop ORG's nodes here (--purge: and delete its CA, identities, ledger)
# Proposals go to $GRIDLEDGER_RUN/proposals/ unless --out says otherwise.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=SCRIPTDIR/lib/identities.sh
source "$GL_SCRIPTS/lib/identities.sh"
# shellcheck source=SCRIPTDIR/lib/org-config.sh
source "$GL_SCRIPTS/lib/org-config.sh"
# shellcheck source=SCRIPTDIR/lib/org-node.sh
source "$GL_SCRIPTS/lib/org-node.sh"
# shellcheck source=SCRIPTDIR/lib/org-chaincode.sh
source "$GL_SCRIPTS/lib/org-chaincode.sh"

usage() {
  sed -n '2,22p' "$0" >&2
  exit 2
}

founding_org() { [[ " orderer $GL_FOUNDING_ORGS " == *" $1 "* ]]; }

require_org_defined() {
  local name="GL_${1^^}_MSPID"
  [[ -n ${!name:-} ]] || gl_die "unknown org '$1': no $name ($GL_CONSORTIUM or network/orgs/$1.env)"
}

proposal_dir() { # default-name out
  local dir=${2:-$GL_RUN/proposals/$1-$(date +%Y%m%dT%H%M%S)}
  [[ ! -e $dir/proposal.json ]] || gl_die "$dir already holds a proposal"
  echo "$dir"
}

# --- the new org's side -------------------------------------------------------

# The org definition comes from configtxgen -printOrg, as for the founding orgs
# (same policies as network/configtx.yaml.in). Anchor peers are set later by
# the org itself (join), once its peer runs.
org_configtx() { # org
  local msp
  msp=$(orgvar "$1" MSPID)
  cat <<YAML
Organizations:
  - Name: $msp
    ID: $msp
    MSPDir: $GL_ORGS_DIR/$1/msp
    Policies:
      Readers: {Type: Signature, Rule: "OR('$msp.admin', '$msp.peer', '$msp.client')"}
      Writers: {Type: Signature, Rule: "OR('$msp.admin', '$msp.client')"}
      Admins: {Type: Signature, Rule: "OR('$msp.admin')"}
      Endorsement: {Type: Signature, Rule: "OR('$msp.peer')"}
YAML
}

create() {
  local org=${1:?usage: org.sh create ORG} dir
  require_org_defined "$org"
  founding_org "$org" && gl_die "$org is a founding org of this consortium"
  gl_use_fabric fabric-ca-server fabric-ca-client configtxgen
  mkdir -p "$GL_RUN/logs"
  launch_ca "$org"
  # An org that left keeps its CA, identities and ledger here: coming back, it
  # keeps them (a revoked user stays revoked: its CRL is in msp/crls).
  if [[ -f $GL_ORGS_DIR/$org/peer0/tls/server.crt ]]; then
    gl_log "$org: identities exist; kept"
  else
    issue_org_identities "$org"
  fi
  dir="$GL_RUN/config/configtx-$org"
  mkdir -p "$dir"
  org_configtx "$org" >"$dir/configtx.yaml"
  FABRIC_CFG_PATH=$dir configtxgen -printOrg "$(orgvar "$org" MSPID)" >"$GL_ORGS_DIR/$org/definition.json" \
    2>>"$ORG_LOG" || gl_die "configtxgen -printOrg failed (logs/org.log)"
  gl_log "$org: CA up, identities issued; org definition $GL_ORGS_DIR/$org/definition.json"
}

# user ORG NAME ROLE: one more client identity of ORG (role attribute GL_ROLE_ATTRIBUTE),
# issued by ORG's own CA to users/NAME.
user() {
  local org=${1:-} name=${2:-} role=${3:-} pw="${GL_NODE_PW:-nodepw}"
  [[ -n $org && -n $name && -n $role ]] || gl_die "usage: org.sh user ORG NAME ROLE"
  require_org_defined "$org"
  [[ $name =~ ^[A-Za-z0-9._-]+$ && $name != admin ]] || gl_die "bad user name '$name'"
  [[ ! -d $GL_ORGS_DIR/$org/users/$name ]] || gl_die "$org already has a user $name"
  gl_use_fabric fabric-ca-client
  enroll_ca_admin "$org"
  ca_client "$org" register --id.name "$name" --id.secret "$pw" --id.type client \
    --id.attrs "$GL_ROLE_ATTRIBUTE=$role:ecert" >>"$ORG_LOG" 2>&1 || gl_die "ca-$org refused to register $name (logs/org.log)"
  enroll_msp "$org" "$name" "$pw" "$GL_ORGS_DIR/$org/users/$name"
  gl_log "$org: user $name ($role) in $GL_ORGS_DIR/$org/users/$name"
}

# --- proposals -----------------------------------------------------------------

propose() {
  local kind=${1:-} org=${2:-} as=$GL_LEAD_ORG out="" msp_dir="" msp dir
  shift 2 || usage
  while (($#)); do
    case "$1" in
      --as) as=$2 && shift 2 ;;
      --out) out=$2 && shift 2 ;;
      --msp-dir) msp_dir=$2 && shift 2 ;;
      *) gl_die "propose: unknown option $1" ;;
    esac
  done
  require_org_defined "$org"
  msp=$(orgvar "$org" MSPID)
  case "$kind" in
    add)
      founding_org "$org" && gl_die "the name $org is already taken by a founding org"
      msp_dir=${msp_dir:-$GL_ORGS_DIR/$org/msp}
      [[ -d $msp_dir/cacerts ]] || gl_die "no MSP directory $msp_dir: the new org runs 'org.sh create $org' and sends it"
      dir=$(proposal_dir "$kind-$org" "$out")
      # Anchor peers are set later by the org itself (join), once its peer runs.
      propose_update "$dir" "$kind" "$org" "$msp" "$as" \
        "$kind $msp ($kind of an application org: MAJORITY of member org admins)" add "$msp" --msp-dir "$msp_dir"
      ;;
    remove)
      founding_org "$org" && gl_log "note: $org is a founding org; its nodes here keep running until stopped"
      dir=$(proposal_dir "$kind-$org" "$out")
      propose_update "$dir" "$kind" "$org" "$msp" "$as" \
        "$kind $msp ($kind of an application org: MAJORITY of member org admins)" remove "$msp"
      ;;
    *) usage ;;
  esac
  gl_log "proposal $dir: $kind $msp; now each admin runs 'org.sh sign $dir --as ORG'"
  echo "$dir"
}

# revoke ORG USER: the CA revokes USER's certificates, and ORG's MSP in the
# channel config gets the new CRL; that value's mod_policy is ORG's own Admins,
# so ORG's admin signs alone.
revoke() {
  local org=${1:-} user=${2:-} out="" msp dir id
  [[ -n $org && -n $user ]] || gl_die "usage: org.sh revoke ORG USER [--out DIR]"
  [[ ${3:-} != --out ]] || out=${4:?--out DIR}
  require_org_defined "$org"
  [[ -d $GL_ORGS_DIR/$org/users/$user ]] || gl_die "$org has no user $user here"
  msp=$(orgvar "$org" MSPID)
  gl_use_fabric fabric-ca-client
  id=$user
  [[ $user != admin ]] || id=admin-user
  revoke_identity "$org" "$id"
  dir=$(proposal_dir "revoke-$org-$user" "$out")
  propose_update "$dir" revoke "$org" "$msp" "$org" "new CRL for $msp revoking $user ($msp's own admin signs)" \
    crl "$msp" --crl "$GL_ORGS_DIR/$org/msp/crls/crl.pem"
  gl_log "proposal $dir: CRL of $msp; now 'org.sh sign $dir --as $org' and 'org.sh submit $dir'"
  echo "$dir"
}

sign() {
  local dir=${1:-} as="" user=admin ids
  shift || usage
  while (($#)); do
    case "$1" in
      --as) as=$2 && shift 2 ;;
      --user) user=$2 && shift 2 ;;
      *) gl_die "sign: unknown option $1" ;;
    esac
  done
  [[ -n $as ]] || gl_die "usage: org.sh sign DIR --as ORG [--user USER]"
  require_proposal "$dir"
  mapfile -t ids < <(signer_args "$as" "$user")
  gridctl org sign "$dir/envelope.pb" "${ids[@]}" >>"$ORG_LOG" 2>&1 || gl_die "signing as $as/$user failed (logs/org.log)"
  gl_log "signed $dir as $as/$user"
}

# show DIR [--as ORG]: what DIR changes, each signature's verdict, what the policies still need.
show() {
  local dir=${1:?usage: org.sh show DIR [--as ORG]} as=$GL_LEAD_ORG src
  [[ ${2:-} != --as ]] || as=${3:?--as ORG}
  require_proposal "$dir"
  jq -r '.summary' "$dir/proposal.json"
  mapfile -t src < <(source_args "$as")
  gridctl org show "$dir/envelope.pb" "${src[@]}"
}

# submit DIR [--as ORG] [--force]: gridctl checks every signature against the
# channel's MSPs and the policies the update needs, then sends it as ORG's
# admin (--force: sends anyway, to see the orderer refuse it).
submit() {
  local dir=${1:-} as=$GL_LEAD_ORG force=() src out
  shift || usage
  while (($#)); do
    case "$1" in
      --as) as=$2 && shift 2 ;;
      --force) force=(--force) && shift ;;
      *) gl_die "submit: unknown option $1" ;;
    esac
  done
  require_proposal "$dir"
  mapfile -t src < <(source_args "$as")
  if ! out=$(gridctl org submit "$dir/envelope.pb" "${src[@]}" "${force[@]}" 2>&1); then
    printf '%s\n' "$out" >>"$ORG_LOG"
    gl_log "REFUSED: $dir"
    printf '%s\n' "$out" | sed 's/^/  /' >&2
    exit 1
  fi
  printf '%s\n' "$out" >>"$ORG_LOG"
  gl_log "submitted $dir: $(proposal_field "$dir" summary)"
}

members() {
  local as=$GL_LEAD_ORG src
  [[ ${1:-} != --as ]] || as=${2:?--as ORG}
  mapfile -t src < <(source_args "$as")
  gridctl org members "${src[@]}" 2>>"$ORG_LOG" || gl_die "reading the $GL_CHANNEL config as $as admin failed (logs/org.log)"
}

main() {
  local verb=${1:-}
  shift || true
  mkdir -p "$GL_RUN/logs"
  case "$verb" in
    create) create "$@" ;;
    user) user "$@" ;;
    propose) propose "$@" ;;
    revoke) revoke "$@" ;;
    sign) sign "$@" ;;
    show) show "$@" ;;
    members) members "$@" ;;
    submit) submit "$@" ;;
    join) join "$@" ;;
    chaincodes) chaincodes "$@" ;;
    cc-approve) cc_approve "$@" ;;
    cc-commit) cc_commit "$@" ;;
    cc-drop) cc_drop "$@" ;;
    leave) leave "$@" ;;
    *) usage ;;
  esac
}

main "$@"
