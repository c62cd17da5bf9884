#!/usr/bin/env bash
# guest-image.sh DIR: makes the tiny real guest the tests boot (a Debian cloud kernel and an initramfs with
# busybox) in DIR as vmlinuz and initrd.img, unless they are there already; prints DIR.
#
# The guest brings eth0 up (virtio-net) with DHCP, and when its kernel command line says
# `pvc.fetch=URL`, prints what it fetched from the URL on its serial console between the lines
# `PVC-FETCH-BEGIN` and `PVC-FETCH-END` (or `PVC-FETCH-FAILED`). When its definition has a QEMU guest agent
# channel (org.qemu.guest_agent.0), it runs Debian's qemu-ga on it, with an ext2 filesystem on /data to freeze (the
# snapshot tests freeze through it). Then it
# runs a shell on the serial console.
source "$(dirname "$0")/lib.sh"

dir=${1:?usage: guest-image.sh DIR}
mkdir -p "$dir"
# Made again when this script's guest changes (an older image in a kept state directory lacks what is new).
image_version=3
[ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] && [ "$(cat "$dir/version" 2>/dev/null)" = "$image_version" ] && {
  echo "$dir"
  exit 0
}
[ -x /usr/sbin/qemu-ga ] || die "no /usr/sbin/qemu-ga: install-deps.sh guest installs qemu-guest-agent"

kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] || die "no cloud kernel in /boot: install-deps.sh guest installs linux-image-cloud-amd64"
kernel_version=${kernel#/boot/vmlinuz-}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,var/run,lib/modules,usr/share/udhcpc}
cp /usr/bin/busybox "$root/bin/busybox"
cp /usr/sbin/qemu-ga "$root/sbin/qemu-ga"
# busybox, qemu-ga and the libraries they are linked with.
for lib in $( (ldd /usr/bin/busybox; ldd /usr/sbin/qemu-ga) | grep -o '/[^ ]*' | sort -u); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
for applet in sh mount ip udhcpc wget cat echo sleep insmod setsid cttyhack ls ps grep route sed tr cut head tail true poweroff uname timeout [ test hostname basename dd losetup mke2fs mkdir sync; do
  ln -s busybox "$root/bin/$applet"
done

# virtio-net and what it needs, in load order.
wanted=()
add_module() {
  local name=$1 dep
  for dep in $(modinfo -k "$kernel_version" -F depends "$name" 2>/dev/null | tr ',' ' '); do add_module "$dep"; done
  [[ " ${wanted[*]} " == *" $name "* ]] || wanted+=("$name")
}
add_module virtio_pci
add_module virtio_net
add_module virtio_console
add_module loop
: >"$root/modules"
for name in "${wanted[@]}"; do
  file=$(modinfo -k "$kernel_version" -n "$name" 2>/dev/null) || continue
  [ "$file" = "(builtin)" ] && continue
  base=$(basename "$file")
  case $file in
    *.ko.xz) xz -dc "$file" >"$root/lib/modules/${base%.xz}"; base=${base%.xz} ;;
    *.ko.zst) zstd -qdc "$file" >"$root/lib/modules/${base%.zst}"; base=${base%.zst} ;;
    *) cp "$file" "$root/lib/modules/$base" ;;
  esac
  echo "$base" >>"$root/modules"
done

cat >"$root/usr/share/udhcpc/default.script" <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    ;;
esac
exit 0
EOF
chmod 755 "$root/usr/share/udhcpc/default.script"

cat >"$root/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for module in $(cat /modules); do insmod /lib/modules/$module 2>/dev/null; done
ip link set lo up
# The QEMU guest agent, on its virtio-serial port when the definition has one, with a small ext2 filesystem
# on /data (on a loop device) for it to freeze.
for port in /sys/class/virtio-ports/*; do
  [ "$(cat "$port/name" 2>/dev/null)" = org.qemu.guest_agent.0 ] || continue
  dd if=/dev/zero of=/tmp/data.img bs=1024 count=4096 2>/dev/null
  mkdir -p /data
  losetup /dev/loop0 /tmp/data.img && mke2fs -q /dev/loop0 && mount -t ext2 /dev/loop0 /data && echo "guest" >/data/id
  /sbin/qemu-ga -m virtio-serial -p "/dev/$(basename "$port")" -f /run/qemu-ga.pid -t /run -d && echo "PVC-GUEST-AGENT"
done
ip link set eth0 up
hostname=$(sed -n 's/.*pvc.hostname=\([^ ]*\).*/\1/p' /proc/cmdline)
echo "PVC-GUEST-UP"
tries=0
until udhcpc -i eth0 -s /usr/share/udhcpc/default.script -q -n -t 5 -T 1 -x hostname:"${hostname:-guest}" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ $tries -ge 30 ] && break
done
echo "PVC-GUEST-ADDRESS $(ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')"
url=$(sed -n 's/.*pvc.fetch=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$url" ]; then
  tries=0
  while [ $tries -lt 30 ]; do
    if body=$(timeout 10 wget -q -O - "$url"); then
      echo "PVC-FETCH-BEGIN"
      echo "$body"
      echo "PVC-FETCH-END"
      break
    fi
    tries=$((tries + 1))
    sleep 1
  done
  [ $tries -lt 30 ] || echo "PVC-FETCH-FAILED"
fi
while true; do setsid cttyhack sh; sleep 1; done
EOF
chmod 755 "$root/init"

cp "$kernel" "$dir/vmlinuz.new"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$dir/initrd.img.new"
mv "$dir/vmlinuz.new" "$dir/vmlinuz"
mv "$dir/initrd.img.new" "$dir/initrd.img"
chmod 644 "$dir/vmlinuz" "$dir/initrd.img"
echo "$image_version" >"$dir/version"
echo "$dir"
