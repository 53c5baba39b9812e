#!/usr/bin/env bash
# Builds the images the Docker launcher runs that no registry provides:
#
#   scripts/docker-images.sh chaincode   the gridledger chaincode image (GL_CC_IMAGE)
#                                        from network/docker/chaincode.Dockerfile
#   scripts/docker-images.sh local       no-registry machines: a Debian base from
#                                        debootstrap, and Fabric peer, orderer and CA
#                                        images of the binaries fabric-tools.sh builds
#   scripts/docker-images.sh tags        print the GL_* settings that select the
#                                        local Fabric images
#
# The chaincode image holds static binaries (glibc linked in) on scratch: no
# shell, no libraries, non-root, health checked by the binaries themselves
# (`registry-cc healthcheck`). GRIDLEDGER_CC_PROFILE picks their cargo profile:
# default `image` (release optimized for size, which keeps four binaries under
# 20 MB; Cargo.toml says why), `release`, or `debug` to debug in an image.
# They are built with --target into their own cargo target dir,
# GL_CC_TARGET_DIR (default $GRIDLEDGER_CACHE/cargo-static, outside the
# checkout), so the static flags never rebuild the shared debug artifacts and a
# fresh clone (CI) reuses the compiled dependencies instead of spending 7 cold
# minutes on them. GL_CC_RUNTIME_IMAGE
# (default scratch) is the image's base: any Linux image, say Debian for a shell.
# Builds use the classic builder with no RUN step, so they need no network;
# cargo's and Docker's caches make an unchanged rebuild take seconds.
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

readonly DOCKER="${GL_DOCKER:-docker}"
readonly CACHE="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}/docker"
readonly SUITE=bookworm
readonly BASE_TAR="$CACHE/base/$SUITE-minbase.tar"
readonly BASE_IMAGE="local/debian:$SUITE"
readonly LOCAL_FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"
readonly LOCAL_CA_VERSION="${FABRIC_CA_VERSION:-1.5.21}"
readonly CC_BINS=(registry-cc metering-cc trade-cc certificates-cc flexibility-cc kv-ccaas)

tags() {
  cat <<ENV
GL_FABRIC_VERSION=$LOCAL_FABRIC_VERSION
GL_FABRIC_CA_VERSION=$LOCAL_CA_VERSION
GL_PEER_IMAGE=local/fabric-peer:$LOCAL_FABRIC_VERSION
GL_ORDERER_IMAGE=local/fabric-orderer:$LOCAL_FABRIC_VERSION
GL_CA_IMAGE=local/fabric-ca:$LOCAL_CA_VERSION
ENV
}

# A minimal bookworm (the host's glibc) with jq for our CCaaS builder. The
# tarball is cached: debootstrap takes about 30 s, the import about 2 s.
base_image() {
  if "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  if [[ ! -s $BASE_TAR ]]; then
    local root="$CACHE/base/rootfs" sudo=()
    ((EUID == 0)) || sudo=(sudo)
    command -v debootstrap >/dev/null || PATH="$PATH:/usr/sbin"
    gl_log "debootstrap --variant=minbase $SUITE (cached in $BASE_TAR)"
    "${sudo[@]}" rm -rf "$root"
    mkdir -p "$root"
    "${sudo[@]}" debootstrap --variant=minbase --include=jq "$SUITE" "$root" "${GL_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
      >"$CACHE/base/debootstrap.log" 2>&1 || gl_die "debootstrap failed ($CACHE/base/debootstrap.log)"
    # apt's caches and lists are most of the size and no use in an image.
    "${sudo[@]}" rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    "${sudo[@]}" tar -C "$root" -cf "$BASE_TAR.tmp" .
    "${sudo[@]}" rm -rf "$root"
    mv "$BASE_TAR.tmp" "$BASE_TAR"
  fi
  "$DOCKER" import "$BASE_TAR" "$BASE_IMAGE" >/dev/null
  gl_log "imported $BASE_IMAGE"
}

# fabric_image TAG FILE...: a context with bin/, fabric/ and ccaas_builder/
# (each possibly empty) holding the named files, built on the local base.
fabric_image() {
  local tag=$1 ctx="$CACHE/context/${1//[:\/]/_}" f
  shift
  rm -rf "$ctx"
  mkdir -p "$ctx/bin" "$ctx/fabric" "$ctx/ccaas_builder"
  for f in "$@"; do
    case "$f" in
      *.yaml) cp "$f" "$ctx/fabric/" ;;
      */builders/ccaas) cp -R "$f/bin" "$ctx/ccaas_builder/bin" ;;
      *) cp -L "$f" "$ctx/bin/" ;;
    esac
  done
  "$DOCKER" build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$tag" \
    -f "$GL_NETWORK/docker/fabric-local.Dockerfile" "$ctx" >/dev/null || gl_die "building $tag failed"
  gl_log "built $tag"
}

local_images() {
  local bin sample
  mkdir -p "$CACHE/base"
  base_image
  "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  bin=$("$GL_SCRIPTS/fabric-tools.sh" path)
  sample=$("$GL_SCRIPTS/fabric-tools.sh" sampleconfig)
  fabric_image "local/fabric-peer:$LOCAL_FABRIC_VERSION" "$bin/peer" "$sample/core.yaml" \
    "$("$GL_SCRIPTS/fabric-tools.sh" builder)"
  fabric_image "local/fabric-orderer:$LOCAL_FABRIC_VERSION" "$bin/orderer" "$sample/orderer.yaml"
  fabric_image "local/fabric-ca:$LOCAL_CA_VERSION" "$bin/fabric-ca-server" "$bin/fabric-ca-client"
}

# cargo_static PROFILE: builds CC_BINS statically for the host and prints
# their directory. --target keeps RUSTFLAGS off build scripts and proc macros,
# which cannot link statically.
cargo_static() {
  local profile=$1 out=$1 host dir args name
  host=$(rustc -vV | sed -n 's/^host: //p')
  [[ $host == *-linux-gnu ]] || gl_die "static chaincode binaries need a *-linux-gnu host, not $host"
  dir="${GL_CC_TARGET_DIR:-${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}/cargo-static}"
  case $profile in debug | dev) profile=dev out=debug ;; esac
  args=(build --locked --target "$host" --profile "$profile")
  for name in registry metering trade certificates flexibility; do args+=(-p "gridledger-$name" --bin "$name-cc"); done
  args+=(-p gridledger-example-kv --bin kv-ccaas)
  # CARGO_ENCODED_RUSTFLAGS would silently replace RUSTFLAGS.
  (cd "$GL_REPO" && env -u CARGO_ENCODED_RUSTFLAGS CARGO_TARGET_DIR="$dir" \
    RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" cargo "${args[@]}") >&2
  echo "$dir/$host/$out"
}

# A dynamically linked binary would start nowhere on scratch, with only
# "no such file or directory" to say why: refuse to build such an image.
check_static() {
  local bin=$1 headers
  headers=$(readelf -ldW "$bin") || gl_die "cannot read $bin"
  if grep -q -e 'program interpreter' -e '(NEEDED)' <<<"$headers"; then
    gl_die "$bin is dynamically linked: $(grep -e 'program interpreter' -e '(NEEDED)' <<<"$headers" | tr -s ' ' | head -3 | tr '\n' ';')"
  fi
}

chaincode_image() {
  local profile=${GRIDLEDGER_CC_PROFILE:-image} ctx="$CACHE/context/chaincode" name dir
  # shellcheck source=SCRIPTDIR/../network/docker/images.env disable=SC1091
  source "$GL_NETWORK/docker/images.env"
  dir=$(cargo_static "$profile")
  rm -rf "$ctx"
  mkdir -p "$ctx/bin"
  for name in "${CC_BINS[@]}"; do
    check_static "$dir/$name"
    # Debug info is most of a debug binary; the image needs none of it.
    strip -o "$ctx/bin/$name" "$dir/$name"
  done
  "$DOCKER" build -q --build-arg "RUNTIME_IMAGE=${GL_CC_RUNTIME_IMAGE:-scratch}" -t "$GL_CC_IMAGE" \
    -f "$GL_NETWORK/docker/chaincode.Dockerfile" "$ctx" >/dev/null || gl_die "building $GL_CC_IMAGE failed"
  gl_log "built $GL_CC_IMAGE: $(du -sh "$ctx/bin" | cut -f1) of servers, image $("$DOCKER" image inspect --format '{{.Size}}' "$GL_CC_IMAGE") bytes"
}

# A rebuild leaves the image it replaced untagged; remove those of ours only.
prune_replaced() {
  "$DOCKER" image prune -f --filter label=org.gridledger.image >/dev/null || gl_log "could not prune replaced images"
}

main() {
  case "${1:-}" in
    chaincode) chaincode_image && prune_replaced ;;
    local) local_images && prune_replaced ;;
    tags) tags ;;
    *)
      sed -n '2,21p' "$0" >&2
      exit 2
      ;;
  esac
}

main "$@"
