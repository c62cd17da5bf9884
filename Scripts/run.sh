#!/usr/bin/env bash
# `make run` / `make stop`: a real PVCKit cluster on this machine.
#
# Starts three nodes hv1-hv3 (network namespaces on the bridge pr-br0, each
# with its own libvirtd, pvcd and IPMI simulator), a 3-server ZooKeeper
# ensemble, Ceph and a 3-node MariaDB Galera (DNS records; PowerDNS runs on
# the primary) on the nodes' bridge, pvcapi on 127.0.0.1:7370 and pvcweb on
# 127.0.0.1:7371, and a tiny demo VM; then prints how to use them. Running it
# again is harmless; `make stop` stops everything by pid file and removes the
# namespaces, the bridge and the state directory.
#
# A second cluster can run beside it with other values of PVCKIT_RUN_STATE,
# PVCKIT_RUN_PREFIX, PVCKIT_RUN_NET, PVCKIT_RUN_ZK_PORT_BASE,
# PVCKIT_RUN_IPMI_PORT_BASE, PVCKIT_RUN_GALERA_PORT_BASE, PVCKIT_RUN_API_PORT and PVCKIT_RUN_WEB_PORT (the
# test of `make run` does so, and leaves a user's cluster alone).
source "$(dirname "$0")/lib.sh"
cd "$PVCKIT_ROOT"

export PVCKIT_STATE=${PVCKIT_RUN_STATE:-/tmp/pvckit-run}
export ZK_PORT_BASE=${PVCKIT_RUN_ZK_PORT_BASE:-2180}
export NODE_PREFIX=${PVCKIT_RUN_PREFIX:-pr}
export NODE_NET=${PVCKIT_RUN_NET:-10.77.1}
export PVCKIT_NODE_NET=$NODE_NET ZK_CLIENT_ADDRESS=$NODE_NET.254
export IPMI_PORT_BASE=${PVCKIT_RUN_IPMI_PORT_BASE:-24620}
export GALERA_PORT_BASE=${PVCKIT_RUN_GALERA_PORT_BASE:-13306}
API_PORT=${PVCKIT_RUN_API_PORT:-7370}
WEB_PORT=${PVCKIT_RUN_WEB_PORT:-7371}
ZK="$PVCKIT_ROOT/Scripts/zookeeper.sh"
NODES="$PVCKIT_ROOT/Scripts/nodes.sh"
IPMI="$PVCKIT_ROOT/Scripts/ipmi.sh"
CEPH="$PVCKIT_ROOT/Scripts/ceph.sh"
GALERA="$PVCKIT_ROOT/Scripts/galera.sh"
TAG=run

start() {
  "$PVCKIT_ROOT/Scripts/install-deps.sh" build zookeeper libvirt ipmi network ceph dns web
  if [ -n "${PVCKIT_RUN_BIN:-}" ]; then
    # Already built binaries (the test of `make run` uses the test build).
    BIN=$PVCKIT_RUN_BIN
  else
    log "building (release; the first build takes several minutes)"
    for product in pvc pvcd pvcapi pvcweb; do swift build -c release --product "$product"; done
    BIN=$(swift build -c release --show-bin-path)
  fi

  state_dir "$PVCKIT_STATE"
  mkdir -p "$PVCKIT_STATE-dynamic" && chmod 0711 "$PVCKIT_STATE-dynamic"
  "$NODES" up 3
  "$ZK" start ensemble
  "$IPMI" start 3
  # Ceph without a pool: PVC makes the VMs' pool itself, below.
  CEPH_POOL=none "$CEPH" start 3
  # The DNS records' database; PVCKit makes its tables.
  "$GALERA" start 3
  HOSTS=$("$ZK" connect ensemble)
  [ -f "$PVCKIT_STATE/pvc.conf" ] || write_config "$HOSTS" "$("$GALERA" connect)" "$("$GALERA" password)"
  export PVC_CONFIG_FILE="$PVCKIT_STATE/pvc.conf"
  TOKEN=$(sed -n 's/^ *token: "\(.*\)"$/\1/p' "$PVC_CONFIG_FILE" | head -1)

  if "$BIN/pvc" cluster status -f short >/dev/null 2>&1; then
    log "cluster already initialized"
  else
    "$BIN/pvc" cluster init --yes
  fi
  for n in 1 2 3; do
    # Each node has its own pvc.conf, as on real machines.
    # Written readable by root only from the first byte (the umask of lib.sh).
    { echo "# Node hv$n."; cat "$PVC_CONFIG_FILE"; } >"$PVCKIT_STATE/nodes/hv$n/pvc.conf"
    if ! pid_alive "$PVCKIT_STATE/nodes/hv$n/pvcd-$TAG.pid"; then
      "$NODES" start-pvcd "$n" "$TAG" "$PVCKIT_STATE/log/pvcd-hv$n.log" "$BIN/pvcd" \
        --config "$PVCKIT_STATE/nodes/hv$n/pvc.conf" \
        --node "hv$n" --libvirt-uri "$("$NODES" uri "$n")" \
        --console-log-directory "$PVCKIT_STATE/nodes/hv$n/root/var/log/libvirt" --auto-ready
    fi
  done
  pid_alive "$PVCKIT_STATE/pvcapi.pid" ||
    start_daemon "$PVCKIT_STATE/pvcapi.pid" "$PVCKIT_STATE/log/pvcapi.log" "$BIN/pvcapi" --config "$PVC_CONFIG_FILE"
  pid_alive "$PVCKIT_STATE/pvcweb.pid" ||
    start_daemon "$PVCKIT_STATE/pvcweb.pid" "$PVCKIT_STATE/log/pvcweb.log" "$BIN/pvcweb" --config "$PVC_CONFIG_FILE" \
      --port "$WEB_PORT"
  wait_for 60 "three nodes in run" sh -c "[ \$('$BIN/pvc' node list -f json | grep -o '\"daemon_state\":\"run\"' | wc -l) -eq 3 ]"
  wait_for 30 "pvcapi" curl -sf -o /dev/null "http://127.0.0.1:$API_PORT/api/v1/"
  wait_for 30 "pvcweb" curl -sf -o /dev/null "http://127.0.0.1:$WEB_PORT/login"

  # Two demo networks: a managed VXLAN with DHCP, IPv6 and a domain (the demo VM's), and a bridged VLAN.
  "$BIN/pvc" network info 100 >/dev/null 2>&1 ||
    "$BIN/pvc" network add 100 --description demo-managed --type managed --domain demo.local \
      --ipnet 10.100.0.0/24 --gateway 10.100.0.1 --dhcp --dhcp-start 10.100.0.100 --dhcp-end 10.100.0.199 \
      --ipnet6 fd00:100::/64 --gateway6 fd00:100::1
  "$BIN/pvc" network info 200 >/dev/null 2>&1 ||
    "$BIN/pvc" network add 200 --description demo-bridged --type bridged
  wait_for 30 "vmbr100 on every node" sh -c "for n in 1 2 3; do ip -n $NODE_PREFIX-hv\$n link show vmbr100 >/dev/null 2>&1 || exit 1; done"
  # The VMs' pool and the demo VM's disk, in Ceph.
  "$BIN/pvc" storage pool list vms >/dev/null 2>&1 ||
    "$BIN/pvc" storage pool add vms 32 --replcfg copies=2,mincopies=1
  "$BIN/pvc" storage volume list demo-disk -p vms >/dev/null 2>&1 ||
    "$BIN/pvc" storage volume add vms demo-disk 1G
  if ! "$BIN/pvc" vm info demo >/dev/null 2>&1; then
    demo_xml >"$PVCKIT_STATE/demo.xml"
    "$BIN/pvc" vm define "$PVCKIT_STATE/demo.xml" --target hv1 --tag demo
    "$BIN/pvc" vm volume add demo vms/demo-disk --bus virtio
    "$BIN/pvc" vm start demo
  fi
  wait_for 60 "the demo VM running" sh -c "'$BIN/pvc' vm info demo -f json | grep -q '\"state\":\"start\"'"
  # A DNS zone of the administrator's, beside the aggregator's demo.local (the demo VM's name).
  "$BIN/pvc" dns zone list example.org -f json 2>/dev/null | grep -q example.org ||
    "$BIN/pvc" dns zone add example.org --nameserver ns1.example.org
  "$BIN/pvc" dns record list example.org --name www -f json | grep -q 10.100.0.10 ||
    "$BIN/pvc" dns record add example.org www A 10.100.0.10
  wait_for 30 "PowerDNS answering on $NODE_NET.250" sh -c "dig @$NODE_NET.250 +short +time=1 +tries=1 www.example.org A | grep -q 10.100.0.10"
  echo
  "$BIN/pvc" node list
  echo
  "$BIN/pvc" vm list
  cat <<TEXT

PVCKit is running: nodes hv1-hv3 (namespaces $NODE_PREFIX-hv1..3 on $NODE_NET.0/24, each with libvirtd, pvcd and
an IPMI simulator and FRR), ZooKeeper at $HOSTS, networks 100 (managed, 10.100.0.0/24 with DHCP) and 200
(bridged), Ceph (a monitor, a manager and 3 in-memory OSDs at $NODE_NET.254) with pool vms, and a demo VM with a
NIC on network 100 and its disk vms/demo-disk in Ceph; a 3-node MariaDB Galera at $("$GALERA" connect) holds the
DNS records, which PowerDNS on the primary answers at $NODE_NET.250 port 53.

  HTTP API   http://127.0.0.1:$API_PORT/api/v1/      key: $TOKEN
  Web UI     http://127.0.0.1:$WEB_PORT/              log in with the same token

Try:
  export PVC_CONFIG_FILE=$PVC_CONFIG_FILE
  $BIN/pvc cluster status
  $BIN/pvc network list
  $BIN/pvc network dhcp list 100          # the demo VM's lease (its firmware asks by DHCP)
  $BIN/pvc vm migrate demo --target hv2 --wait   # live, with its RBD disk
  $BIN/pvc storage status && $BIN/pvc storage volume list
  $BIN/pvc storage volume snapshot add vms demo-disk first
  $BIN/pvc dns zone list && $BIN/pvc dns record list example.org
  dig @$NODE_NET.250 www.example.org && dig @$NODE_NET.250 demo.demo.local   # the demo VM, by its name
  $BIN/pvc node flush hv2 --wait && $BIN/pvc node ready hv2 --wait
  $BIN/pvc connection add local-api -a 127.0.0.1 -p $API_PORT -k $TOKEN && $BIN/pvc -c local-api vm list
  curl -H "X-Api-Key: $TOKEN" http://127.0.0.1:$API_PORT/api/v1/status

Stop everything with: make stop
TEXT
}

# A tiny guest: no disk, a NIC on the managed demo network 100, boots from the network (its firmware takes a
# DHCP lease from the primary's dnsmasq, then finds nothing to boot and tries again), a serial console.
demo_xml() {
  # Software emulation (TCG) even where KVM works: the NIC's network-boot ROM (iPXE) stops with a KVM
  # "emulation failure" on these nested machines, before it asks for an address.
  local type=qemu
  cat <<XML
<domain type='$type'>
  <name>demo</name>
  <uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>
  <description>PVCKit demo VM</description>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
  <devices>
    <interface type='bridge'><mac address='52:54:00:00:01:00'/><source bridge='vmbr100'/><model type='e1000'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
XML
}

write_config() {
  local hosts=$1 galera=$2 password=$3
  cat >"$PVCKIT_STATE/pvc.conf" <<CONF
---
# Generated by Scripts/run.sh for the local PVCKit cluster (upstream PVC layout).
path:
  dynamic_directory: "$PVCKIT_STATE-dynamic"
  system_log_directory: "$PVCKIT_STATE/log"
  console_log_directory: "$PVCKIT_STATE/log/libvirt"
  ceph_directory: "$PVCKIT_STATE/ceph"
subsystem:
  enable_storage: yes
  enable_api: no
cluster:
  name: pvckit-local
  all_nodes: [hv1, hv2, hv3]
  coordinator_nodes: [hv1, hv2, hv3]
  networks:
    upstream:
      domain: "upstream.local"
      device: hvnet0
      mtu: 1500
      ipv4: {netmask: 24, network_address: 10.77.0.0, floating_address: 10.77.0.250, gateway_address: 10.77.0.254}
      node_ip_selection: by-id
    cluster:
      domain: "cluster.local"
      device: hvnet0
      mtu: 1500
      ipv4: {netmask: 24, network_address: $NODE_NET.0, floating_address: $NODE_NET.250}
      node_ip_selection: by-id
    storage:
      domain: "storage.local"
      device: hvnet0
      mtu: 1500
      ipv4: {netmask: 24, network_address: 10.77.2.0, floating_address: 10.77.2.250}
      node_ip_selection: by-id
database:
  zookeeper:
    port: 2181
    hosts: ["$(echo "$hosts" | sed 's/,/", "/g')"]
  mariadb:
    hosts: ["$(echo "$galera" | sed 's/,/", "/g')"]
    dns: {database: pvcdns, username: pvc, password: "$password"}
    api: {database: pvcapi, username: pvc, password: "$password"}
powerdns:
  listen_port: 53
timer:
  vm_shutdown_timeout: 60
  keepalive_interval: 5
fencing:
  disable_on_ipmi_failure: no
  intervals: {fence_intervals: 6, suicide_intervals: 0}
  actions: {successful_fence: migrate, failed_fence: none}
  ipmi: {hostname: "$NODE_NET.254:$((IPMI_PORT_BASE / 10)){node_id}", username: admin, password: secret}
migration:
  target_selector: mem
logging:
  debug_logging: no
guest_networking:
  bridge_device: brupstream
  bridge_mtu: 1500
ceph:
  ceph_config_file: ceph.conf
  ceph_keyring_file: ceph.client.admin.keyring
  monitor_hosts: [$NODE_NET.254]
  monitor_port: 3300
  secret_uuid: "$(cat /proc/sys/kernel/random/uuid)"
api:
  listen: {address: 127.0.0.1, port: $API_PORT}
  authentication: {enabled: yes, secret_key: "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')", source: token}
  token:
    - description: local
      token: "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  ssl: {enabled: no}
CONF
}

stop() {
  stop_daemon "$PVCKIT_STATE/pvcweb.pid" TERM 10
  stop_daemon "$PVCKIT_STATE/pvcapi.pid" TERM 10
  for n in 1 2 3; do [ -d "$PVCKIT_STATE/nodes/hv$n" ] && "$NODES" stop-pvcd "$n" "$TAG"; done
  "$IPMI" stop
  "$CEPH" stop
  "$GALERA" stop
  "$NODES" down
  "$ZK" stop all
  # The nodes' servers' files (dnsmasq, FRR): outside the private state directory, FRR runs as user frr.
  rm -rf "$PVCKIT_STATE" "$PVCKIT_STATE-dynamic"
  log "stopped; $PVCKIT_STATE removed"
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  *) die "usage: $0 start|stop" ;;
esac
