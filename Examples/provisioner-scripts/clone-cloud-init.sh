#!/bin/sh
# PVCKit provisioning script: a VM from a copy of a cloud image, told to take its cloud-init data from the
# cluster's metadata service (169.254.169.254 on the primary, which answers each VM with its profile's userdata).
#
# Use it with a storage template whose first disk copies the base image (`-i debian-12-genericcloud`) and a
# network template on a managed network (the service finds the VM by its DHCP lease there).
#
#   pvc provisioner script add clone-cloud-init Examples/provisioner-scripts/clone-cloud-init.sh
#   pvc provisioner profile add web -s small -n nets -t from-image -u basic -x clone-cloud-init
#
# The contract (Documentation/Provisioner.md): called as `script PHASE`, the VM's data as JSON on standard input,
# in an empty scratch directory; exit 0 for success; in `create`, a domain XML printed on standard output
# replaces the one PVCKit made. PVCKit has already copied the base image when `prepare` runs.
#
# This script changes the definition only: it adds SMBIOS data that makes cloud-init (with its default
# datasource list) use the EC2 datasource at 169.254.169.254 without touching the image.
set -eu
phase=${1:?phase}
data=$(cat)

case "$phase" in
  setup)
    command -v python3 >/dev/null || { echo "python3 is needed to read the VM's data" >&2; exit 1; }
    ;;
  create)
    # PVCKit's definition, with an SMBIOS system entry ("Amazon EC2" makes cloud-init's EC2 datasource look
    # at 169.254.169.254 on any hypervisor) and the instance's UUID as its serial.
    printf '%s' "$data" | python3 -c '
import json, sys
data = json.load(sys.stdin)
xml = data["xml"]
sysinfo = ("<sysinfo type=\"smbios\"><system><entry name=\"manufacturer\">Amazon EC2</entry>"
           "<entry name=\"product\">PVC</entry><entry name=\"serial\">ec2%s</entry></system></sysinfo>"
           % data["vm"]["uuid"][3:])
xml = xml.replace("<os>", sysinfo + "\n  <os>", 1).replace("</os>", "<smbios mode=\"sysinfo\"/></os>", 1)
print(xml)
'
    ;;
  prepare | install | cleanup)
    # Nothing to do: the disks are copies of the base image, and the image's own cloud-init does the rest.
    ;;
  *)
    echo "unknown phase $phase" >&2
    exit 2
    ;;
esac
