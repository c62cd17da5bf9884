#!/usr/bin/env bash
# guest-image.sh DIR: makes the tiny real guest the tests boot (a Debian cloud kernel and an initramfs with
# busybox) in DIR as vmlinuz and initrd.img, unless they are there already; prints DIR.
#
# The guest brings eth0 up (virtio-net) with DHCP, and when its kernel command line says
# `pvc.fetch=URL`, prints what it fetched from the URL on its serial console between the lines
# `PVC-FETCH-BEGIN` and `PVC-FETCH-END` (or `PVC-FETCH-FAILED`). Then it runs a shell on the serial console.
source "$(dirname "$0")/lib.sh"

dir=${1:?usage: guest-image.sh DIR}
mkdir -p "$dir"
[ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ] && { echo "$dir"; exit 0; }

kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1)
[ -n "$kernel" ] || die "no cloud kernel in /boot: install-deps.sh guest installs linux-image-cloud-amd64"
version=${kernel#/boot/vmlinuz-}
modules=/lib/modules/$version

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,lib/modules,usr/share/udhcpc}
cp /usr/bin/busybox "$root/bin/busybox"
# busybox and the libraries it is linked with.
for lib in $(ldd /usr/bin/busybox | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
for applet in sh mount ip udhcpc wget cat echo sleep insmod setsid cttyhack ls ps grep route sed tr cut head tail true poweroff uname timeout [ test hostname; do
  ln -s busybox "$root/bin/$applet"
done

# virtio-net and what it needs, in load order.
wanted=()
add_module() {
  local name=$1 dep
  for dep in $(modinfo -k "$version" -F depends "$name" 2>/dev/null | tr ',' ' '); do add_module "$dep"; done
  [[ " ${wanted[*]} " == *" $name "* ]] || wanted+=("$name")
}
add_module virtio_pci
add_module virtio_net
: >"$root/modules"
for name in "${wanted[@]}"; do
  file=$(modinfo -k "$version" -n "$name" 2>/dev/null) || continue
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
echo "$dir"
