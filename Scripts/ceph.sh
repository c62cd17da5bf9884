#!/usr/bin/env bash
# A real Ceph cluster on this machine for tests and `make run`: one monitor,
# one manager and N OSDs (memstore: objects in memory, nothing on disk), with
# a pool for VM disks, listening on one address (the simulated nodes' bridge,
# so that every node's namespace reaches it). Daemons run in the foreground
# under start_daemon (pid files; stopped by pid with SIGKILL: a memstore OSD
# has nothing to flush, and SIGTERM takes Ceph six seconds).
#
# Usage:
#   Scripts/ceph.sh start [N]   start mon, mgr and N OSDs (default 3), pool CEPH_POOL; no-op when running
#   Scripts/ceph.sh stop        stop every daemon and remove the cluster
#   Scripts/ceph.sh conf        print the path of the cluster's ceph.conf (client.admin's keyring beside it)
#
# Environment:
#   PVCKIT_STATE   state directory (the cluster lives in $PVCKIT_STATE/ceph)
#   NODE_NET       first three octets of the nodes' network: Ceph listens on NODE_NET.254
#   CEPH_ADDRESS   the address to listen on instead (default NODE_NET.254)
#   CEPH_MON_PORT  the monitor's port (default 3300, msgr2)
#   CEPH_POOL      the pool for VM disks (default vms; none: no pool, PVC makes its own)
source "$(dirname "$0")/lib.sh"

STATE=${PVCKIT_STATE:-/tmp/pvckit}
state_dir "$STATE"
NET=${NODE_NET:-10.77.0}
ADDRESS=${CEPH_ADDRESS:-$NET.254}
PORT=${CEPH_MON_PORT:-3300}
POOL=${CEPH_POOL:-vms}
DIR="$STATE/ceph"
CONF="$DIR/ceph.conf"
[[ "$ADDRESS" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "CEPH_ADDRESS must be an IPv4 address"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "CEPH_MON_PORT must be a number"
[[ "$POOL" =~ ^[a-z][a-z0-9_-]*$ ]] || die "CEPH_POOL: lower-case letters, digits, '_' and '-'"

# The nodes' network when Ceph sits on the nodes' bridge (OSDs that pvcd starts on a node find their address in
# it), else Ceph's own address.
if [[ "$ADDRESS" == "$NET".* ]]; then PUBLIC="$NET.0/24"; else PUBLIC="$ADDRESS/32"; fi

ceph_cli() { ceph --conf "$CONF" --connect-timeout 10 "$@"; }

write_conf() {
  local fsid=$1 size=$2
  cat >"$CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:$ADDRESS:$PORT
public network = $PUBLIC
ms bind ipv4 = true
ms bind ipv6 = false
osd objectstore = memstore
memstore device bytes = 1073741824
osd pool default size = $size
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
osd pool default pg autoscale mode = off
auth allow insecure global id reclaim = false
mon warn on pool no redundancy = false
mon data avail warn = 1
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
mon data = $DIR/mon/\$name
mgr data = $DIR/mgr/\$name
osd data = $DIR/osd/\$name
[client.admin]
keyring = $DIR/ceph.client.admin.keyring
[mon]
keyring = $DIR/mon/\$name/keyring
[mgr]
keyring = $DIR/mgr/\$name/keyring
[osd]
keyring = $DIR/osd/\$name/keyring
CONF
}

start() {
  local osds=${1:-3} fsid n uuid id
  [[ "$osds" =~ ^[1-9]$ ]] || die "from 1 to 9 OSDs"
  if pid_alive "$DIR/mon.pid" && ceph_cli health >/dev/null 2>&1; then
    log "Ceph already running at $ADDRESS:$PORT"
    return 0
  fi
  for tool in ceph-mon ceph-mgr ceph-osd ceph ceph-authtool monmaptool rbd; do
    command -v "$tool" >/dev/null || die "$tool is missing: run Scripts/install-deps.sh ceph"
  done
  stop_all
  rm -rf "$DIR"
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/mon/mon.a" "$DIR/mgr/mgr.x"
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid" "$((osds < 3 ? osds : 3))"
  ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$DIR/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:$ADDRESS:$PORT]" "$DIR/monmap" >/dev/null
  ceph-mon --conf "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring"
  cp "$DIR/mon.keyring" "$DIR/mon/mon.a/keyring"
  start_daemon "$DIR/mon.pid" "$DIR/log/mon.out" ceph-mon --conf "$CONF" -i a -f
  wait_for 30 "the Ceph monitor" ceph_cli health
  ceph_cli auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
    -o "$DIR/mgr/mgr.x/keyring" >/dev/null
  start_daemon "$DIR/mgr.pid" "$DIR/log/mgr.out" ceph-mgr --conf "$CONF" -i x -f
  for ((n = 0; n < osds; n++)); do
    uuid=$(cat /proc/sys/kernel/random/uuid)
    id=$(ceph_cli osd new "$uuid")
    mkdir -p "$DIR/osd/osd.$id"
    ceph-osd --conf "$CONF" -i "$id" --mkfs --no-mon-config --osd-uuid "$uuid" --mkkey >/dev/null 2>&1
    ceph_cli auth add "osd.$id" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
      -i "$DIR/osd/osd.$id/keyring" >/dev/null
    start_daemon "$DIR/osd.$id.pid" "$DIR/log/osd.$id.out" ceph-osd --conf "$CONF" -i "$id" -f
  done
  wait_for 60 "$osds Ceph OSDs up" sh -c "ceph --conf '$CONF' osd stat -f json | grep -q '\"num_up_osds\":$osds'"
  # Prometheus metrics from the manager (pvcapi's /metrics/ceph), on the cluster's address only: two clusters on
  # one machine (make test's and make run's) must not both take port 9283 on every address. (--force: the monitor
  # may not know the module's options before the manager has reported them.)
  ceph_cli config set mgr mgr/prometheus/server_addr "$ADDRESS" --force >/dev/null
  ceph_cli mgr module enable prometheus >/dev/null 2>&1 || true
  if [ "$POOL" != none ]; then
    ceph_cli osd pool create "$POOL" 16 16 >/dev/null 2>&1
    ceph_cli osd pool application enable "$POOL" rbd >/dev/null 2>&1
    rbd --conf "$CONF" pool init "$POOL"
    wait_for 90 "Ceph placement groups active+clean" sh -c \
      "ceph --conf '$CONF' pg stat | grep -qE '^[0-9]+ pgs: [0-9]+ active\\+clean;'"
  fi
  log "Ceph (mon, mgr, $osds memstore OSDs, pool $POOL) at $ADDRESS:$PORT; conf $CONF"
}

stop_all() {
  local pidfile
  for pidfile in "$DIR"/osd.*.pid "$DIR/mgr.pid" "$DIR/mon.pid"; do
    [ -f "$pidfile" ] && stop_daemon "$pidfile" KILL 5
  done
  return 0
}

case ${1:-} in
  start) start "${2:-3}" ;;
  stop)
    stop_all
    rm -rf "$DIR"
    ;;
  conf) echo "$CONF" ;;
  *) die "usage: $0 start [N] | stop | conf" ;;
esac
