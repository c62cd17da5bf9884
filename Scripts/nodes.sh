#!/usr/bin/env bash
# Simulated PVC nodes on one machine: each node is a network namespace joined
# to a bridge, running its own libvirtd (TCP, for live migration) with private
# copies of libvirt's directories.
#
# Usage:
#   Scripts/nodes.sh up N        create nodes hv1..hvN (no-op for those running)
#   Scripts/nodes.sh down        stop every node's daemons by pid, remove namespaces and the bridge
#   Scripts/nodes.sh status      list nodes and their libvirtd
#   Scripts/nodes.sh address N   print node N's address
#   Scripts/nodes.sh uri N       print node N's libvirt URI
#   Scripts/nodes.sh start-pvcd N TAG LOG CMD...  run CMD (a pvcd) inside node N, pid file per TAG
#   Scripts/nodes.sh stop-pvcd N TAG              stop it (SIGTERM, then SIGKILL after 40 s)
#   Scripts/nodes.sh power-off N  pull node N's plug: SIGKILL every process in its namespace
#   Scripts/nodes.sh power-on N   boot node N again: libvirtd, then the pvcd commands it ran
#   Scripts/nodes.sh power N      print 1 if node N has power, else 0
#   Scripts/nodes.sh stop-libvirtd N   stop node N's libvirtd alone (by pid; its guests run on)
#   Scripts/nodes.sh start-libvirtd N  start it again
#   Scripts/nodes.sh cut N        drop all of node N's network traffic (nftables in its namespace)
#   Scripts/nodes.sh restore N    undo cut
#
# Environment:
#   PVCKIT_STATE   state directory (default /tmp/pvckit)
#   NODE_PREFIX    prefix of namespace, bridge and link names (default pk)
#   NODE_NET       first three octets of the node network (default 10.77.0);
#                  node N is .N, the bridge (this host's side) is .254
source "$(dirname "$0")/lib.sh"

STATE=${PVCKIT_STATE:-/tmp/pvckit}
state_dir "$STATE"
PREFIX=${NODE_PREFIX:-pk}
NET=${NODE_NET:-10.77.0}
BRIDGE="$PREFIX-br0"

node_dir() { echo "$STATE/nodes/hv$1"; }
namespace() { echo "$PREFIX-hv$1"; }
address() { echo "$NET.$1"; }

# The host's guard: only root's processes on this machine reach the node network
# (libvirtd there takes connections without authentication, as a node's cluster
# network would; VNC, ZooKeeper and the BMCs listen there too).
GUARD="pvckit_${PREFIX//[^A-Za-z0-9_]/_}"

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.254/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
  fi
  if ! nft list table ip "$GUARD" >/dev/null 2>&1; then
    # Root, and user mysql when it exists (Galera's nodes, on the bridge address, reach each other as mysql).
    local allowed=0
    id -u mysql >/dev/null 2>&1 && allowed="{ 0, $(id -u mysql) }"
    nft -f - <<NFT
table ip $GUARD {
  chain output {
    type filter hook output priority 0; policy accept;
    ip daddr $NET.0/24 meta skuid != $allowed drop
  }
}
NFT
  fi
}

# Directories libvirt writes to, given private copies per node.
PRIVATE_DIRS=(/etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt)

write_libvirt_config() {
  local n=$1 dir root
  dir=$(node_dir "$n")
  root="$dir/root"
  for d in "${PRIVATE_DIRS[@]}"; do mkdir -p "$root$d"; done
  if [ ! -f "$root/etc/libvirt/.copied" ]; then
    cp -a /etc/libvirt/. "$root/etc/libvirt/"
    cp -a /var/lib/libvirt/. "$root/var/lib/libvirt/" 2>/dev/null || true
    touch "$root/etc/libvirt/.copied"
  fi
  cat >"$root/etc/libvirt/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "$(address "$n")"
auth_tcp = "none"
auth_unix_rw = "none"
host_uuid = "00000000-0000-4000-8000-$(printf '%012d' "$n")"
log_outputs = "3:file:$dir/libvirtd.log"
CONF
  cat >"$root/etc/libvirt/qemu.conf" <<CONF
cgroup_controllers = [ ]
stdio_handler = "file"
migration_address = "$(address "$n")"
migration_host = "$(address "$n")"
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
vnc_listen = "$(address "$n")"
CONF
}

start_node() {
  local n=$1 ns dir root mounts
  ns=$(namespace "$n")
  dir=$(node_dir "$n")
  root="$dir/root"
  if pid_alive "$dir/libvirtd.pid" libvirtd; then return 0; fi
  ensure_bridge
  if ! ip netns list | grep -qw "$ns"; then
    ip netns add "$ns"
    ip link add "$ns-v" type veth peer name hvnet0 netns "$ns"
    ip link set "$ns-v" master "$BRIDGE" up
    ip -n "$ns" addr add "$(address "$n")/24" dev hvnet0
    ip -n "$ns" link set hvnet0 up
    ip -n "$ns" link set lo up
  fi
  mkdir -p "$dir"
  write_libvirt_config "$n"
  mounts=""
  for d in "${PRIVATE_DIRS[@]}"; do mounts+="mount --bind '$root$d' '$d'; "; done
  # `ip netns exec` gives the commands a private mount namespace: the bind
  # mounts are seen by this node's daemons only.
  # libvirtd and virtlogd daemonize: they must not keep the caller's descriptors.
  (close_inherited_fds; exec ip netns exec "$ns" sh -c "$mounts
    virtlogd -d -p '$dir/virtlogd.pid'
    libvirtd -d --listen -p '$dir/libvirtd.pid'" </dev/null >>"$dir/start.log" 2>&1)
  wait_for 60 "libvirtd of hv$n" virsh -q -c "$(uri "$n")" version
}

uri() { echo "qemu+tcp://$(address "$1")/system"; }

# with_node_lock N CMD...: runs CMD holding node N's lock, so that a power-on from
# its BMC and one from a test never interleave: each pvcd command then runs once,
# under its one pid file.
with_node_lock() {
  local dir
  dir=$(node_dir "$1")
  mkdir -p "$dir"
  (
    flock 9
    "${@:2}"
  ) 9>"$dir/lock"
}

# start_pvcd N TAG LOG CMD... starts CMD in node N's namespace and remembers it for power-on.
start_pvcd() {
  local n=$1 tag=$2 logfile=$3 dir
  shift 3
  dir=$(node_dir "$n")
  [[ "$tag" =~ ^[A-Za-z0-9_.-]+$ ]] || die "invalid tag '$tag'"
  printf '%s\n' "$logfile" "$@" >"$dir/pvcd-$tag.cmd"
  start_daemon "$dir/pvcd-$tag.pid" "$logfile" ip netns exec "$(namespace "$n")" "$@"
}

stop_pvcd() {
  local n=$1 tag=$2 dir
  dir=$(node_dir "$n")
  rm -f "$dir/pvcd-$tag.cmd"
  stop_daemon "$dir/pvcd-$tag.pid" TERM 40
}

# power_off N: everything in the node's namespace dies at once, as in a power cut.
power_off() {
  local n=$1 dir ns pid
  dir=$(node_dir "$n")
  ns=$(namespace "$n")
  echo 0 >"$dir/power"
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$dir"/pvcd-*.pid "$dir"/pvcd-*.pid.start "$dir/libvirtd.pid" "$dir/virtlogd.pid"
}

# power_on N: the node boots: its libvirtd, then every pvcd command it was running.
power_on() {
  local n=$1 dir cmd logfile args
  dir=$(node_dir "$n")
  echo 1 >"$dir/power"
  (start_node "$n") || log "hv$n: libvirtd did not come up (is its network cut?)"
  for cmd in "$dir"/pvcd-*.cmd; do
    [ -f "$cmd" ] || continue
    mapfile -t args <"$cmd"
    logfile=${args[0]}
    local tag=${cmd##*/pvcd-}
    tag=${tag%.cmd}
    pid_alive "$dir/pvcd-$tag.pid" && continue
    start_daemon "$dir/pvcd-$tag.pid" "$logfile" ip netns exec "$(namespace "$n")" "${args[@]:1}"
  done
}

cut_network() {
  ip netns exec "$(namespace "$1")" nft -f - <<'NFT'
table inet pvckit_cut {
  chain input { type filter hook input priority -300; policy drop; iif "lo" accept; }
  chain output { type filter hook output priority -300; policy drop; oif "lo" accept; }
}
NFT
}

restore_network() {
  ip netns exec "$(namespace "$1")" nft delete table inet pvckit_cut 2>/dev/null || true
}

stop_node() {
  local n=$1 dir ns pidfile
  dir=$(node_dir "$n")
  ns=$(namespace "$n")
  for pidfile in "$dir"/pvcd-*.pid; do [ -f "$pidfile" ] && stop_daemon "$pidfile" KILL 1; done
  # Guests first (their QEMU processes live in the node's namespace), then the daemons.
  if [ -d "$dir/root/run/libvirt/qemu" ]; then
    for pidfile in "$dir"/root/run/libvirt/qemu/*.pid; do
      [ -f "$pidfile" ] && stop_daemon "$pidfile" KILL 1 qemu
    done
  fi
  stop_daemon "$dir/libvirtd.pid" TERM 5 libvirtd
  stop_daemon "$dir/virtlogd.pid" TERM 2 virtlogd
  # What pvcd started in the node and left running (dnsmasq, FRR): by pid, from the namespace's own list.
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$ns-v" 2>/dev/null || true
}

known_nodes() {
  ls -d "$STATE"/nodes/hv* 2>/dev/null | sed 's/.*hv//' | sort -n
}

cmd_down() {
  local n
  for n in $(known_nodes); do stop_node "$n"; done
  # Test guests (namespaces plugged into the nodes' bridges, see NetworkGuest).
  for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX-g-" || true); do ip netns del "$ns" 2>/dev/null || true; done
  ip link del "$BRIDGE" 2>/dev/null || true
  nft delete table ip "$GUARD" 2>/dev/null || true
  rm -rf "$STATE/nodes"
}

case ${1:-} in
  up)
    for ((n = 1; n <= ${2:?number of nodes}; n++)); do start_node "$n"; done
    log "nodes hv1..hv$2 up on $NET.0/24 (bridge $BRIDGE)"
    ;;
  down) cmd_down ;;
  status)
    for n in $(known_nodes); do
      echo "hv$n $(address "$n") libvirtd $(pid_alive "$(node_dir "$n")/libvirtd.pid" libvirtd && echo running || echo stopped)"
    done
    ;;
  address) address "${2:?node}" ;;
  uri) uri "${2:?node}" ;;
  stop-node) stop_node "${2:?node}" ;;
  start-node) start_node "${2:?node}" ;;
  # Not under the node's lock: daemons of different tests (tags) start and stop on a node at the same time, and a
  # graceful stop may take tens of seconds.
  start-pvcd) start_pvcd "${2:?node}" "${3:?tag}" "${4:?log file}" "${@:5}" ;;
  stop-pvcd) stop_pvcd "${2:?node}" "${3:?tag}" ;;
  power-off) with_node_lock "${2:?node}" power_off "$2" ;;
  power-on) with_node_lock "${2:?node}" power_on "$2" ;;
  power) cat "$(node_dir "${2:?node}")/power" 2>/dev/null || echo 1 ;;
  stop-libvirtd) stop_daemon "$(node_dir "${2:?node}")/libvirtd.pid" TERM 5 libvirtd ;;
  start-libvirtd) start_node "${2:?node}" ;;
  cut) cut_network "${2:?node}" ;;
  restore) restore_network "${2:?node}" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
