# Redis 7.0 (Debian's redis-server) for the delay-redis tests (sourced by scripts/lib/services.sh, whose routine runs
# it; this file says what is Redis's own).
#
#   bash scripts/lib/services.sh ensure_redis_installed | start_redis | stop_redis [--kill] | restart_redis [--kill]
#                                redis_running | redis_env
#
# Under $(_hg_services_base)/redis: data/ (its working directory: the append-only file, appendonly yes / appendfsync
# everysec, no RDB snapshots), redis.pid, port, redis.log. 127.0.0.1 only, no password. Port: ${HG_REDIS_PORT:-6380}
# (not 6379, so that a Redis of the machine's own is left alone). SIGTERM flushes the AOF; --kill (a crash) may lose
# up to a second of writes. After start_redis (exported; `redis_env` prints them as export lines):
#   HOURGLASS_REDIS_ADDRESS=redis://127.0.0.1:<port>   HG_REDIS_PORT=<port>

_HG_REDIS_READY_TIMEOUT=30
_HG_REDIS_STOP_TIMEOUT=30
_HG_REDIS_VARS="HG_REDIS_PORT HOURGLASS_REDIS_ADDRESS"
_hg_service redis Redis REDIS 6380

ensure_redis_installed() {
  _hg_apt_ensure redis-server redis-cli -- redis-server redis-tools
}

# Redis rewrites its command line ("redis-server 127.0.0.1:6380"): ours is the redis-server working in our data dir.
_hg_redis_ours() {
  case "$(cat "/proc/$1/comm" 2>/dev/null)" in redis-server*) ;; *) return 1 ;; esac
  [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$2/data" ]
}

_hg_redis_prepare() {
  mkdir -p "$1/data"
  chmod 700 "$1/data"
}

_hg_redis_command() {
  cmd=(redis-server --bind 127.0.0.1 --port "$port" --dir "$1/data"
    --appendonly yes --appendfsync everysec --save '' --daemonize no --logfile '')
}

# PING answered (after loading the AOF): redis-cli when installed, else an inline PING over /dev/tcp.
_hg_redis_ready() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]
  else
    local reply
    reply=$(exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'PING\r\n' >&3 && timeout 2 head -c 7 <&3) 2>/dev/null
    [ "${reply%$'\r'*}" = +PONG ]
  fi
}

_hg_redis_export() {
  _hg_svc_export_base redis
  export HOURGLASS_REDIS_ADDRESS="redis://127.0.0.1:$HG_REDIS_PORT"
}
