#!/usr/bin/env bash
# `make test`: installs what is missing, builds, starts the real services the
# tests need (three simulated nodes, each a network namespace with libvirtd;
# ZooKeeper standalone and a 3-server ensemble on the nodes' bridge; one IPMI
# simulator per node; Ceph with 3 memstore OSDs on the bridge), runs every
# test, stops everything it started, and fails if any test failed.
#
# Tests that kill servers or nodes run alone after the others (phases 2 and
# 3); every other test runs in parallel, each in its own ZooKeeper chroot.
source "$(dirname "$0")/lib.sh"
cd "$PVCKIT_ROOT"

"$PVCKIT_ROOT/Scripts/install-deps.sh" build zookeeper libvirt tools ipmi network ceph dns browser web guest monitoring deb

export PVCKIT_STATE=/tmp/pvckit-test
state_dir "$PVCKIT_STATE"
export ZK_PORT_BASE=22181
ZK="$PVCKIT_ROOT/Scripts/zookeeper.sh"

NODES="$PVCKIT_ROOT/Scripts/nodes.sh"
IPMI="$PVCKIT_ROOT/Scripts/ipmi.sh"
CEPH="$PVCKIT_ROOT/Scripts/ceph.sh"
GALERA="$PVCKIT_ROOT/Scripts/galera.sh"
export NODE_PREFIX=pt NODE_NET=10.78.0 PVCKIT_NODE_NET=10.78.0
# Node daemons run inside the namespaces: ZooKeeper listens on the bridge.
export ZK_CLIENT_ADDRESS=10.78.0.254 IPMI_PORT_BASE=23620

cleanup() {
  "$GALERA" stop || true
  "$CEPH" stop || true
  "$ZK" stop all || true
  "$IPMI" stop || true
  "$NODES" down || true
}
trap cleanup EXIT

# The clean Debian root the package phase installs into: made by debootstrap (and its packages' dependencies
# installed) in the background while the tests build and the services start (about 2 minutes, mostly downloads);
# waited for before the tests run, whose timings it would disturb.
DEB_ROOT="$PVCKIT_STATE/debroot"
"$PVCKIT_ROOT/Scripts/deb.sh" root "$DEB_ROOT" >"$PVCKIT_STATE/debroot-prepare.log" 2>&1 &
DEB_ROOT_JOB=$!

log "checking formatting (swift format lint)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks Examples

log "building"
swift build --build-tests

# A clean slate: no data from an earlier run. The nodes come first: their bridge
# carries ZooKeeper's and the BMCs' addresses.
"$GALERA" stop
"$CEPH" stop
"$ZK" stop all
"$IPMI" stop
rm -rf "$PVCKIT_STATE/zookeeper"
"$NODES" down
"$NODES" up 3
"$ZK" start standalone
"$ZK" start ensemble
"$IPMI" start 3
# Ceph listens on the nodes' bridge too (every node reaches it).
"$CEPH" start 3
PVCKIT_CEPH_CONF=$("$CEPH" conf)
# A 3-node MariaDB Galera on the bridge too (the DNS records' database).
"$GALERA" start 3
PVCKIT_GALERA_HOSTS=$("$GALERA" connect)
PVCKIT_GALERA_PASSWORD=$("$GALERA" password)
export PVCKIT_GALERA_HOSTS PVCKIT_GALERA_PASSWORD
PVCKIT_ZK_STANDALONE=$("$ZK" connect standalone)
PVCKIT_ZK_ENSEMBLE=$("$ZK" connect ensemble)
PVCKIT_BIN_DIR=$(swift build --show-bin-path)
export PVCKIT_ZK_STANDALONE PVCKIT_ZK_ENSEMBLE PVCKIT_BIN_DIR PVCKIT_CEPH_CONF
# The tiny real guest (a cloud kernel and a busybox initramfs) the provisioner's guest tests boot.
PVCKIT_GUEST_DIR=$("$PVCKIT_ROOT/Scripts/guest-image.sh" "$PVCKIT_STATE/guest")
export PVCKIT_GUEST_DIR

# Tests that take servers or nodes down run on their own afterwards.
ENSEMBLE='EnsembleFailoverTests'
HA='HAEndToEndTests'
RUN='MakeRunTests'
BROWSER='WebBrowserTests'
OSD='CephOSDStateTests'
DNS_CLUSTER='DNSClusterTests'
PROVISION='ProvisionerCreateTests'
GUESTS='ProvisionerGuestTests'
SNAPSHOTS='VMSnapshotTests'
DEVICES='VMDeviceTests'
MIRRORS='VMMirrorTests'
CONSOLES='VMConsoleTests'
# Read-your-writes of the watch-fed views: under phase 1's load (load average above 30 on 2 cores) a tag listing
# right after its write came back without it about once in three runs. The cause found (a path watch marked a path
# fresh just before delivering its value; PathWatchOrderTests) is fixed; it stays in a quieter phase for a few more
# runs before it goes back to phase 1.
VIEWS='ClusterViewTests'
HEALTH='HealthEndToEndTests'
PROMETHEUS='PrometheusScrapeTests'
PACKAGES='PackageInstallTests'
# The suites in phase 1 that start clusters of node daemons (and guests, FRR, dnsmasq): they run together in phase
# 1b, not beside the ~300 other tests, whose timings they disturbed on 2 cores.
CLUSTERS=(APIDutyTests APIEndToEndTests CephStatsDutyTests DaemonGarbageTests HostAccessTests
  NetworkLinkEndToEndTests PVCStorageCommandTests RBDDiskEndToEndTests StorageBenchmarkTests VMLifecycleEndToEndTests)
# A renamed suite would silently move to another phase (or run in none): each
# name must be a suite of the test build.
SUITES=$(swift test list --skip-build 2>/dev/null)
for suite in "$ENSEMBLE" "$HA" "$RUN" "$BROWSER" "$OSD" "$DNS_CLUSTER" "$PROVISION" "$GUESTS" "$SNAPSHOTS" "$DEVICES" "$MIRRORS" "$CONSOLES" "$VIEWS" "$HEALTH" "$PROMETHEUS" "$PACKAGES" "${CLUSTERS[@]}"; do
  grep -q "^PVCKitTests\.$suite/" <<<"$SUITES" || die "test.sh names suite $suite, which the test build does not have"
done

status=0
DEB_ROOT_STATUS=0
wait "$DEB_ROOT_JOB" || DEB_ROOT_STATUS=$?
CLUSTER_SKIPS=()
# Anchored: a test's id also names its source file, and CephOSDStateTests lives in PVCStorageCommandTests.swift.
for suite in "${CLUSTERS[@]}"; do CLUSTER_SKIPS+=(--skip "PVCKitTests\.$suite/"); done
log "phase 1: every test except $ENSEMBLE, $HA, $RUN, $BROWSER, $OSD, $DNS_CLUSTER, $PROVISION, $SNAPSHOTS," \
  "$DEVICES, $MIRRORS, $CONSOLES, $VIEWS, $HEALTH, $PROMETHEUS, $GUESTS, $PACKAGES and the cluster suites, in parallel"
swift test --skip-build --skip "$ENSEMBLE" --skip "$HA" --skip "$RUN" --skip "$BROWSER" --skip "$OSD" \
  --skip "$DNS_CLUSTER" --skip "$PROVISION" --skip "$SNAPSHOTS" --skip "$DEVICES" \
  --skip "$MIRRORS" --skip "$CONSOLES" --skip "$VIEWS" --skip "$HEALTH" --skip "$PROMETHEUS" --skip "$GUESTS" --skip "$PACKAGES" "${CLUSTER_SKIPS[@]}" ||
  status=1
log "phase 1b: the suites that start node daemons (${CLUSTERS[*]}), in parallel"
swift test --skip-build --filter "PVCKitTests\.($(IFS='|'; echo "${CLUSTERS[*]}"))/" || status=1
log "phase 2: $ENSEMBLE, $BROWSER (headless Chromium), $RUN (make run and make stop with the test build), $OSD," \
  "$PROVISION"
swift test --skip-build --filter "$ENSEMBLE|$BROWSER|$RUN|$OSD|$PROVISION" || status=1
# Alone: they kill and rejoin a member of the shared Galera, which the provisioner's tests write to.
log "phase 2b: $DNS_CLUSTER, $VIEWS"
swift test --skip-build --filter "$DNS_CLUSTER|$VIEWS" || status=1
# Alone: its cluster makes network links (another cluster's daemons would remove them) and its guests run under TCG.
log "phase 3: $GUESTS (tiny real guests)"
swift test --skip-build --filter "$GUESTS" || status=1
# Alone too: a running VM, Ceph snapshots and a primary of its own on the shared nodes slowed the DNS cluster tests.
log "phase 3b: $SNAPSHOTS, $DEVICES, $MIRRORS, $CONSOLES"
swift test --skip-build --filter "$SNAPSHOTS|$DEVICES|$MIRRORS|$CONSOLES" || status=1
# Alone: the first stops a node's libvirtd; the second runs a Prometheus scraping two API servers every second.
log "phase 3c: $HEALTH, $PROMETHEUS"
swift test --skip-build --filter "$HEALTH|$PROMETHEUS" || status=1
log "phase 4: $HA"
swift test --skip-build --filter "$HA" || status=1
# The Debian packages of this build (its debug binaries, packaged as make deb packages release ones) installed
# into the clean root; node hv4 runs the installed pvcd from it.
log "phase 5: $PACKAGES (packages built, installed into a debootstrapped Debian 12 root, hv4 runs from it)"
if [ "$DEB_ROOT_STATUS" -eq 0 ]; then
  DEBS=$("$PVCKIT_ROOT/Scripts/deb.sh" build --debug --out "$PVCKIT_STATE/deb") &&
    "$PVCKIT_ROOT/Scripts/deb.sh" install "$DEB_ROOT" "$DEBS"/*.deb >"$PVCKIT_STATE/deb-install.log" 2>&1 &&
    "$NODES" up 4 &&
    PVCKIT_DEB_ROOT="$DEB_ROOT" swift test --skip-build --filter "$PACKAGES" || status=1
else
  tail -20 "$PVCKIT_STATE/debroot-prepare.log" >&2
  log "the Debian root could not be made (log: $PVCKIT_STATE/debroot-prepare.log)"
  status=1
fi

if [ $status -eq 0 ]; then log "all tests passed"; else log "TESTS FAILED"; fi
exit $status
