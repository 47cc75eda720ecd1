# Redis for the delay-redis tests (sourced by scripts/lib/services.sh; uses its helpers).
#
#   bash scripts/lib/services.sh ensure_redis_installed | start_redis | stop_redis [--kill] | restart_redis [--kill]
#                                redis_running | redis_env
#
# One server (Debian's Redis 7.0) as a background process under $(_hg_services_base)/redis: data/ (its working
# directory: the append-only file, appendonly yes / appendfsync everysec, no RDB snapshots), redis.pid (the PID this
# script started), port, redis.log. Bound to 127.0.0.1 only, no password.
# Port: ${HG_REDIS_PORT:-the port of our previous start, else 6380} (not 6379, so that a Redis of the machine's own is
# left alone), or the next free one when something that is not ours listens there. restart_redis keeps port and data.
#
# After start_redis (exported; `redis_env` prints them as export lines):
#   HOURGLASS_REDIS_ADDRESS=redis://127.0.0.1:<port>   HG_REDIS_PORT=<port>   HG_SERVICES_DIR=<absolute dir>

_HG_REDIS_READY_TIMEOUT=${HG_REDIS_READY_TIMEOUT:-30}   # s to wait for PONG after a start
_HG_REDIS_STOP_TIMEOUT=${HG_REDIS_STOP_TIMEOUT:-30}     # s to wait for a clean stop before SIGKILL

_hg_redis_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base"
  echo "$(cd "$base" && pwd)/redis"
}

# The PID recorded by start_redis, if that process is alive and is the redis-server of our data dir. Redis rewrites
# its command line ("redis-server 127.0.0.1:6380"), so the data dir is recognised by its working directory.
_hg_redis_pid() {
  local dir pid
  dir=$(_hg_redis_dir)
  [ -s "$dir/redis.pid" ] || return 1
  pid=$(cat "$dir/redis.pid")
  [ -r "/proc/$pid/comm" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  case "$(cat "/proc/$pid/comm" 2>/dev/null)" in redis-server*) ;; *) return 1 ;; esac
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$dir/data" ] || return 1
  echo "$pid"
}

redis_running() {
  _hg_redis_pid >/dev/null
}

ensure_redis_installed() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  _hg_log "installing Redis (redis-server, redis-tools)..."
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
  command -v redis-server >/dev/null 2>&1 || { _hg_log "redis-server is still missing after apt-get install"; return 1; }
}

_hg_redis_export() {
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$(_hg_redis_dir)")
  export HG_REDIS_PORT=$1
  export HOURGLASS_REDIS_ADDRESS="redis://127.0.0.1:$1"
}

# Prints the variables of a running server as export lines: eval "$(bash scripts/lib/services.sh redis_env)".
redis_env() {
  local dir v
  dir=$(_hg_redis_dir)
  redis_running || { _hg_log "Redis is not running (start_redis)"; return 1; }
  _hg_redis_export "$(cat "$dir/port")"
  for v in HG_SERVICES_DIR HG_REDIS_PORT HOURGLASS_REDIS_ADDRESS; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# 0 when the server on port $1 answers PING (redis-cli when installed, else an inline PING over /dev/tcp).
_hg_redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
  else
    local reply
    reply=$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && timeout 2 head -c 7 <&3) 2>/dev/null
    [ "${reply%$'\r'*}" = +PONG ]
  fi
}

# Starts Redis on 127.0.0.1 (see the top of this file) and waits until it answers PING (after loading its AOF).
start_redis() {
  local dir log pid port want
  dir=$(_hg_redis_dir)
  log="$dir/redis.log"
  if pid=$(_hg_redis_pid); then
    port=$(cat "$dir/port")
    _hg_redis_export "$port"
    _hg_log "Redis already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  command -v redis-server >/dev/null 2>&1 || { _hg_log "redis-server not found: run ensure_redis_installed"; return 1; }
  mkdir -p "$dir/data"
  chmod 700 "$dir/data"

  want=${HG_REDIS_PORT:-}
  [ -n "$want" ] || { [ -s "$dir/port" ] && want=$(cat "$dir/port"); } || true
  want=${want:-6380}
  port=$want
  if _hg_port_open "$port"; then
    if [ -n "${_HG_REDIS_KEEP_PORT:-}" ]; then
      _hg_log "port $port is taken by another process; cannot restart Redis on it"; return 1
    fi
    port=$((want + 1))
    while _hg_port_open "$port"; do
      port=$((port + 1))
      [ "$port" -lt $((want + 200)) ] || { _hg_log "no free port in $want..$port"; return 1; }
    done
    _hg_log "port $want is taken by another process: Redis uses $port"
  fi

  echo "--- $(date '+%F %T') start on port $port" >>"$log"
  # In the foreground of a background job: $! is the server's PID. Its log goes to the file, so a caller that reads
  # this script's output (a Java test) is not held by a pipe the server keeps open.
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir/data" \
    --appendonly yes --appendfsync everysec --save '' \
    --daemonize no --logfile '' \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/redis.pid"
  echo "$port" >"$dir/port"

  local deadline=$((SECONDS + _HG_REDIS_READY_TIMEOUT))
  until _hg_port_open "$port" && _hg_redis_ping "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _hg_log "redis-server exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$dir/redis.pid"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "Redis did not answer on $port within ${_HG_REDIS_READY_TIMEOUT}s; see $log"
      stop_redis; return 1
    fi
    sleep 0.1
  done
  _hg_redis_export "$port"
  _hg_log "Redis up (pid $pid) on 127.0.0.1:$port, data in $dir/data"
}

# Stops the Redis this script started (by its recorded PID) and waits until it has exited and released its port.
# --kill: SIGKILL (a crash: up to a second of writes may be lost with appendfsync everysec). SIGTERM flushes the AOF.
stop_redis() {
  local dir pid signal=TERM
  [ "${1:-}" != --kill ] || signal=KILL
  dir=$(_hg_redis_dir)
  if ! pid=$(_hg_redis_pid); then
    rm -f "$dir/redis.pid"
    return 0
  fi
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + _HG_REDIS_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "Redis (pid $pid) did not stop within ${_HG_REDIS_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/redis.pid"
  _hg_await_ports_released $(cat "$dir/port" 2>/dev/null)
  _hg_log "Redis (pid $pid) stopped (SIG$signal)"
}

# Stop and start on the same data dir and port; --kill: crash and start.
restart_redis() {
  local dir
  dir=$(_hg_redis_dir)
  [ -s "$dir/port" ] || { _hg_log "no Redis was started here ($dir)"; return 1; }
  stop_redis "$@"
  HG_REDIS_PORT=$(cat "$dir/port") _HG_REDIS_KEEP_PORT=1 start_redis
}
