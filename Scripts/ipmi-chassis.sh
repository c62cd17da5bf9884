#!/usr/bin/env bash
# Power control of a simulated node's BMC, called by ipmi_sim as
# `ipmi-chassis.sh N 0x20 get power` or `... set power 0|1` / `set reset 1`.
# Power state lives in the node's directory (see Scripts/nodes.sh power).
set -euo pipefail
n=$1
shift
nodes="$(dirname "$0")/nodes.sh"
while [ $# -gt 0 ] && [ "$1" != get ] && [ "$1" != set ]; do shift; done
op=${1:-}
shift || true
if [ "$op" = get ]; then
  for parameter in "$@"; do
    [ "$parameter" = power ] && echo "power:$("$nodes" power "$n")"
  done
  exit 0
fi
while [ $# -ge 2 ]; do
  case "$1:$2" in
    power:0) "$nodes" power-off "$n" ;;
    power:1 | reset:1)
      [ "$1" = reset ] && "$nodes" power-off "$n"
      # Booting takes a while: answer the BMC at once.
      echo 1 >"${PVCKIT_STATE:-/tmp/pvckit}/nodes/hv$n/power"
      setsid "$nodes" power-on "$n" </dev/null >>"${PVCKIT_STATE:-/tmp/pvckit}/nodes/hv$n/boot.log" 2>&1 &
      ;;
  esac
  shift 2
done
