#!/usr/bin/env bash
# One IPMI simulator (OpenIPMI's ipmi_sim) per simulated node, so that fencing
# runs real ipmitool against a real BMC protocol. Each BMC's power control
# acts on its node (Scripts/nodes.sh power-off / power-on): turning the power
# off kills everything in the node's namespace, as pulling the plug would.
#
# Usage:
#   Scripts/ipmi.sh start N      start BMCs for hv1..hvN (no-op for those running)
#   Scripts/ipmi.sh stop [N]     stop every BMC, or node N's (making its IPMI unreachable)
#   Scripts/ipmi.sh address N    print node N's BMC as host:port
#
# Environment:
#   PVCKIT_STATE, NODE_PREFIX, NODE_NET   as for Scripts/nodes.sh
#   IPMI_ADDRESS     the address the BMCs listen on (default: the node bridge, NODE_NET.254)
#   IPMI_PORT_BASE   node N's BMC listens on IPMI_PORT_BASE + N (default 23620)
#   IPMI_USER, IPMI_PASSWORD   the BMCs' administrator (default admin / secret); the BMCs
#                    accept no other user and no login without the password
source "$(dirname "$0")/lib.sh"

STATE=${PVCKIT_STATE:-/tmp/pvckit}
state_dir "$STATE"
NET=${NODE_NET:-10.77.0}
ADDRESS=${IPMI_ADDRESS:-$NET.254}
PORT_BASE=${IPMI_PORT_BASE:-23620}
USER_NAME=${IPMI_USER:-admin}
PASSWORD=${IPMI_PASSWORD:-secret}

bmc_dir() { echo "$STATE/ipmi/hv$1"; }
port() { echo $((PORT_BASE + $1)); }

start_bmc() {
  local n=$1 dir
  dir=$(bmc_dir "$n")
  pid_alive "$dir/ipmi_sim.pid" && return 0
  mkdir -p "$dir/state"
  [[ "$USER_NAME$PASSWORD" =~ ^[A-Za-z0-9_.-]+$ ]] || die "IPMI user and password: letters, digits, '_', '.', '-'"
  cat >"$dir/lan.conf" <<CONF
name "hv$n"
set_working_mc 0x20
  startlan 1
    addr $ADDRESS $(port "$n")
    priv_limit admin
    allowed_auths_callback md5
    allowed_auths_user md5
    allowed_auths_operator md5
    allowed_auths_admin md5
    guid a123456789abcdefa123456789abcd$(printf '%02x' "$n")
  endlan
  chassis_control "$PVCKIT_ROOT/Scripts/ipmi-chassis.sh $n"
  user 2 true "$USER_NAME" "$PASSWORD" admin 10 md5
CONF
  # Without mc_enable no socket opens (and ipmitool waits forever).
  printf '%s\n' "mc_setbmc 0x20" "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr" \
    "mc_enable 0x20" >"$dir/node.emu"
  start_daemon "$dir/ipmi_sim.pid" "$dir/ipmi_sim.log" env PVCKIT_STATE="$STATE" NODE_PREFIX="${NODE_PREFIX:-pk}" \
    NODE_NET="$NET" ipmi_sim -c "$dir/lan.conf" -f "$dir/node.emu" -s "$dir/state" -n
  wait_for 10 "the BMC of hv$n" ipmitool -I lanplus -H "$ADDRESS" -p "$(port "$n")" -U "$USER_NAME" -P "$PASSWORD" \
    -C 3 -N 1 -R 1 chassis power status
}

case ${1:-} in
  start)
    for ((n = 1; n <= ${2:?number of nodes}; n++)); do start_bmc "$n"; done
    log "BMCs of hv1..hv$2 on $ADDRESS:$((PORT_BASE + 1))..$((PORT_BASE + $2))"
    ;;
  stop)
    if [ -n "${2:-}" ]; then
      stop_daemon "$(bmc_dir "$2")/ipmi_sim.pid" TERM 2
    else
      for dir in "$STATE"/ipmi/hv*; do [ -d "$dir" ] && stop_daemon "$dir/ipmi_sim.pid" TERM 2; done
      rm -rf "$STATE/ipmi"
    fi
    ;;
  address) echo "$ADDRESS:$(port "${2:?node}")" ;;
  *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
