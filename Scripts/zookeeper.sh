#!/usr/bin/env bash
# Starts and stops ZooKeeper on loopback: a standalone server or a 3-server
# ensemble, each server with its own directory, pid file and log.
#
# Usage:
#   Scripts/zookeeper.sh start standalone|ensemble   start (no-op if running)
#   Scripts/zookeeper.sh stop [standalone|ensemble]  stop by pid file
#   Scripts/zookeeper.sh status                      print each server's mode
#   Scripts/zookeeper.sh connect standalone|ensemble print the connect string
#   Scripts/zookeeper.sh leader                      print the ensemble leader's id
#   Scripts/zookeeper.sh kill N                      SIGKILL ensemble server N
#   Scripts/zookeeper.sh start-server N              (re)start ensemble server N
#
# Environment:
#   PVCKIT_STATE  state directory (default /tmp/pvckit)
#   ZK_PORT_BASE  standalone client port; the ensemble uses the next three
#                 (default 22181)
#   ZK_CLIENT_ADDRESS  the address clients connect to (default 127.0.0.1; the
#                 tests use their node bridge's address, so that node daemons
#                 in network namespaces reach ZooKeeper too)
source "$(dirname "$0")/lib.sh"

STATE=${PVCKIT_STATE:-/tmp/pvckit}
state_dir "$STATE"
BASE=${ZK_PORT_BASE:-22181}
ADDRESS=${ZK_CLIENT_ADDRESS:-127.0.0.1}
ZK_CLASSPATH=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar
ZK_CLASSPATH+=:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar
ZK_CLASSPATH+=:/usr/share/java/netty-all.jar:/usr/share/java/metrics-core.jar:/usr/share/java/snappy-java.jar
ZK_CLASSPATH+=:/usr/share/java/commons-cli.jar:/usr/share/java/commons-io.jar

server_dir() { echo "$STATE/zookeeper/$1"; }           # standalone | 1 | 2 | 3
client_port() { if [ "$1" = standalone ]; then echo "$BASE"; else echo $((BASE + $1)); fi; }

write_config() {
  local id=$1 dir port
  dir=$(server_dir "$id")
  port=$(client_port "$id")
  mkdir -p "$dir/data" "$dir/log"
  cat >"$dir/zoo.cfg" <<CFG
tickTime=500
initLimit=20
syncLimit=10
minSessionTimeout=1000
maxSessionTimeout=60000
dataDir=$dir/data
clientPort=$port
clientPortAddress=$ADDRESS
admin.enableServer=false
4lw.commands.whitelist=*
maxClientCnxns=0
forceSync=no
CFG
  if [ "$id" != standalone ]; then
    local n
    for n in 1 2 3; do
      echo "server.$n=127.0.0.1:$((BASE + 100 + n)):$((BASE + 200 + n))" >>"$dir/zoo.cfg"
    done
    echo "$id" >"$dir/data/myid"
  fi
}

# four_letter PORT WORD sends a four-letter command and prints the reply.
four_letter() {
  local port=$1 word=$2
  # Bounded: a server still starting may accept the connection and never answer.
  timeout 2 bash -c "exec 3<>/dev/tcp/$ADDRESS/$port && printf '%s' '$word' >&3 && cat <&3" 2>/dev/null
}

server_mode() { four_letter "$(client_port "$1")" srvr | sed -n 's/^Mode: //p'; }
serving() { [ -n "$(server_mode "$1")" ]; }

start_server() {
  local id=$1 dir
  dir=$(server_dir "$id")
  if pid_alive "$dir/pid"; then return 0; fi
  if serving "$id"; then
    die "port $(client_port "$id") is already served by a ZooKeeper this script did not start (state $STATE)"
  fi
  write_config "$id"
  start_daemon "$dir/pid" "$dir/log/stdout.log" \
    java -Xms32m -Xmx${ZK_HEAP:-256m} -XX:+UseSerialGC ${ZK_JVM_FLAGS--XX:TieredStopAtLevel=1} -cp "$ZK_CLASSPATH" \
    -Dzookeeper.log.dir="$dir/log" -Dzookeeper.root.logger=INFO,ROLLINGFILE \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg"
}

servers_of() { if [ "$1" = standalone ]; then echo standalone; else echo 1 2 3; fi; }

cmd_start() {
  local kind=${1:?standalone or ensemble} id
  [ -f /usr/share/java/zookeeper.jar ] || die "ZooKeeper is not installed: run Scripts/install-deps.sh zookeeper"
  for id in $(servers_of "$kind"); do start_server "$id"; done
  for id in $(servers_of "$kind"); do wait_for 60 "ZooKeeper server $id on port $(client_port "$id")" serving "$id"; done
  log "ZooKeeper $kind serving at $(cmd_connect "$kind")"
}

cmd_stop() {
  local kinds=${1:-standalone ensemble} kind id
  [ "$kinds" = all ] && kinds="standalone ensemble"
  for kind in $kinds; do
    for id in $(servers_of "$kind"); do stop_daemon "$(server_dir "$id")/pid" KILL 2; done
  done
}

cmd_connect() {
  if [ "$1" = standalone ]; then
    echo "$ADDRESS:$BASE"
  else
    echo "$ADDRESS:$((BASE + 1)),$ADDRESS:$((BASE + 2)),$ADDRESS:$((BASE + 3))"
  fi
}

cmd_status() {
  local id
  for id in standalone 1 2 3; do
    if pid_alive "$(server_dir "$id")/pid"; then
      echo "$id port $(client_port "$id") pid $(cat "$(server_dir "$id")/pid") mode $(server_mode "$id")"
    fi
  done
}

cmd_leader() {
  local id
  for id in 1 2 3; do
    if [ "$(server_mode "$id")" = leader ]; then echo "$id"; return 0; fi
  done
  return 1
}

case ${1:-} in
  start) cmd_start "${2:-standalone}" ;;
  stop) cmd_stop "${2:-all}" ;;
  status) cmd_status ;;
  connect) cmd_connect "${2:-standalone}" ;;
  leader) cmd_leader ;;
  kill) stop_daemon "$(server_dir "${2:?server id}")/pid" KILL 1 ;;
  start-server) start_server "${2:?server id}" && wait_for 60 "ZooKeeper server $2" serving "$2" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
