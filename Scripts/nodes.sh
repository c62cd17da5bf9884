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
#
# Environment:
#   PVCKIT_STATE   state directory (default /tmp/pvckit)
#   NODE_PREFIX    prefix of namespace, bridge and link names (default pk)
#   NODE_NET       first three octets of the node network (default 10.77.0);
#                  node N is .N, the bridge (this host's side) is .254
source "$(dirname "$0")/lib.sh"

STATE=${PVCKIT_STATE:-/tmp/pvckit}
PREFIX=${NODE_PREFIX:-pk}
NET=${NODE_NET:-10.77.0}
BRIDGE="$PREFIX-br0"

node_dir() { echo "$STATE/nodes/hv$1"; }
namespace() { echo "$PREFIX-hv$1"; }
address() { echo "$NET.$1"; }

ensure_bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.254/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
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
  if pid_alive "$dir/libvirtd.pid"; then return 0; fi
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
  ip netns exec "$ns" sh -c "$mounts
    virtlogd -d -p '$dir/virtlogd.pid'
    libvirtd -d --listen -p '$dir/libvirtd.pid'" </dev/null >>"$dir/start.log" 2>&1
  wait_for 60 "libvirtd of hv$n" virsh -q -c "$(uri "$n")" version
}

uri() { echo "qemu+tcp://$(address "$1")/system"; }

stop_node() {
  local n=$1 dir ns
  dir=$(node_dir "$n")
  ns=$(namespace "$n")
  # Guests first (their QEMU processes live in the node's namespace), then the daemons.
  if [ -d "$dir/root/run/libvirt/qemu" ]; then
    for pidfile in "$dir"/root/run/libvirt/qemu/*.pid; do
      [ -f "$pidfile" ] && stop_daemon "$pidfile" KILL 1
    done
  fi
  stop_daemon "$dir/libvirtd.pid" TERM 5
  stop_daemon "$dir/virtlogd.pid" TERM 2
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$ns-v" 2>/dev/null || true
}

known_nodes() {
  ls -d "$STATE"/nodes/hv* 2>/dev/null | sed 's/.*hv//' | sort -n
}

cmd_down() {
  local n
  for n in $(known_nodes); do stop_node "$n"; done
  ip link del "$BRIDGE" 2>/dev/null || true
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
      echo "hv$n $(address "$n") libvirtd $(pid_alive "$(node_dir "$n")/libvirtd.pid" && echo running || echo stopped)"
    done
    ;;
  address) address "${2:?node}" ;;
  uri) uri "${2:?node}" ;;
  stop-node) stop_node "${2:?node}" ;;
  start-node) start_node "${2:?node}" ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
