#!/bin/sh
# PVCKit provisioning script: a VM installed from an uploaded OVA image.
#
# `pvc provisioner ova upload NAME FILE -p POOL` converts each of the archive's disks into a volume
# (ova_NAME_sda, ...) and makes a system template and a profile NAME of type ova, which uses the script named
# `ova` when there is one. Add this script under that name before uploading (or set it on the profile after):
#
#   pvc provisioner script add ova Examples/provisioner-scripts/ova-install.sh
#   pvc provisioner ova upload appliance appliance.ova -p vms
#   pvc provisioner profile modify appliance -n lan        # the NICs: a network template of your own
#   pvc provisioner create app1 appliance --wait
#
# PVCKit copies the OVA's volumes into the VM's own (app1_sda, ...) before `prepare`. What is left to do is what
# makes an appliance built for another hypervisor boot here: most OVA guests have no virtio drivers, so this
# script gives the definition the disk bus and NIC model they expect. Arguments (profile or create, `arg=k=v`):
#   disk_bus=sata|scsi|ide|virtio   (default sata)
#   nic_model=e1000|rtl8139|virtio  (default e1000)
#   firmware=bios|efi               (default bios)
#
# The contract is in Documentation/Provisioner.md: `script PHASE`, the VM's data as JSON on standard input;
# in `create`, a domain XML printed on standard output replaces the one PVCKit made.
set -eu
phase=${1:?phase}
data=$(cat)

case "$phase" in
  setup)
    command -v python3 >/dev/null || { echo "python3 is needed to read the VM's data" >&2; exit 1; }
    ;;
  create)
    printf '%s' "$data" | python3 -c '
import json, re, sys
data = json.load(sys.stdin)
arguments = data["vm"].get("arguments", {})
bus = arguments.get("disk_bus", "sata")
model = arguments.get("nic_model", "e1000")
firmware = arguments.get("firmware", "bios")
if bus not in ("sata", "scsi", "ide", "virtio"):
    sys.exit("disk_bus must be sata, scsi, ide or virtio, not %r" % bus)
if model not in ("e1000", "rtl8139", "virtio"):
    sys.exit("nic_model must be e1000, rtl8139 or virtio, not %r" % model)
if firmware not in ("bios", "efi"):
    sys.exit("firmware must be bios or efi, not %r" % firmware)
xml = data["xml"]
prefix = {"sata": "sd", "scsi": "sd", "ide": "hd", "virtio": "vd"}[bus]
count = [0]
def disk(match):
    name = prefix + chr(ord("a") + count[0])
    count[0] += 1
    return "<target dev=\"%s\" bus=\"%s\"/>" % (name, bus)
xml = re.sub(r"<target dev=.[a-z]+. bus=.scsi./>", disk, xml)
xml = re.sub(r"<model type=.virtio./>", "<model type=\"%s\"/>" % model, xml)
if firmware == "efi":
    xml = xml.replace("<os>", "<os firmware=\"efi\">", 1)
print(xml)
'
    ;;
  prepare | install | cleanup)
    # Nothing to do: the disks are copies of the OVA's, converted to raw when it was uploaded.
    ;;
  *)
    echo "unknown phase $phase" >&2
    exit 2
    ;;
esac
