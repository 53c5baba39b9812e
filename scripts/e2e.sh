#!/usr/bin/env bash
# End-to-end suite against a real Fabric network (called by scripts/test.sh).
# It runs the whole suite on FABRIC_VERSION (default 3.1.5) with Raft, the
# energy scenario on a foreign consortium (network/consortiums/samples.env:
# Org1MSP..Org3MSP, channel mychannel, role attribute energy.role), deployed
# by the guide's script, scripts/existing-network.sh (SKIP_E2E_FOREIGN=1
# skips), the partition test on the consortium spread over five hosts
# (network namespaces, scripts/multihost.sh, network/MULTIHOST.md;
# SKIP_E2E_MULTIHOST=1 skips; needs root), a BFT subset on the same version (four SmartBFT consenters;
# SKIP_E2E_BFT=1 skips), the Docker part, then the native suite again on the
# LTS (E2E_LTS_VERSION, default 2.5.16; SKIP_E2E_LTS=1 skips):
#   fabric-tools (cached) -> build chaincodes -> down (clean) -> up ->
#   deploy kv (Rust, CCaaS, mTLS), kvgo (Go reference, CCaaS, mTLS) and
#   kvclassic (Rust, peer-launched through network/builders/exec) ->
#   deploy the energy contracts registry, metering (collections-energy.json),
#   trade, certificates and flexibility (Rust, CCaaS, mTLS, default MAJORITY endorsement) ->
#   GRIDLEDGER_E2E=1 cargo test -p gridledger-e2e --no-fail-fast -- --include-ignored -> down ->
#   scripts/e2e-docker.sh: the energy scenario and onboarding against the same
#   consortium in Docker (local images), down, nothing left (SKIP_E2E_DOCKER=1 skips it)
#   -> the native part again on E2E_LTS_VERSION
# The network always goes down at the end (trap), and any failure fails the
# script. KEEP_NETWORK=1 leaves it running for a look; E2E_TEST_ARGS adds
# arguments for the test binaries (e.g. a test name filter).
# The energy scenario (tests/e2e/tests/energy.rs) trades one real interval of
# a one-minute test market and waits for it to end: it adds 2 to 3 minutes.
# E2E_TEST_ARGS="--skip energy" leaves it out (the foreign phase runs only
# it: SKIP_E2E_FOREIGN=1 too).
set -euo pipefail

# shellcheck source=SCRIPTDIR/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# The full suite runs on native processes (classic chaincode and the Go
# reference server run on this machine); e2e-docker.sh covers Docker.
export GL_LAUNCHER=native
readonly NET="$GL_SCRIPTS/network.sh"
readonly COLLECTIONS="$GL_NETWORK/collections-kv.json"
# The energy contracts' binaries (crate gridledger-<name>, binary <name>-cc).
readonly ENERGY_CCS=(registry metering trade certificates flexibility)
export FABRIC_VERSION="${FABRIC_VERSION:-3.1.5}"
readonly LTS_VERSION="${E2E_LTS_VERSION:-2.5.16}"
# One line per transaction with the messages it sent (tests/e2e/tests/batching.rs reads them).
export GL_CC_LOG="${GL_CC_LOG:-info,gridledger_shim::wire=debug}"
T0=$SECONDS
PHASES=()

phase() { # label cmd...: run and record its duration
  local label=$1 start=$SECONDS
  shift
  gl_log "e2e: $label"
  "$@"
  PHASES+=("$(printf '%-16s %4ds' "$label" $((SECONDS - start)))")
}

cleanup() {
  local rc=$? line
  if [[ ${KEEP_NETWORK:-0} != 1 ]]; then
    # A failed multi-host phase leaves its namespaces: multihost.sh down removes them too.
    if [[ ${MULTIHOST_UP:-0} == 1 ]]; then "$GL_SCRIPTS/multihost.sh" down >/dev/null 2>&1 || true; fi
    "$NET" down >/dev/null 2>&1 || true
  fi
  echo "e2e timings:"
  for line in "${PHASES[@]}"; do echo "  $line"; done
  echo "  total            $((SECONDS - T0))s"
  if ((rc == 0)); then echo "e2e: PASS"; else echo "e2e: FAIL (exit $rc; logs were in $GL_RUN/logs)"; fi
}

build_all() {
  "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null
  if [[ ${SKIP_E2E_LTS:-0} != 1 ]]; then FABRIC_VERSION=$LTS_VERSION "$GL_SCRIPTS/fabric-tools.sh" build >/dev/null; fi
  KVGO=$("$GL_SCRIPTS/build-go-reference.sh")
  "$GL_SCRIPTS/build-chaincodes.sh" >/dev/null
  KV=$("$GL_SCRIPTS/build-chaincodes.sh" path kv-ccaas)
  KV_CLASSIC=$("$GL_SCRIPTS/build-chaincodes.sh" path kv-classic)
  build_energy
  # Compile the test binaries now, so the test phase times only the tests.
  (cd "$GL_REPO" && cargo test -p gridledger-e2e --no-run)
}

# The energy contracts, in the profile build-chaincodes.sh uses (debug unless
# GRIDLEDGER_CC_PROFILE says otherwise); their paths come from `path`.
build_energy() {
  local args=(build) name
  [[ ${GRIDLEDGER_CC_PROFILE:-debug} == debug ]] || args+=(--profile "$GRIDLEDGER_CC_PROFILE")
  for name in "${ENERGY_CCS[@]}"; do args+=(-p "gridledger-$name" --bin "$name-cc"); done
  (cd "$GL_REPO" && cargo "${args[@]}") >&2
}

deploy_all() {
  # Both CCaaS chaincodes share the private data collection config the tests
  # rely on (utilityGrid: Utility and Grid only).
  "$NET" deploy --name kv --cmd "$KV" --port "$GL_CC_PORT" --collections "$COLLECTIONS"
  "$NET" deploy --name kvgo --cmd "$KVGO" --port "$((GL_CC_PORT - 1))" --collections "$COLLECTIONS"
  "$NET" deploy --name kvclassic --classic --cmd "$KV_CLASSIC"
  "$NET" deploy-energy
  wait_gateway
}

# run_tests [CARGO_TEST_ARGS...]: the e2e test binaries (default: all of them;
# the BFT-only tests, named bft_*, are skipped unless the network is BFT).
run_tests() {
  local extra=() select=("$@")
  read -r -a extra <<<"${E2E_TEST_ARGS:-}"
  [[ ${GL_ORDERER_TYPE:-raft} == bft ]] || extra+=(--skip bft_)
  # The flexibility scenario waits out a request's gate closure and delivery
  # interval (about 4.5 minutes): it runs on the default version only; the LTS
  # run still deploys flexibility and runs its OCMF test.
  [[ $FABRIC_VERSION != "$LTS_VERSION" ]] || extra+=(--skip flexibility_end_to_end)
  # The web view's browser test (tests/e2e/tests/energy/browser.rs, after the
  # energy scenario) runs once, in the native suite of the default version:
  # the foreign, Docker and LTS runs read the same pages through the same
  # Gateway calls, and each would add a Chromium start.
  if [[ $FABRIC_VERSION == "$LTS_VERSION" || ${FOREIGN_SUITE:-0} == 1 ]]; then
    extra+=(--skip energy_web_view_in_a_browser)
  fi
  (cd "$GL_REPO" && GRIDLEDGER_E2E=1 cargo test -p gridledger-e2e --no-fail-fast "${select[@]}" -- --include-ignored "${extra[@]}")
}

# native_suite LABEL: a fresh native network of $FABRIC_VERSION, every
# chaincode deployed, the whole suite, down.
native_suite() {
  local v=$1
  gl_log "e2e: native suite on Fabric $FABRIC_VERSION"
  "$NET" down >/dev/null
  phase "up-$v" "$NET" up
  phase "deploy-$v" deploy_all
  phase "tests-$v" run_tests
  "$NET" down >/dev/null
}

# foreign_suite: a network we did not build, as fabric-samples names it
# (GL_CONSORTIUM=network/consortiums/samples.env): up without the energy
# users, then every step of network/EXISTING-NETWORK.md through
# scripts/existing-network.sh (the guide's code blocks are its functions;
# guide-check proves it), then the energy scenario with its roles read from
# the consortium definition, down. The run dir remembers the consortium, so
# the tests and `down` need not be told.
foreign_suite() {
  local consortium="$GL_NETWORK/consortiums/samples.env"
  # Seen by run_tests (bash's dynamic scope): no browser test here.
  local FOREIGN_SUITE=1
  gl_log "e2e: the energy scenario on a foreign consortium ($consortium)"
  "$GL_SCRIPTS/existing-network.sh" guide-check
  "$NET" down >/dev/null
  phase up-foreign env GL_CONSORTIUM="$consortium" GL_ENERGY_USERS= "$NET" up
  phase deploy-foreign deploy_foreign
  phase tests-foreign run_tests --test energy
  "$NET" down >/dev/null
}

# deploy_foreign: the guide's steps; the CLIs' output goes to a log, the
# steps and their durations to the terminal (the log's end too, on failure).
deploy_foreign() {
  local log="$GL_RUN/logs/existing-network.log" rc=0
  "$GL_SCRIPTS/existing-network.sh" all >"$log" 2>&1 || rc=$?
  grep -E '^\[[0-9:]+\] (existing-network|package )' "$log" >&2 || true
  if ((rc != 0)); then
    tail -n 40 "$log" >&2
    return "$rc"
  fi
}

# multihost_suite: the consortium with each org on its own host (a network
# namespace, 198.18.0.0/24, host names in the certificates), kv and the energy
# contracts deployed, then Prosumer's host cut off for 30 s under load
# (tests/e2e/tests/multihost.rs), down: no namespace left.
multihost_suite() {
  local mh="$GL_SCRIPTS/multihost.sh"
  gl_log "e2e: the consortium on five hosts, Fabric $FABRIC_VERSION"
  "$NET" down >/dev/null
  MULTIHOST_UP=1
  phase up-multihost "$mh" up
  phase tests-multihost "$mh" test
  "$mh" down
  MULTIHOST_UP=0
}

# bft_suite: the same Fabric on four SmartBFT consenters, one per org: kv
# through the CLI and the Gateway, one energy transaction, a consenter killed
# under load (tests/e2e/tests/bft.rs), and chaos with accounting: the kv
# chaincode server, a peer and a consenter killed in turn under a steady load
# (tests/e2e/tests/chaos.rs).
bft_suite() {
  export GL_ORDERER_TYPE=bft
  gl_log "e2e: BFT subset on Fabric $FABRIC_VERSION"
  "$NET" down >/dev/null
  phase up-bft "$NET" up
  phase deploy-bft deploy_bft
  phase tests-bft run_tests --test bft --test chaos
  "$NET" down >/dev/null
  unset GL_ORDERER_TYPE
}

deploy_bft() {
  "$NET" deploy --name kv --cmd "$KV" --port "$GL_CC_PORT" --collections "$COLLECTIONS"
  "$NET" deploy-energy
  wait_gateway
}

# wait_gateway: every org's Gateway can get kv endorsed by every org (common.sh).
wait_gateway() {
  gl_wait_endorsable 90 kv Put e2e-gateway-ready yes
}

main() {
  trap cleanup EXIT
  phase build build_all
  native_suite "$FABRIC_VERSION"
  if [[ ${SKIP_E2E_MULTIHOST:-0} != 1 ]]; then multihost_suite; fi
  if [[ ${SKIP_E2E_FOREIGN:-0} != 1 ]]; then foreign_suite; fi
  if [[ ${SKIP_E2E_BFT:-0} != 1 ]]; then bft_suite; fi
  # The same consortium in Docker, on the same ports: the native one goes first.
  if [[ ${SKIP_E2E_DOCKER:-0} != 1 ]]; then
    phase docker "$GL_SCRIPTS/e2e-docker.sh"
  fi
  if [[ ${SKIP_E2E_LTS:-0} != 1 && $LTS_VERSION != "$FABRIC_VERSION" ]]; then
    FABRIC_VERSION=$LTS_VERSION native_suite "$LTS_VERSION"
  fi
}

main "$@"
