#!/bin/sh
# PVCKit provisioning script: installs Debian into the VM's first disk with debootstrap, as upstream's
# 3-debootstrap example does, through qemu-nbd (the disk is an RBD volume PVCKit made from the storage
# template: give it a filesystem and mountpoint "/" there).
#
#   pvc provisioner script add debootstrap Examples/provisioner-scripts/debootstrap-install.sh
#   pvc provisioner profile add deb -s small -n nets -t root-disk -u basic -x debootstrap -a release=bookworm
#
# Needs on the primary: debootstrap, qemu-utils (qemu-nbd with RBD: qemu-block-extra) and the nbd kernel module.
# Arguments: release (default bookworm), mirror (default http://deb.debian.org/debian).
set -eu
phase=${1:?phase}
data=$(cat)
value() { printf '%s' "$data" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

disk=$(value 'd["vm"]["disks"][0]["pool"] + "/" + d["vm"]["disks"][0]["volume"] if d["vm"]["disks"] else ""')
release=$(value 'd["vm"]["arguments"].get("release", "bookworm")')
mirror=$(value 'd["vm"]["arguments"].get("mirror", "http://deb.debian.org/debian")')
target="$HOME/target"

case "$phase" in
  setup)
    for tool in debootstrap qemu-nbd python3 mkfs.ext4; do
      command -v "$tool" >/dev/null || { echo "$tool is not installed on the primary" >&2; exit 1; }
    done
    [ -n "$disk" ] || { echo "the profile's storage template has no disk" >&2; exit 1; }
    ;;
  create)
    ;;  # PVCKit's definition
  prepare)
    modprobe nbd max_part=8
    qemu-nbd --connect=/dev/nbd0 --format=raw "rbd:$disk"
    mkfs.ext4 -q -L root /dev/nbd0
    mkdir -p "$target"
    mount /dev/nbd0 "$target"
    ;;
  install)
    debootstrap --include=linux-image-amd64,cloud-init,grub-pc "$release" "$target" "$mirror"
    echo "$(value 'd["vm"]["name"]')" >"$target/etc/hostname"
    ;;
  cleanup)
    umount "$target" 2>/dev/null || true
    qemu-nbd --disconnect /dev/nbd0 2>/dev/null || true
    ;;
  *)
    echo "unknown phase $phase" >&2
    exit 2
    ;;
esac
