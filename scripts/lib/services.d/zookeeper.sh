# ZooKeeper for the coordinator tests (sourced by scripts/lib/services.sh; uses its helpers).
#
#   bash scripts/lib/services.sh ensure_zookeeper_installed | start_zookeeper | stop_zookeeper [--kill]
#                                restart_zookeeper [--kill] | zookeeper_running | zookeeper_env
#
# One standalone server (Debian's ZooKeeper 3.8) as a background JVM under $(_hg_services_base)/zookeeper: data/
# (snapshots and logs, so sessions and ephemeral nodes survive a restart as in production), zoo.cfg, zookeeper.pid
# (the PID this script started), port, zookeeper.log. 127.0.0.1 only, no AdminServer (it would take :8080).
# tickTime 200 ms so that short session timeouts are allowed (minSessionTimeout 1 s >= 2 ticks; max 60 s).
# Port: ${HG_ZK_PORT:-the port of our previous start, else 2181}, or the next free one when something that is not
# ours listens there. restart_zookeeper keeps port and data.
#
# After start_zookeeper (exported; `zookeeper_env` prints them as export lines):
#   HOURGLASS_ZK_CONNECT=127.0.0.1:<port>   HG_ZK_PORT=<port>   HG_SERVICES_DIR=<absolute dir>

_HG_ZK_READY_TIMEOUT=${HG_ZK_READY_TIMEOUT:-60}   # s to wait for "imok" after a start
_HG_ZK_STOP_TIMEOUT=${HG_ZK_STOP_TIMEOUT:-30}     # s to wait for a clean stop before SIGKILL
_HG_ZK_CLASSPATH=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar   # the jar's manifest has the rest

_hg_zookeeper_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base"
  echo "$(cd "$base" && pwd)/zookeeper"
}

# The PID recorded by start_zookeeper, if that process is alive and is the server of our zoo.cfg.
_hg_zookeeper_pid() {
  local dir pid cmdline
  dir=$(_hg_zookeeper_dir)
  [ -s "$dir/zookeeper.pid" ] || return 1
  pid=$(cat "$dir/zookeeper.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmdline" in *QuorumPeerMain*"$dir/zoo.cfg "*) echo "$pid" ;; *) return 1 ;; esac
}

zookeeper_running() {
  _hg_zookeeper_pid >/dev/null
}

ensure_zookeeper_installed() {
  if [ -r /usr/share/java/zookeeper.jar ] && command -v java >/dev/null 2>&1; then
    return 0
  fi
  _hg_log "installing ZooKeeper (zookeeper)..."
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zookeeper >/dev/null
  [ -r /usr/share/java/zookeeper.jar ] || { _hg_log "zookeeper.jar is still missing after apt-get install"; return 1; }
}

_hg_zookeeper_export() {
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$(_hg_zookeeper_dir)")
  export HG_ZK_PORT=$1
  export HOURGLASS_ZK_CONNECT="127.0.0.1:$1"
}

# Prints the variables of a running server as export lines: eval "$(bash scripts/lib/services.sh zookeeper_env)".
zookeeper_env() {
  local dir v
  dir=$(_hg_zookeeper_dir)
  zookeeper_running || { _hg_log "ZooKeeper is not running (start_zookeeper)"; return 1; }
  _hg_zookeeper_export "$(cat "$dir/port")"
  for v in HG_SERVICES_DIR HG_ZK_PORT HOURGLASS_ZK_CONNECT; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# 0 when the server on port $1 answers "ruok" with "imok".
_hg_zookeeper_ok() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null) || true
  [ "$reply" = imok ]
}

# Starts ZooKeeper on 127.0.0.1 (see the top of this file) and waits until it answers "imok".
start_zookeeper() {
  local dir log pid port want
  dir=$(_hg_zookeeper_dir)
  log="$dir/zookeeper.log"
  if pid=$(_hg_zookeeper_pid); then
    port=$(cat "$dir/port")
    _hg_zookeeper_export "$port"
    _hg_log "ZooKeeper already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  [ -r /usr/share/java/zookeeper.jar ] || { _hg_log "zookeeper.jar not found: run ensure_zookeeper_installed"; return 1; }
  mkdir -p "$dir/data"

  want=${HG_ZK_PORT:-}
  [ -n "$want" ] || { [ -s "$dir/port" ] && want=$(cat "$dir/port"); } || true
  want=${want:-2181}
  port=$want
  if _hg_port_open "$port"; then
    if [ -n "${_HG_ZK_KEEP_PORT:-}" ]; then
      _hg_log "port $port is taken by another process; cannot restart ZooKeeper on it"; return 1
    fi
    port=$((want + 1))
    while _hg_port_open "$port"; do
      port=$((port + 1))
      [ "$port" -lt $((want + 200)) ] || { _hg_log "no free port in $want..$port"; return 1; }
    done
    _hg_log "port $want is taken by another process: ZooKeeper uses $port"
  fi

  cat >"$dir/zoo.cfg" <<CFG
dataDir=$dir/data
clientPort=$port
clientPortAddress=127.0.0.1
tickTime=200
minSessionTimeout=1000
maxSessionTimeout=60000
initLimit=50
syncLimit=25
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,cons
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CFG

  echo "--- $(date '+%F %T') start on port $port" >>"$log"
  java -Xms64m -Xmx256m -XX:+UseSerialGC -Dzookeeper.admin.enableServer=false -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$_HG_ZK_CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/zookeeper.pid"
  echo "$port" >"$dir/port"

  local deadline=$((SECONDS + _HG_ZK_READY_TIMEOUT))
  until _hg_port_open "$port" && _hg_zookeeper_ok "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _hg_log "ZooKeeper exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$dir/zookeeper.pid"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "ZooKeeper did not answer on $port within ${_HG_ZK_READY_TIMEOUT}s; see $log"
      stop_zookeeper; return 1
    fi
    sleep 0.1
  done
  _hg_zookeeper_export "$port"
  _hg_log "ZooKeeper up (pid $pid) on 127.0.0.1:$port, data in $dir/data"
}

# Stops the ZooKeeper this script started (by its recorded PID) and waits until it has exited. --kill: SIGKILL (a crash).
stop_zookeeper() {
  local dir pid signal=TERM
  [ "${1:-}" != --kill ] || signal=KILL
  dir=$(_hg_zookeeper_dir)
  if ! pid=$(_hg_zookeeper_pid); then
    rm -f "$dir/zookeeper.pid"
    return 0
  fi
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + _HG_ZK_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "ZooKeeper (pid $pid) did not stop within ${_HG_ZK_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/zookeeper.pid"
  _hg_await_ports_released $(cat "$dir/port" 2>/dev/null)
  _hg_log "ZooKeeper (pid $pid) stopped (SIG$signal)"
}

# Stop and start on the same data dir and port; --kill: crash and start.
restart_zookeeper() {
  local dir
  dir=$(_hg_zookeeper_dir)
  [ -s "$dir/port" ] || { _hg_log "no ZooKeeper was started here ($dir)"; return 1; }
  stop_zookeeper "$@"
  HG_ZK_PORT=$(cat "$dir/port") _HG_ZK_KEEP_PORT=1 start_zookeeper
}
