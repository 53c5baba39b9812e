#!/usr/bin/env bash
# Builds the pinned Hyperledger Fabric and Fabric CA binaries from the Go module
# proxy into a versioned cache, so every launcher (native now, Docker later)
# and CI use the same binaries without any download outside the registries.
#
#   scripts/fabric-tools.sh [build]      build what is missing (default)
#   scripts/fabric-tools.sh ca           build only Fabric CA
#   scripts/fabric-tools.sh path         print the bin dir (for PATH)
#   scripts/fabric-tools.sh sampleconfig print Fabric's sampleconfig dir
#   scripts/fabric-tools.sh builder      print the CCaaS external builder dir
#   scripts/fabric-tools.sh status       show what is built
#
# FABRIC_VERSION (default 2.5.9-dev, see below) selects the Fabric build;
# FABRIC_CA_VERSION (default 1.5.21) the CA; GRIDLEDGER_CACHE (default
# ~/.cache/gridledger) the cache.
#
# Why 2.5.9-dev: the Go module proxy of this workplace answers 403 for every
# Fabric release we would pin (3.1.5, 3.1.4, 3.0.0, 2.5.14, 2.5.13). It does
# serve one commit on the release-2.5 branch, 7c3876255bf0 (2024-06-18, its
# Makefile says FABRIC_VER 2.5.9: a development snapshot between 2.5.8 and
# 2.5.9), so that is what we build and run, under its honest name.
#
# A version with a committed build module, scripts/fabric-build/<version>/
# {go.mod,go.sum}, is built from it with -mod=readonly: go.sum verifies every
# download, so no checksum-database lookup is needed (the sumdb has no record
# of the 2.5.9-dev commit). Other known versions get a generated module and
# fail with a clear message when the proxy refuses them.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly FABRIC_VERSION="${FABRIC_VERSION:-2.5.9-dev}"
readonly FABRIC_CA_VERSION="${FABRIC_CA_VERSION:-1.5.21}"
readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}"
readonly FABRIC_DIR="$CACHE/fabric/$FABRIC_VERSION"
readonly BIN_DIR="$FABRIC_DIR/bin"
readonly CA_DIR="$CACHE/fabric-ca/$FABRIC_CA_VERSION"
readonly FABRIC_MODULE="github.com/hyperledger/fabric"
readonly CA_MODULE="github.com/hyperledger/fabric-ca"
readonly FABRIC_CMDS=(peer orderer configtxgen configtxlator cryptogen osnadmin discover)
# Committed build module for FABRIC_VERSION, if any (go.mod + go.sum).
readonly PINNED_DIR="$SCRIPT_DIR/fabric-build/$FABRIC_VERSION"

# Fabric's module path has no /v2 or /v3 suffix, so its release tags are not
# valid Go module versions; each release is reached by the pseudo-version of
# its tagged commit (see shared reference fabric-versions.md).
pseudo_version() {
  case "$1" in
    2.5.9-dev) echo "v0.0.0-20240618194258-7c3876255bf0" ;;
    3.1.5) echo "v1.4.0-rc1.0.20260618074816-86c1172bec37" ;;
    3.1.4) echo "v1.4.0-rc1.0.20260223074757-57f91e9b60bc" ;;
    3.0.0) echo "v1.4.0-rc1.0.20240918034325-94590aa4332b" ;;
    2.5.14) echo "v1.4.0-rc1.0.20251012211716-24767bad4dda" ;;
    2.5.13) echo "v1.4.0-rc1.0.20250429034740-0fcc97e57d34" ;;
    *)
      echo "fabric-tools: unknown FABRIC_VERSION '$1' (known: 2.5.9-dev 3.1.5 3.1.4 3.0.0 2.5.14 2.5.13)" >&2
      return 1
      ;;
  esac
}

log() { printf 'fabric-tools: %s\n' "$*" >&2; }

# A stamp records what was built with which toolchain; a changed Go version or
# pseudo-version means rebuild, anything else means skip.
stamp_content() { printf '%s %s\n' "$1" "$(go env GOVERSION)"; }

is_built() { # stamp-file expected-content
  [[ -f $1 && "$(cat "$1")" == "$2" ]]
}

build_ca() {
  local stamp="$CA_DIR/.stamp" want
  want=$(stamp_content "v$FABRIC_CA_VERSION")
  if is_built "$stamp" "$want"; then
    log "fabric-ca $FABRIC_CA_VERSION already built"
  else
    log "building fabric-ca v$FABRIC_CA_VERSION (cgo, sqlite)"
    local start=$SECONDS
    mkdir -p "$CA_DIR/bin"
    # cgo stays on: the CA's sqlite driver needs it.
    CGO_ENABLED=1 build_tools "$CA_DIR" "$CA_MODULE" "v$FABRIC_CA_VERSION" \
      "-X $CA_MODULE/lib/metadata.Version=$FABRIC_CA_VERSION" \
      "$CA_MODULE/cmd/fabric-ca-server" "$CA_MODULE/cmd/fabric-ca-client"
    echo "$want" >"$stamp"
    log "fabric-ca built in $((SECONDS - start))s"
  fi
  mkdir -p "$BIN_DIR"
  # One PATH entry is enough for users: link the CA next to the Fabric tools.
  ln -sf "$CA_DIR/bin/fabric-ca-server" "$BIN_DIR/fabric-ca-server"
  ln -sf "$CA_DIR/bin/fabric-ca-client" "$BIN_DIR/fabric-ca-client"
}

# `go install pkg@version` asks the proxy for the module's version list (to
# report deprecations), which the registry here refuses; a throw-away module
# that requires the exact version and lists the commands as tools builds the
# same binaries without that query.
build_tools() { # dir module version ldflags pkg...
  local dir=$1 module=$2 version=$3 ldflags=$4
  shift 4
  local src="$dir/src" pkg
  rm -rf "$src"
  mkdir -p "$src" "$dir/bin"
  {
    echo "module gridledger.local/tools"
    echo
    echo "go 1.25.0"
    echo
    echo "require $module $version"
    echo
    for pkg in "$@"; do echo "tool $pkg"; done
  } >"$src/go.mod"
  (
    cd "$src"
    go mod tidy
    go build -trimpath -ldflags "$ldflags" -o "$dir/bin/" "$@"
  )
}

# build_pinned DIR LDFLAGS PKG...: build from the committed go.mod/go.sum.
# -mod=readonly refuses any change to them, so what CI builds is exactly what
# was committed; the go.sum hashes stand in for the checksum database.
build_pinned() {
  local dir=$1 ldflags=$2
  shift 2
  local src="$dir/src"
  rm -rf "$src"
  mkdir -p "$src" "$dir/bin"
  cp "$PINNED_DIR/go.mod" "$PINNED_DIR/go.sum" "$src/"
  (
    cd "$src"
    go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$dir/bin/" "$@"
  )
}

explain_refusal() {
  log "the Go module proxy refused $FABRIC_MODULE@$1."
  log "the module proxy here refuses this version, so Fabric $FABRIC_VERSION cannot be built on this machine;"
  log "the default FABRIC_VERSION=2.5.9-dev builds (see network/README.md, Fabric versions)."
}

build_fabric() {
  local pv stamp="$FABRIC_DIR/.stamp" want
  pv=$(pseudo_version "$FABRIC_VERSION")
  want=$(stamp_content "$pv")
  # A changed committed go.sum (say, a dependency bump) also means rebuild.
  if [[ -f $PINNED_DIR/go.sum ]]; then want="$want $(sha256sum <"$PINNED_DIR/go.sum" | cut -c1-16)"; fi
  if is_built "$stamp" "$want"; then
    log "fabric $FABRIC_VERSION already built"
    return 0
  fi
  log "building fabric $FABRIC_VERSION ($pv): ${FABRIC_CMDS[*]}"
  local start=$SECONDS pkgs=() cmd
  for cmd in "${FABRIC_CMDS[@]}"; do pkgs+=("$FABRIC_MODULE/cmd/$cmd"); done
  # Static binaries (no cgo) also run in a FROM-scratch image for the later
  # Docker launcher; the version stamp makes `peer version` report the release.
  local ldflags="-X $FABRIC_MODULE/common/metadata.Version=$FABRIC_VERSION"
  ldflags+=" -X $FABRIC_MODULE/common/metadata.CommitSHA=${pv##*-}"
  if [[ -f $PINNED_DIR/go.mod ]]; then
    CGO_ENABLED=0 build_pinned "$FABRIC_DIR" "$ldflags" "${pkgs[@]}"
  elif ! CGO_ENABLED=0 build_tools "$FABRIC_DIR" "$FABRIC_MODULE" "$pv" "$ldflags" "${pkgs[@]}"; then
    explain_refusal "$pv"
    return 1
  fi
  echo "$want" >"$stamp"
  log "fabric built in $((SECONDS - start))s"
}

# Fabric's sampleconfig (core.yaml, orderer.yaml, configtx.yaml) ships in the
# module; the network scripts transform copies of it at run time.
sampleconfig_dir() {
  local pv dir
  pv=$(pseudo_version "$FABRIC_VERSION")
  if [[ -f $PINNED_DIR/go.mod ]]; then
    # Inside the committed module, go.sum verifies the download (no sumdb).
    dir=$(cd "$PINNED_DIR" && go mod download -json "$FABRIC_MODULE" | jq -r '.Dir // empty')
  else
    dir=$(go mod download -json "$FABRIC_MODULE@$pv" | jq -r '.Dir // empty')
  fi
  if [[ -z $dir || ! -f $dir/sampleconfig/core.yaml ]]; then
    explain_refusal "$pv"
    return 1
  fi
  echo "$dir/sampleconfig"
}

status() {
  local f
  for f in "${FABRIC_CMDS[@]}" fabric-ca-server fabric-ca-client; do
    if [[ -x $BIN_DIR/$f ]]; then echo "built    $f"; else echo "missing  $f"; fi
  done
  echo "builder  $SCRIPT_DIR/ccaas-builder"
}

main() {
  local verb="${1:-build}"
  case "$verb" in
    build)
      build_ca
      build_fabric
      sampleconfig_dir >/dev/null
      echo "$BIN_DIR"
      ;;
    ca) build_ca && echo "$BIN_DIR" ;;
    path) echo "$BIN_DIR" ;;
    sampleconfig) sampleconfig_dir ;;
    builder) echo "$SCRIPT_DIR/ccaas-builder" ;;
    status) status ;;
    *)
      echo "usage: $0 [build|ca|path|sampleconfig|builder|status]" >&2
      return 2
      ;;
  esac
}

main "$@"
