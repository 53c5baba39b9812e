#!/usr/bin/env bash
# Installs the Debian packages the gridledger scripts rely on, skipping any
# that are already present, so CI on a fresh machine and a developer's warm
# machine run the same command.
#   scripts/install-deps.sh          what every script needs
#   scripts/install-deps.sh docker   also what the Docker launcher's local
#                                    images need (scripts/docker-local.sh)
#   scripts/install-deps.sh cargo-deny
#                                    builds cargo-deny (pinned) from crates.io
#                                    once into ~/.cache/gridledger and prints
#                                    its path (scripts/test.sh, deny.toml)
set -euo pipefail

# command-name:debian-package pairs. gcc is needed because Fabric CA links
# sqlite through cgo; jq renders configs and connection.json; openssl inspects
# certificates; envsubst renders the network templates; shellcheck lints
# these scripts. chromium and chromedriver (Debian's chromium-driver, built
# from the same source package, so their versions match) drive the web view's
# browser test (tests/e2e/tests/web.rs); run as root on a closed network
# Chromium needs --headless --no-sandbox --disable-gpu --disable-quic
# --no-first-run --disable-background-networking --disable-component-update
# --disable-sync and a fresh --user-data-dir, or it keeps calling Google hosts.
readonly DEPS=(
  "shellcheck:shellcheck"
  "jq:jq"
  "gcc:gcc"
  "openssl:openssl"
  "tar:tar"
  "gzip:gzip"
  "curl:curl"
  "envsubst:gettext-base"
  "chromium:chromium"
  "chromedriver:chromium-driver"
)
# Debian's Docker engine (20.10, with compose v1 not included) and debootstrap,
# which makes the local base image on a machine with no image registry.
readonly DOCKER_DEPS=(
  "dockerd:docker.io"
  "debootstrap:debootstrap"
)

missing_packages() { # pair...
  local pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}
    pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || printf '%s\n' "$pkg"
  done
}

check_go() {
  # Go itself is a toolchain, not a Debian package we can pin sensibly;
  # the Fabric builds need a recent one (Fabric CA's go.mod asks go 1.25).
  if ! command -v go >/dev/null 2>&1; then
    echo "install-deps: 'go' is not on PATH (need Go >= 1.25)" >&2
    return 1
  fi
}

# cargo-deny is not a Debian package; crates.io has it (a one-off build of about
# 6 minutes on 2 cores), cached by version.
readonly CARGO_DENY_VERSION=0.20.2
cargo_deny() {
  local root="${GRIDLEDGER_CACHE:-$HOME/.cache/gridledger}/tools/cargo-deny-$CARGO_DENY_VERSION"
  if [[ ! -x $root/bin/cargo-deny ]]; then
    echo "install-deps: building cargo-deny $CARGO_DENY_VERSION into $root" >&2
    cargo install cargo-deny --locked --version "$CARGO_DENY_VERSION" --root "$root" >&2
  fi
  echo "$root/bin/cargo-deny"
}

install() {
  local pkgs wanted=("${DEPS[@]}")
  case "${1:-}" in
    "") ;;
    docker) wanted+=("${DOCKER_DEPS[@]}") ;;
    cargo-deny)
      cargo_deny
      return
      ;;
    *)
      echo "usage: $0 [docker|cargo-deny]" >&2
      return 2
      ;;
  esac
  # debootstrap and dockerd live in /usr/sbin, off a normal user's PATH.
  PATH="$PATH:/usr/sbin:/sbin"
  mapfile -t pkgs < <(missing_packages "${wanted[@]}")
  if ((${#pkgs[@]} == 0)); then
    echo "install-deps: all present"
  else
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    echo "install-deps: installing ${pkgs[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
  fi
  check_go
}

install "$@"
