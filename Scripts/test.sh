#!/usr/bin/env bash
# `make test`: installs what is missing, builds, starts the real services the
# tests need (ZooKeeper standalone and a 3-server ensemble on loopback), runs
# every test, stops everything it started, and fails if any test failed.
#
# Tests that kill servers run alone after the others (phase 2); every other
# test runs in parallel, each in its own ZooKeeper chroot.
source "$(dirname "$0")/lib.sh"
cd "$PVCKIT_ROOT"

"$PVCKIT_ROOT/Scripts/install-deps.sh" build zookeeper libvirt tools

export PVCKIT_STATE=/tmp/pvckit-test
export ZK_PORT_BASE=22181
ZK="$PVCKIT_ROOT/Scripts/zookeeper.sh"

NODES="$PVCKIT_ROOT/Scripts/nodes.sh"
export NODE_PREFIX=pt NODE_NET=10.78.0 PVCKIT_NODE_NET=10.78.0

cleanup() {
  "$ZK" stop all || true
  "$NODES" down || true
}
trap cleanup EXIT

log "checking formatting (swift format lint)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks Examples

log "building"
swift build --build-tests

# A clean slate: no data from an earlier run.
"$ZK" stop all
rm -rf "$PVCKIT_STATE/zookeeper"
"$ZK" start standalone
"$ZK" start ensemble
"$NODES" down
"$NODES" up 3
PVCKIT_ZK_STANDALONE=$("$ZK" connect standalone)
PVCKIT_ZK_ENSEMBLE=$("$ZK" connect ensemble)
PVCKIT_BIN_DIR=$(swift build --show-bin-path)
export PVCKIT_ZK_STANDALONE PVCKIT_ZK_ENSEMBLE PVCKIT_BIN_DIR

# Tests that take servers down run on their own afterwards.
EXCLUSIVE='EnsembleFailoverTests'

status=0
log "phase 1: every test except $EXCLUSIVE, in parallel"
swift test --skip-build --skip "$EXCLUSIVE" || status=1
log "phase 2: $EXCLUSIVE"
swift test --skip-build --filter "$EXCLUSIVE" || status=1

if [ $status -eq 0 ]; then log "all tests passed"; else log "TESTS FAILED"; fi
exit $status
