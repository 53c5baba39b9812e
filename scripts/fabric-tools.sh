#!/usr/bin/env bash
# Builds the pinned Hyperledger Fabric and Fabric CA binaries into a versioned
# cache, so every launcher (native, Docker) and CI use the same binaries
# without any download outside the package registries.
#
#   scripts/fabric-tools.sh [build]      build what is missing (default)
#   scripts/fabric-tools.sh ca           build only Fabric CA
#   scripts/fabric-tools.sh path         print the bin dir (for PATH)
#   scripts/fabric-tools.sh sampleconfig print Fabric's sampleconfig dir
#   scripts/fabric-tools.sh builder      print the CCaaS external builder dir
#   scripts/fabric-tools.sh status       show what is built
#
# FABRIC_VERSION (default 3.1.5; 2.5.16 is the LTS we test) selects the Fabric
# build; FABRIC_CA_VERSION (default 1.5.21) the CA; GRIDLEDGER_CACHE (default
# ~/.cache/gridledger) the cache.
#
# Where Fabric comes from, first match wins:
# 1. FABRIC_SOURCE_DIR, a folder holding fabric-<version>-src.tar.xz (a
#    `git archive` of the release tag) and a SHA256SUMS that lists it. The
#    archive's checksum is verified, it is extracted into the cache and built
#    there with its own go.mod and vendor/ (no network at all), and
#    sampleconfig/ comes from the same tree. This is how an air-gapped site
#    builds Fabric, and how CI does here (.ci/run points it at
#    ../shared/fabric-src), since this workplace's module proxy refuses every
#    Fabric release commit.
# 2. The Go module proxy, by the release's pseudo-version (a throw-away module
#    requires it and builds the commands; sampleconfig/ from the module cache).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"
readonly FABRIC_CA_VERSION="${FABRIC_CA_VERSION:-1.5.21}"
readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}"
readonly FABRIC_DIR="$CACHE/fabric/$FABRIC_VERSION"
readonly BIN_DIR="$FABRIC_DIR/bin"
readonly CA_DIR="$CACHE/fabric-ca/$FABRIC_CA_VERSION"
readonly FABRIC_MODULE="github.com/hyperledger/fabric"
readonly CA_MODULE="github.com/hyperledger/fabric-ca"
readonly FABRIC_CMDS=(peer orderer configtxgen configtxlator cryptogen osnadmin discover)
readonly ARCHIVE_NAME="fabric-$FABRIC_VERSION-src.tar.xz"

# Fabric's module path has no /v2 or /v3 suffix, so its release tags are not
# valid Go module versions; each release is reached by the pseudo-version of
# its tagged commit (see shared reference fabric-versions.md).
pseudo_version() {
  case "$1" in
    3.1.5) echo "v1.4.0-rc1.0.20260618074816-86c1172bec37" ;;
    3.1.4) echo "v1.4.0-rc1.0.20260223074757-57f91e9b60bc" ;;
    3.0.0) echo "v1.4.0-rc1.0.20240918034325-94590aa4332b" ;;
    2.5.16) echo "v1.4.0-rc1.0.20260617221605-f871cf92a026" ;;
    2.5.14) echo "v1.4.0-rc1.0.20251012211716-24767bad4dda" ;;
    *)
      echo "fabric-tools: unknown FABRIC_VERSION '$1' (known: 3.1.5 3.1.4 3.0.0 2.5.16 2.5.14)" >&2
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

# The release archive to build from, when FABRIC_SOURCE_DIR has one.
source_archive() {
  [[ -n ${FABRIC_SOURCE_DIR:-} && -f $FABRIC_SOURCE_DIR/$ARCHIVE_NAME ]] && echo "$FABRIC_SOURCE_DIR/$ARCHIVE_NAME"
}

# verify_archive ARCHIVE: its sha256 must be the one SHA256SUMS beside it lists.
verify_archive() {
  local archive=$1 sums want got
  sums="$(dirname "$archive")/SHA256SUMS"
  want=$(awk -v f="$ARCHIVE_NAME" '$2 == f || $2 == "*" f { print $1 }' "$sums" 2>/dev/null || true)
  if [[ -z $want ]]; then
    log "$sums does not list $ARCHIVE_NAME: refusing an archive whose checksum cannot be checked"
    return 1
  fi
  got=$(sha256sum "$archive" | cut -d' ' -f1)
  if [[ $got != "$want" ]]; then
    log "checksum mismatch for $archive: SHA256SUMS says ${want:0:16}..., the file is ${got:0:16}..."
    return 1
  fi
  echo "$got"
}

# build_from_archive ARCHIVE LDFLAGS PKG...: extract into the cache and build
# inside the release tree, whose vendor/ makes the build offline.
build_from_archive() {
  local archive=$1 ldflags=$2
  shift 2
  local src="$FABRIC_DIR/src"
  rm -rf "$src" "$FABRIC_DIR/sampleconfig"
  mkdir -p "$src" "$BIN_DIR"
  tar -xJf "$archive" -C "$src" --strip-components=1
  [[ -f $src/go.mod && -d $src/vendor ]] || {
    log "$archive has no go.mod and vendor/ at its top level: not a Fabric release source"
    return 1
  }
  (cd "$src" && GOFLAGS=-mod=vendor go build -trimpath -ldflags "$ldflags" -o "$BIN_DIR/" "$@")
  cp -r "$src/sampleconfig" "$FABRIC_DIR/sampleconfig"
  # The built tree is 300+ MB and no longer needed: binaries and sampleconfig stay.
  rm -rf "$src"
}

explain_refusal() {
  log "the Go module proxy refused $FABRIC_MODULE@$1, so Fabric $FABRIC_VERSION cannot be built from it."
  log "build from a release source instead: FABRIC_SOURCE_DIR=<folder with $ARCHIVE_NAME and SHA256SUMS>"
  log "(network/README.md, Fabric versions)."
}

build_fabric() {
  local pv archive="" stamp="$FABRIC_DIR/.stamp" want origin
  pv=$(pseudo_version "$FABRIC_VERSION")
  archive=$(source_archive || true)
  if [[ -n $archive ]]; then
    origin="source:$(verify_archive "$archive")"
  else
    origin="proxy:$pv"
  fi
  # A stamp records what was built from what with which toolchain. A build
  # from either origin is accepted for the same version (the same release);
  # a different Go version, or a different archive, means rebuild.
  want=$(stamp_content "$origin")
  if [[ -f $stamp ]] && { is_built "$stamp" "$want" || [[ -z $archive && $(cat "$stamp") == source:* ]]; }; then
    log "fabric $FABRIC_VERSION already built ($(cut -c1-24 "$stamp")...)"
    return 0
  fi
  log "building fabric $FABRIC_VERSION from ${archive:-the module proxy ($pv)}: ${FABRIC_CMDS[*]}"
  local start=$SECONDS pkgs=() cmd
  # Static binaries (no cgo) also run in a FROM-scratch image for the Docker
  # launcher; the version stamp makes `peer version` report the release.
  local ldflags="-X $FABRIC_MODULE/common/metadata.Version=$FABRIC_VERSION"
  ldflags+=" -X $FABRIC_MODULE/common/metadata.CommitSHA=${pv##*-}"
  if [[ -n $archive ]]; then
    for cmd in "${FABRIC_CMDS[@]}"; do pkgs+=("./cmd/$cmd"); done
    CGO_ENABLED=0 build_from_archive "$archive" "$ldflags" "${pkgs[@]}"
  else
    for cmd in "${FABRIC_CMDS[@]}"; do pkgs+=("$FABRIC_MODULE/cmd/$cmd"); done
    if ! CGO_ENABLED=0 build_tools "$FABRIC_DIR" "$FABRIC_MODULE" "$pv" "$ldflags" "${pkgs[@]}"; then
      explain_refusal "$pv"
      return 1
    fi
  fi
  echo "$want" >"$stamp"
  log "fabric built in $((SECONDS - start))s"
}

# Fabric's sampleconfig (core.yaml, orderer.yaml, configtx.yaml): from the
# release tree when built from source, else from the module cache. The
# network scripts transform copies of it at run time.
sampleconfig_dir() {
  if [[ -f $FABRIC_DIR/sampleconfig/core.yaml ]]; then
    echo "$FABRIC_DIR/sampleconfig"
    return 0
  fi
  local pv dir
  pv=$(pseudo_version "$FABRIC_VERSION")
  dir=$(go mod download -json "$FABRIC_MODULE@$pv" 2>/dev/null | jq -r '.Dir // empty' || true)
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
  echo "builder  $SCRIPT_DIR/../network/builders/ccaas"
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
    builder) (cd "$SCRIPT_DIR/../network/builders/ccaas" && pwd) ;;
    status) status ;;
    *)
      echo "usage: $0 [build|ca|path|sampleconfig|builder|status]" >&2
      return 2
      ;;
  esac
}

main "$@"
