#!/usr/bin/env bash
# Installs the Debian packages PVCKit needs, only those that are missing.
# Usage: Scripts/install-deps.sh [build] [zookeeper] [libvirt] [tools] [ipmi] [network] [ceph] [dns] [bench] [browser]
#   [web] [guest] [monitoring] [deb] [all]
source "$(dirname "$0")/lib.sh"

BUILD_PKGS=(libzookeeper-mt-dev libvirt-dev librbd-dev librados-dev libmariadb-dev libxml2-dev pkg-config)
ZOOKEEPER_PKGS=(default-jre-headless zookeeper)
LIBVIRT_PKGS=(libvirt-daemon libvirt-daemon-system libvirt-clients qemu-system-x86 iproute2 nftables)
TOOL_PKGS=(python3-kazoo)
IPMI_PKGS=(openipmi ipmitool)
# Client networks: DHCP/DNS per managed network, BGP EVPN, test guests' DHCP client and ping.
NETWORK_PKGS=(dnsmasq-base dnsmasq-utils frr busybox iputils-arping)
# Storage: a real Ceph cluster (monitor, manager, OSDs) and its CLI.
DNS_PKGS=(mariadb-server mariadb-client galera-4 rsync pdns-server pdns-backend-mysql bind9-dnsutils)
CEPH_PKGS=(ceph-mon ceph-mgr ceph-osd ceph-common qemu-block-extra qemu-utils fio udev)
BENCH_PKGS=(wrk curl hyperfine)
BROWSER_PKGS=(chromium python3-websocket)
# What pvcweb serves for consoles: xterm.js (serial) and noVNC (graphical).
WEB_PKGS=(node-xterm novnc)
# The tests' tiny real guest (Scripts/guest-image.sh): a cloud kernel with virtio modules, and cpio for its initramfs.
GUEST_PKGS=(linux-image-cloud-amd64 cpio busybox qemu-guest-agent)
# Debian packages (make deb) and the clean Debian root the package tests install them into.
DEB_PKGS=(patchelf dpkg-dev debootstrap systemd)
# The metrics test's real Prometheus (started by the test itself, never as a service).
MONITORING_PKGS=(prometheus)

[ "$(id -u)" -eq 0 ] || die "run as root (packages are installed with apt-get)"
[ $# -gt 0 ] || set -- all
for group in "$@"; do
  case $group in
    build) pkg_install "${BUILD_PKGS[@]}" ;;
    zookeeper) pkg_install "${ZOOKEEPER_PKGS[@]}" ;;
    libvirt) pkg_install "${LIBVIRT_PKGS[@]}" ;;
    tools) pkg_install "${TOOL_PKGS[@]}" ;;
    ipmi) pkg_install "${IPMI_PKGS[@]}" ;;
    network) pkg_install "${NETWORK_PKGS[@]}" ;;
    ceph) pkg_install "${CEPH_PKGS[@]}" ;;
    dns) pkg_install "${DNS_PKGS[@]}" ;;
    bench) pkg_install "${BENCH_PKGS[@]}" ;;
    browser) pkg_install "${BROWSER_PKGS[@]}" ;;
    web) pkg_install "${WEB_PKGS[@]}" ;;
    guest) pkg_install "${GUEST_PKGS[@]}" ;;
    monitoring) pkg_install "${MONITORING_PKGS[@]}" ;;
    deb) pkg_install "${DEB_PKGS[@]}" ;;
    all) pkg_install "${BUILD_PKGS[@]}" "${ZOOKEEPER_PKGS[@]}" "${LIBVIRT_PKGS[@]}" "${TOOL_PKGS[@]}" "${IPMI_PKGS[@]}" "${NETWORK_PKGS[@]}" "${CEPH_PKGS[@]}" "${DNS_PKGS[@]}" "${BENCH_PKGS[@]}" "${BROWSER_PKGS[@]}" "${WEB_PKGS[@]}" "${GUEST_PKGS[@]}" "${MONITORING_PKGS[@]}" "${DEB_PKGS[@]}" ;;
    *) die "unknown group '$group' (build, zookeeper, libvirt, tools, ipmi, network, ceph, dns, bench, browser, web, guest, monitoring, deb, all)" ;;
  esac
done
