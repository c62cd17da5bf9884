#!/usr/bin/env bash
# Debian 12 packages of PVCKit, and a clean Debian root to install them into.
#
# Usage:
#   Scripts/deb.sh build [--debug] [--out DIR]
#       `make deb`: release builds of pvc, pvcd, pvcapi and pvcweb packaged as pvc, pvcd, pvcapi, pvcweb and
#       pvckit-common (the Swift runtime libraries they share, /etc/pvc/pvc.conf, the documentation) in DIR
#       (default .build/deb). --debug packages the debug build as it is (what `make test` installs: a release
#       build would double the test's build time); the packages are laid out the same.
#   Scripts/deb.sh root DIR
#       a minimal Debian 12 root filesystem in DIR, made by debootstrap from this machine's configured mirror
#       (kept when it is already there), with systemd and the Debian packages the PVCKit packages depend on
#       already installed (so that `make test` can prepare it while it builds).
#   Scripts/deb.sh install DIR DEB...
#       installs the packages into the root DIR with apt-get (their dependencies from the same mirror).
#   Scripts/deb.sh chroot DIR CMD...
#       runs CMD inside the root DIR with /proc, /sys, /dev and /run/netns mounted (in a private mount namespace:
#       nothing stays mounted after CMD ends). Inside `ip netns exec` it runs a node from the root.
source "$(dirname "$0")/lib.sh"

PACKAGING="$PVCKIT_ROOT/Scripts/debian"
SUITE=bookworm
ARCH=$(dpkg --print-architecture)
# What the daemons run: the Debian packages of the services and tools a node uses (see Install.md).
PVC_DEPENDS=""
PVCD_DEPENDS="libvirt-daemon-system, libvirt-clients, ceph-common, mariadb-client, frr, dnsmasq-base, nftables, \
iproute2, ipmitool, qemu-utils"
PVCD_RECOMMENDS="zookeeper, qemu-system-x86, qemu-block-extra, ceph-mon, ceph-mgr, ceph-osd, mariadb-server, \
galera-4, pdns-server, pdns-backend-mysql, smartmontools"
PVCAPI_DEPENDS="ceph-common, qemu-utils"
PVCWEB_DEPENDS=""
# The C libraries the programs link (their exact Depends come from dpkg-shlibdeps at build time).
ROOT_LIBRARIES="libzookeeper-mt2 libvirt0 librbd1 librados2 libmariadb3 libxml2"

version() {
  sed -n 's/.*public static let string = "\(.*\)".*/\1/p' "$PVCKIT_ROOT/Sources/PVCKit/Support/PVCKitVersion.swift"
}

# The Debian mirror this machine installs from (deb.debian.org unless apt says otherwise).
mirror() {
  local uri
  uri=$(sed -n 's/^URIs: *\(http[^ ]*debian\)\/*$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 ~ /^http/ && $2 !~ /security/ { print $2; exit }' \
    /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

# stage_control DIR NAME DESCRIPTION DEPENDS [RECOMMENDS] [EXTRA FIELDS]: writes DIR/DEBIAN/control.
stage_control() {
  local dir=$1 name=$2 description=$3 depends=$4 recommends=${5:-} extra=${6:-} size
  size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
  {
    echo "Package: $name"
    echo "Version: $VERSION"
    echo "Architecture: $ARCH"
    echo "Maintainer: PVCKit <pvckit@localhost>"
    echo "Installed-Size: $size"
    echo "Section: admin"
    echo "Priority: optional"
    echo "Homepage: https://github.com/parallelvirtualcluster/pvc"
    [ -n "$depends" ] && echo "Depends: $depends"
    [ -n "$recommends" ] && echo "Recommends: $recommends"
    [ -n "$extra" ] && printf '%s\n' "$extra"
    printf 'Description: %s\n' "$description"
  } >"$dir/DEBIAN/control"
}

# maintainer_scripts DIR UNIT ENABLE: the package's postinst, prerm and postrm for UNIT (ENABLE: yes or no).
maintainer_scripts() {
  local dir=$1 unit=$2 enable=$3 script
  for script in postinst prerm postrm; do
    sed -e "s/@UNIT@/$unit/g" -e "s/@ENABLE@/$enable/g" "$PACKAGING/maintainer/daemon.$script" >"$dir/DEBIAN/$script"
    chmod 0755 "$dir/DEBIAN/$script"
  done
}

# install_binary SRC DEST: a binary whose Swift libraries are found in /usr/lib/pvckit (and nowhere else).
install_binary() {
  install -D -m 0755 "$1" "$2"
  strip --strip-debug "$2"
  patchelf --set-rpath /usr/lib/pvckit "$2"
}

# shlib_depends BINARY...: the Debian packages of the C libraries the binaries link (dpkg-shlibdeps), without
# the Swift runtime (shipped in pvckit-common).
shlib_depends() {
  local work
  work=$(mktemp -d)
  mkdir -p "$work/debian"
  printf 'Source: pvckit\n\nPackage: pvckit\nArchitecture: any\n' >"$work/debian/control"
  (cd "$work" && dpkg-shlibdeps -O --ignore-missing-info -l"$STAGE/pvckit-common/usr/lib/pvckit" "$@" 2>/dev/null) |
    sed -n 's/^shlibs:Depends=//p'
  rm -rf "$work"
}

build() {
  local debug=0 out="$PVCKIT_ROOT/.build/deb" bin toolchain
  while [ $# -gt 0 ]; do
    case $1 in
      --debug) debug=1 ;;
      --out) out=$2; shift ;;
      *) die "unknown option '$1'" ;;
    esac
    shift
  done
  require patchelf dpkg-deb dpkg-shlibdeps
  cd "$PVCKIT_ROOT"
  if [ $debug -eq 1 ]; then
    bin=$(swift build --show-bin-path)
  else
    log "building pvc, pvcd, pvcapi and pvcweb (release)"
    for product in pvc pvcd pvcapi pvcweb; do swift build -c release --product "$product"; done
    bin=$(swift build -c release --show-bin-path)
  fi
  for product in pvc pvcd pvcapi pvcweb; do [ -x "$bin/$product" ] || die "$bin/$product is not built"; done
  VERSION=$(version)
  [ $debug -eq 1 ] && VERSION="$VERSION~debug"
  STAGE=$(mktemp -d)
  chmod 0755 "$STAGE"
  toolchain=$(dirname "$(readlink -f "$(command -v swift)")")/../lib/swift/linux
  toolchain=$(readlink -f "$toolchain")

  # pvckit-common: the Swift runtime libraries the binaries use, found by ldd under the toolchain.
  local common="$STAGE/pvckit-common" lib
  mkdir -p "$common/DEBIAN" "$common/usr/lib/pvckit" "$common/etc/pvc" "$common/usr/share/pvc/plugins" \
    "$common/usr/share/doc/pvckit-common"
  for lib in $(for product in pvc pvcd pvcapi pvcweb; do ldd "$bin/$product"; done |
    awk -v dir="$toolchain/" 'index($3, dir) == 1 { print $3 }' | sort -u); do
    install -m 0644 "$lib" "$common/usr/lib/pvckit/"
    strip --strip-debug "$common/usr/lib/pvckit/$(basename "$lib")"
  done
  [ -n "$(ls "$common/usr/lib/pvckit")" ] || die "no Swift runtime library found under $toolchain"
  install -m 0640 "$PACKAGING/pvc.sample.conf" "$common/etc/pvc/pvc.conf"
  install -m 0644 "$PACKAGING/pvc.sample.conf" "$common/usr/share/doc/pvckit-common/pvc.sample.conf"
  install -m 0644 "$PVCKIT_ROOT"/Documentation/{Install,Operations,HighAvailability,Compatibility,Monitoring}.md \
    "$common/usr/share/doc/pvckit-common/"
  install -m 0644 "$PVCKIT_ROOT/LICENSE" "$common/usr/share/doc/pvckit-common/copyright"
  echo /etc/pvc/pvc.conf >"$common/DEBIAN/conffiles"
  install -m 0755 "$PACKAGING/maintainer/common.postrm" "$common/DEBIAN/postrm"
  stage_control "$common" pvckit-common "PVCKit: files shared by the PVC programs
 The Swift runtime libraries of pvc, pvcd, pvcapi and pvcweb (in /usr/lib/pvckit), the cluster
 configuration /etc/pvc/pvc.conf (a commented sample until it is edited) and the documentation." \
    "$(shlib_depends "$common"/usr/lib/pvckit/*.so)" "" "Conflicts: pvc-daemon-common
Replaces: pvc-daemon-common"

  # The four programs, each with its unit and defaults file.
  local dir
  dir="$STAGE/pvc"
  mkdir -p "$dir/DEBIAN"
  install_binary "$bin/pvc" "$dir/usr/bin/pvc"
  stage_control "$dir" pvc "PVC command-line client (PVCKit)
 pvc manages a PVC cluster through its HTTP API or directly through ZooKeeper, with upstream PVC's
 commands and options." "pvckit-common (= $VERSION), $(shlib_depends "$dir/usr/bin/pvc")" "" \
    "Conflicts: pvc-client-cli
Replaces: pvc-client-cli
Provides: pvc-client-cli"

  daemon_package pvcd pvcnoded "PVC node daemon (PVCKit)
 pvcd runs on every node of a PVC cluster: it keeps the node's heartbeat in ZooKeeper, runs the VMs
 assigned to it through libvirt, its client networks (VXLAN, FRR EVPN, nftables, dnsmasq), its Ceph OSDs,
 and on the primary coordinator the cluster's duties (fencing, DNS, metadata, the HTTP API)." \
    "$PVCD_DEPENDS" "$PVCD_RECOMMENDS" yes "pvc-daemon-node"
  daemon_package pvcapi pvcapid "PVC HTTP API server (PVCKit)
 pvcapi serves upstream PVC's HTTP API v1 for a cluster. Nodes do not need it (the primary's pvcd serves
 the API); its unit is installed but not enabled." "$PVCAPI_DEPENDS" "" no "pvc-daemon-api"
  daemon_package pvcweb pvcwebd "PVC web interface (PVCKit)
 pvcweb serves a server-side HTML interface to a PVC cluster." "$PVCWEB_DEPENDS" "node-xterm, novnc" yes ""

  mkdir -p "$out"
  rm -f "$out"/*.deb
  local package compression=(-Zxz)
  [ $debug -eq 1 ] && compression=(-Zgzip -z1)
  for package in pvckit-common pvc pvcd pvcapi pvcweb; do
    find "$STAGE/$package" -type d -exec chmod 0755 {} +
    dpkg-deb --root-owner-group "${compression[@]}" --build "$STAGE/$package" \
      "$out/${package}_${VERSION}_${ARCH}.deb" >/dev/null
  done
  rm -rf "$STAGE"
  log "packages in $out:"
  ls -l "$out"/*.deb >&2
  echo "$out"
}

# daemon_package NAME UNIT DESCRIPTION DEPENDS RECOMMENDS ENABLE UPSTREAM: /usr/sbin/NAME, its unit and defaults.
daemon_package() {
  local name=$1 unit=$2 description=$3 depends=$4 recommends=$5 enable=$6 upstream=$7 dir
  dir="$STAGE/$name"
  mkdir -p "$dir/DEBIAN"
  install_binary "$bin/$name" "$dir/usr/sbin/$name"
  install -D -m 0644 "$PACKAGING/units/$unit.service" "$dir/lib/systemd/system/$unit.service"
  install -D -m 0644 "$PACKAGING/default/$name" "$dir/etc/default/$name"
  echo "/etc/default/$name" >"$dir/DEBIAN/conffiles"
  maintainer_scripts "$dir" "$unit" "$enable"
  local all="pvckit-common (= $VERSION), $(shlib_depends "$dir/usr/sbin/$name")"
  [ -n "$depends" ] && all="$all, $depends"
  local extra=""
  [ -n "$upstream" ] && extra="Conflicts: $upstream
Replaces: $upstream"
  stage_control "$dir" "$name" "$description" "$all" "$recommends" "$extra"
}

root() {
  local dir=$1
  [ -n "$dir" ] || die "usage: deb.sh root DIR"
  if [ -x "$dir/usr/bin/apt-get" ] && [ -f "$dir/.pvckit-root" ]; then
    log "Debian root $dir is there"
    return 0
  fi
  require debootstrap
  rm -rf "$dir"
  mkdir -p "$dir"
  log "debootstrap $SUITE into $dir from $(mirror)"
  # The host's package cache first: what the tests' services already downloaded is not fetched again.
  debootstrap --variant=minbase --cache-dir=/var/cache/apt/archives "$SUITE" "$dir" "$(mirror)" >"$dir.log" 2>&1 ||
    { tail -20 "$dir.log" >&2; die "debootstrap failed (log: $dir.log)"; }
  printf 'deb %s %s main\n' "$(mirror)" "$SUITE" >"$dir/etc/apt/sources.list"
  # No service starts inside the root while packages are installed (there is no init there anyway).
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
  chmod 0755 "$dir/usr/sbin/policy-rc.d"
  log "installing the packages PVCKit's depend on into $dir"
  # shellcheck disable=SC2086 # word splitting wanted: a list of package names
  (in_root "$dir" sh -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "$@" >/dev/null' sh systemd $ROOT_LIBRARIES $(echo "$PVCD_DEPENDS, $PVCAPI_DEPENDS" | tr -d ,)) ||
    die "could not install the dependencies into $dir"
  touch "$dir/.pvckit-root"
}

install_packages() {
  local dir=$1 deb names=()
  shift
  [ -f "$dir/.pvckit-root" ] || die "$dir is not a root made by deb.sh root"
  # Only these packages (the package test installs them again from here after purging them).
  rm -rf "$dir/tmp/pvckit-debs"
  mkdir -p "$dir/tmp/pvckit-debs"
  for deb in "$@"; do
    cp "$deb" "$dir/tmp/pvckit-debs/"
    names+=("/tmp/pvckit-debs/$(basename "$deb")")
  done
  # The host's downloaded packages are offered to the root's apt (read-only copies by hard link where possible).
  mkdir -p "$dir/var/cache/apt/archives"
  cp -ln /var/cache/apt/archives/*.deb "$dir/var/cache/apt/archives/" 2>/dev/null || true
  (in_root "$dir" sh -c 'apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends --reinstall --allow-downgrades "$@"' sh "${names[@]}")
}

# in_root DIR CMD...: CMD inside the root, with the kernel's file systems mounted in a private mount namespace.
# It replaces this shell (and the shell inside execs chroot, which execs CMD): a pid file of the caller's names
# CMD itself, and a signal to it reaches CMD.
in_root() {
  local dir=$1
  shift
  exec unshare --mount --propagation private sh -c '
    dir=$1; shift
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys"
    mount --rbind /dev "$dir/dev"
    mkdir -p "$dir/run/netns" && mount --rbind /run/netns "$dir/run/netns" 2>/dev/null || true
    exec chroot "$dir" "$@"' sh "$dir" "$@"
}

case ${1:-} in
  build) shift; build "$@" ;;
  root) root "${2:-}" ;;
  install) shift; install_packages "$@" ;;
  chroot) shift; dir=$1; shift; in_root "$dir" "$@" ;;
  *) die "usage: deb.sh build [--debug] [--out DIR] | root DIR | install DIR DEB... | chroot DIR CMD..." ;;
esac
