#!/usr/bin/env bash
# Shared helpers for PVCKit's scripts: logging, package installs, and
# daemons started with pid files and stopped by pid (never by name).

set -euo pipefail
# Everything these scripts create (state, configuration files with tokens and
# passwords, logs) is readable by root only, from the first byte.
umask 077

PVCKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PVCKIT_ROOT

log() { printf '%s %s\n' "[$(date +%H:%M:%S)]" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pkg_install PACKAGE... installs the Debian packages that are missing.
pkg_install() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -360 2>/dev/null | head -n 1)" ]; then
    apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# state_dir DIR creates the state directory DIR safely, or checks the one there:
# a real directory (not a symbolic link), owned by root, mode 700. Anything else
# (another user's directory or link in /tmp) is refused, never written through.
state_dir() {
  local dir=$1
  if [ ! -e "$dir" ] && [ ! -L "$dir" ]; then
    mkdir -m 700 "$dir" 2>/dev/null || true
  fi
  [ ! -L "$dir" ] && [ -d "$dir" ] || die "$dir is not a directory (or is a symbolic link): refusing to use it"
  [ "$(stat -c %u "$dir")" = 0 ] || die "$dir is not owned by root: refusing to use it"
  chmod 700 "$dir"
}

# start_time PID prints the process's start time (clock ticks since boot), which
# together with the pid names one process: a recycled pid has another.
start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # Field 22 of /proc/PID/stat is the 20th after the command name.
  awk '{ print $20 }' <<<"$stat"
}

# pid_alive PIDFILE [NAME] succeeds when the pid file names a live, non-zombie
# process that is the one started: its start time matches the one recorded by
# start_daemon (PIDFILE.start), or, for pid files written by daemons themselves,
# its command name contains NAME. Without either, a live pid is not enough.
pid_alive() {
  local pidfile=$1 name=${2:-} pid state recorded
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [ -n "$state" ] && [[ "$state" != Z* ]] || return 1
  if [ -f "$pidfile.start" ]; then
    recorded=$(cat "$pidfile.start" 2>/dev/null)
    [ "$(start_time "$pid")" = "$recorded" ]
  elif [ -n "$name" ]; then
    grep -q -- "$name" "/proc/$pid/comm" 2>/dev/null || tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$name"
  else
    return 1
  fi
}

# start_daemon PIDFILE LOGFILE COMMAND... starts COMMAND in its own session,
# writes its pid to PIDFILE and returns at once.
# Closes every inherited descriptor above 2 in the current (sub)shell, so that
# a daemon started from it does not keep a caller waiting for EOF on a pipe (or
# for the end of a process it watches through a descriptor).
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

start_daemon() {
  local pidfile=$1 logfile=$2
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  (
    close_inherited_fds
    exec setsid "$@" </dev/null >>"$logfile" 2>&1
  ) &
  local pid=$!
  echo "$pid" >"$pidfile"
  start_time "$pid" >"$pidfile.start" || true
}

# stop_daemon PIDFILE [SIGNAL] [SECONDS] [NAME] stops the process named by
# PIDFILE, escalating to SIGKILL after SECONDS (default 5). Only a process tied
# to the pid file (see pid_alive) is signalled: never a recycled pid.
stop_daemon() {
  local pidfile=$1 signal=${2:-TERM} wait=${3:-5} name=${4:-} pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if pid_alive "$pidfile" "$name"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do
      pid_alive "$pidfile" "$name" || break
      sleep 0.1
    done
    if pid_alive "$pidfile" "$name"; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.1
    fi
  fi
  rm -f "$pidfile" "$pidfile.start"
}

# wait_for TIMEOUT_SECONDS DESCRIPTION COMMAND... polls COMMAND until it succeeds.
wait_for() {
  local timeout=$1 what=$2 i
  shift 2
  for ((i = 0; i < timeout * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "timed out after ${timeout}s waiting for $what"
}

# require CMD...: dies naming the first command that is not installed.
require() {
  local cmd
  for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || die "$cmd is not installed (Scripts/install-deps.sh deb)"; done
}
