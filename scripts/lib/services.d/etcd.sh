# etcd for the coordinator tests (sourced by scripts/lib/services.sh; uses its helpers).
#
#   bash scripts/lib/services.sh ensure_etcd_installed | start_etcd | stop_etcd [--kill] | restart_etcd [--kill]
#                                etcd_running | etcd_env
#
# One member (Debian's etcd 3.4) as a background process under $(_hg_services_base)/etcd: data/ (its data dir),
# etcd.pid (the PID this script started), port and peer-port, etcd.log. Client and peer URLs on 127.0.0.1 only.
# Port: ${HG_ETCD_PORT:-the port of our previous start, else 2379}, or the next free one when something that is not
# ours listens there; the peer port is the next free one above it. restart_etcd keeps port and data.
#
# After start_etcd (exported; `etcd_env` prints them as export lines):
#   HOURGLASS_ETCD_ENDPOINTS=http://127.0.0.1:<port>   HG_ETCD_PORT=<port>   HG_SERVICES_DIR=<absolute dir>

_HG_ETCD_READY_TIMEOUT=${HG_ETCD_READY_TIMEOUT:-30}   # s to wait for the port after a start
_HG_ETCD_STOP_TIMEOUT=${HG_ETCD_STOP_TIMEOUT:-30}     # s to wait for a clean stop before SIGKILL

_hg_etcd_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base"
  echo "$(cd "$base" && pwd)/etcd"
}

# The PID recorded by start_etcd, if that process is alive and is the etcd of our data dir.
_hg_etcd_pid() {
  local dir pid cmdline
  dir=$(_hg_etcd_dir)
  [ -s "$dir/etcd.pid" ] || return 1
  pid=$(cat "$dir/etcd.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmdline" in *etcd*"--data-dir $dir/data "*) echo "$pid" ;; *) return 1 ;; esac
}

etcd_running() {
  _hg_etcd_pid >/dev/null
}

ensure_etcd_installed() {
  if command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1; then
    return 0
  fi
  _hg_log "installing etcd (etcd-server, etcd-client)..."
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server etcd-client >/dev/null
  command -v etcd >/dev/null 2>&1 || { _hg_log "etcd is still missing after apt-get install"; return 1; }
}

_hg_etcd_export() {
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$(_hg_etcd_dir)")
  export HG_ETCD_PORT=$1
  export HOURGLASS_ETCD_ENDPOINTS="http://127.0.0.1:$1"
}

# Prints the variables of a running server as export lines: eval "$(bash scripts/lib/services.sh etcd_env)".
etcd_env() {
  local dir v
  dir=$(_hg_etcd_dir)
  etcd_running || { _hg_log "etcd is not running (start_etcd)"; return 1; }
  _hg_etcd_export "$(cat "$dir/port")"
  for v in HG_SERVICES_DIR HG_ETCD_PORT HOURGLASS_ETCD_ENDPOINTS; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# First port at or above $1 that nobody listens on (stops after 200).
_hg_etcd_free_port() {
  local port=$1
  while _hg_port_open "$port"; do
    port=$((port + 1))
    [ "$port" -lt $(($1 + 200)) ] || { _hg_log "no free port in $1..$port"; return 1; }
  done
  echo "$port"
}

# Starts etcd on 127.0.0.1 (see the top of this file) and waits until it answers a health check.
start_etcd() {
  local dir log pid port want peer
  dir=$(_hg_etcd_dir)
  log="$dir/etcd.log"
  if pid=$(_hg_etcd_pid); then
    port=$(cat "$dir/port")
    _hg_etcd_export "$port"
    _hg_log "etcd already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  command -v etcd >/dev/null 2>&1 || { _hg_log "etcd not found: run ensure_etcd_installed"; return 1; }
  mkdir -p "$dir/data"
  chmod 700 "$dir/data"

  want=${HG_ETCD_PORT:-}
  [ -n "$want" ] || { [ -s "$dir/port" ] && want=$(cat "$dir/port"); } || true
  want=${want:-2379}
  port=$want
  if _hg_port_open "$port"; then
    if [ -n "${_HG_ETCD_KEEP_PORT:-}" ]; then
      _hg_log "port $port is taken by another process; cannot restart etcd on it"; return 1
    fi
    port=$(_hg_etcd_free_port $((want + 1))) || return 1
    _hg_log "port $want is taken by another process: etcd uses $port"
  fi
  if [ -s "$dir/peer-port" ] && ! _hg_port_open "$(cat "$dir/peer-port")" && [ "$(cat "$dir/peer-port")" != "$port" ]; then
    peer=$(cat "$dir/peer-port")
  else
    peer=$(_hg_etcd_free_port $((port + 1))) || return 1
  fi

  echo "--- $(date '+%F %T') start on port $port (peer $peer)" >>"$log"
  # The member name and peer URL are fixed by the data dir once it exists; keep them the same on every start.
  etcd --name hourglass --data-dir "$dir/data" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "hourglass=http://127.0.0.1:$peer" --initial-cluster-state new \
    --auto-compaction-retention 1h \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/etcd.pid"
  echo "$port" >"$dir/port"
  echo "$peer" >"$dir/peer-port"

  local deadline=$((SECONDS + _HG_ETCD_READY_TIMEOUT))
  until _hg_port_open "$port" \
      && ETCDCTL_API=3 etcdctl --endpoints="http://127.0.0.1:$port" --dial-timeout=1s --command-timeout=2s \
         endpoint health >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _hg_log "etcd exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$dir/etcd.pid"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "etcd did not become healthy on $port within ${_HG_ETCD_READY_TIMEOUT}s; see $log"
      stop_etcd; return 1
    fi
    sleep 0.1
  done
  _hg_etcd_export "$port"
  _hg_log "etcd up (pid $pid) on 127.0.0.1:$port, data in $dir/data"
}

# Stops the etcd this script started (by its recorded PID) and waits until it has exited. --kill: SIGKILL (a crash).
stop_etcd() {
  local dir pid signal=TERM
  [ "${1:-}" != --kill ] || signal=KILL
  dir=$(_hg_etcd_dir)
  if ! pid=$(_hg_etcd_pid); then
    rm -f "$dir/etcd.pid"
    return 0
  fi
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + _HG_ETCD_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "etcd (pid $pid) did not stop within ${_HG_ETCD_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/etcd.pid"
  _hg_await_ports_released $(cat "$dir/port" "$dir/peer-port" 2>/dev/null)
  _hg_log "etcd (pid $pid) stopped (SIG$signal)"
}

# Stop and start on the same data dir and port; --kill: crash and start.
restart_etcd() {
  local dir
  dir=$(_hg_etcd_dir)
  [ -s "$dir/port" ] || { _hg_log "no etcd was started here ($dir)"; return 1; }
  stop_etcd "$@"
  HG_ETCD_PORT=$(cat "$dir/port") _HG_ETCD_KEEP_PORT=1 start_etcd
}
