#!/usr/bin/env bash
# `make bench`: builds in release mode, starts the services the benchmarks
# need (a standalone ZooKeeper of their own), runs every benchmark and prints
# one table per suite: each figure, its baseline from the same run, and the ratio.
source "$(dirname "$0")/lib.sh"
cd "$PVCKIT_ROOT"

"$PVCKIT_ROOT/Scripts/install-deps.sh" build zookeeper libvirt tools ipmi network ceph dns bench guest

export PVCKIT_STATE=/tmp/pvckit-bench
state_dir "$PVCKIT_STATE"
export ZK_PORT_BASE=23181
# Benchmarks run ZooKeeper as in production: full JIT (the tests cap it to start faster).
export ZK_JVM_FLAGS="" ZK_HEAP=1g
ZK="$PVCKIT_ROOT/Scripts/zookeeper.sh"
NODES="$PVCKIT_ROOT/Scripts/nodes.sh"
IPMI="$PVCKIT_ROOT/Scripts/ipmi.sh"
CEPH="$PVCKIT_ROOT/Scripts/ceph.sh"
GALERA="$PVCKIT_ROOT/Scripts/galera.sh"
export GALERA_PORT_BASE=23356
export NODE_PREFIX=pb NODE_NET=10.80.0 PVCKIT_NODE_NET=10.80.0 IPMI_PORT_BASE=23720
# Node daemons run inside the namespaces (HA suite): ZooKeeper listens on the nodes' bridge.
export ZK_CLIENT_ADDRESS=10.80.0.254
trap '"$GALERA" stop || true; "$CEPH" stop || true; "$ZK" stop all || true; "$IPMI" stop || true; "$NODES" down || true' EXIT

log "building (release)"
swift build -c release --product pvc-bench
swift build -c release --product zk-raw-baseline
swift build -c release --product pvcd
swift build -c release --product pvc
BIN=$(swift build -c release --show-bin-path)

"$GALERA" stop
"$CEPH" stop
"$ZK" stop all
"$IPMI" stop
rm -rf "$PVCKIT_STATE/zookeeper"
"$NODES" down
"$NODES" up 3
"$ZK" start standalone
"$IPMI" start 3
# Ceph for the storage suite (only when it runs: it takes a minute to start).
wants() { [ -z "${BENCH_SUITES:-}" ] || [[ ",$BENCH_SUITES," == *",$1,"* ]]; }
if wants storage || wants provisioner || wants snapshots; then CEPH_POOL=none "$CEPH" start 3; fi
# Galera for the DNS and provisioner suites (only when they run).
if wants dns || wants provisioner; then "$GALERA" start 3; fi

COUNT=${BENCH_COUNT:-10000}
ROUNDS=${BENCH_ROUNDS:-5}
HOSTS=$("$ZK" connect standalone)
REPORT="$PVCKIT_STATE/report.md"
mkdir -p "$PVCKIT_STATE"
: >"$REPORT"
# Each suite prints its own table (with notes); all rows are gathered into one table at the end.
# BENCH_SUITES (comma-separated, e.g. "api,self-fence") runs only those suites.
suite() {
  if [ -n "${BENCH_SUITES:-}" ] && [[ ",$BENCH_SUITES," != *",$1,"* ]]; then return 0; fi
  "$BIN/pvc-bench" "$@" 2> >(grep -v HummingbirdCore >&2) | tee -a "$REPORT"
  echo | tee -a "$REPORT"
}

echo "# PVCKit benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo
suite zookeeper --hosts "$HOSTS" --count "$COUNT" --rounds "$ROUNDS"
suite parse --count 1000 --rounds "$ROUNDS"
suite vm-list --hosts "$HOSTS" --sizes "${BENCH_VM_SIZES:-1000,10000}" --rounds "$ROUNDS"
suite vm-start --hosts "$HOSTS" --node-net "$NODE_NET" \
  --console-dir "$PVCKIT_STATE/nodes/hv1/root/var/log/libvirt" --rounds "$ROUNDS"
suite api --hosts "$HOSTS" --vms "${BENCH_API_VMS:-1000}" --seconds "${BENCH_API_SECONDS:-10}"
suite cli --hosts "$HOSTS" --vms "${BENCH_CLI_VMS:-1000}" --runs "${BENCH_CLI_RUNS:-10}"
suite web --hosts "$HOSTS" --sizes "${BENCH_WEB_SIZES:-1000,10000}" --rounds "$ROUNDS"
suite ha --hosts "$HOSTS" --rounds "${BENCH_HA_ROUNDS:-3}" --default-rounds "${BENCH_HA_DEFAULT_ROUNDS:-1}"
suite self-fence --hosts "$HOSTS" --rounds "${BENCH_SELF_FENCE_ROUNDS:-3}"
suite network --hosts "$HOSTS" --rounds "$ROUNDS" --rules "${BENCH_NETWORK_RULES:-1000}"
suite storage --hosts "$HOSTS" --ceph-conf "$("$CEPH" conf)" --volumes "${BENCH_STORAGE_VOLUMES:-1000}" --rounds "$ROUNDS"
suite dns --hosts "$HOSTS" --galera "$("$GALERA" connect 2>/dev/null)" --galera-password "$("$GALERA" password 2>/dev/null)" \
  --records "${BENCH_DNS_RECORDS:-10000}" --rounds "$ROUNDS"
suite provisioner --hosts "$HOSTS" --ceph-conf "$("$CEPH" conf 2>/dev/null)" \
  --galera "$("$GALERA" connect 2>/dev/null)" --galera-password "$("$GALERA" password 2>/dev/null)" \
  --rounds "$ROUNDS" --bulk "${BENCH_PROVISIONER_BULK:-100}"
# At most 2 rounds: each writes 384 MiB into the test Ceph, whose OSDs hold their objects in memory (1 GiB each).
suite snapshots --hosts "$HOSTS" --ceph-conf "$("$CEPH" conf 2>/dev/null)" --rounds "$((ROUNDS < 2 ? ROUNDS : 2))"
suite health --hosts "$HOSTS" --node-net "$NODE_NET" --rounds "$ROUNDS"
if wants consoles; then
  suite consoles --hosts "$HOSTS" --node-net "$NODE_NET" \
    --guest-dir "$("$PVCKIT_ROOT/Scripts/guest-image.sh" "$PVCKIT_STATE/guest")" --rounds "$((ROUNDS < 3 ? ROUNDS : 3))"
fi

echo "## Every figure, with its baseline from this run"
echo
echo "Each row says which way is better (lower or higher); n/a: no baseline measured in this run."
echo
echo "| suite | figure | value | baseline (same run) | baseline value | ratio (figure / baseline) | better |"
echo "|---|---|---|---|---|---|---|"
awk '/^## / { suite = substr($0, 4); sub(/[:,].*/, "", suite) }
  /^\| / && !/^\| figure/ { print "| " suite " " $0 }' "$REPORT"
