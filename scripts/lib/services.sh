# Real servers for tests, as background processes with their own data under one directory (no systemd needed).
#
#   source scripts/lib/services.sh; ensure_mariadb_installed; start_mariadb; ...; stop_mariadb
#   bash scripts/lib/services.sh start_mariadb|stop_mariadb|restart_mariadb [--kill]|mariadb_running|mariadb_env
#
# Everything lives under ${HG_SERVICES_DIR:-<repo>/target/services} (/tmp/hourglass-services-<n> instead when the
# mysql user cannot reach the checkout, e.g. under /root): mariadb/data (datadir), mariadb/run (socket),
# mariadb/mariadbd.pid (the PID this script started), mariadb/port, mariadb/mariadbd.log. The functions are
# idempotent: starting a running server only refreshes the database, the user and the variables below; stopping a
# stopped one does nothing. Only the process whose PID was recorded here is ever signalled.
#
# After start_mariadb (exported, so that Maven and the tests see them; executed as a command, `mariadb_env`
# prints them as export lines):
#   HOURGLASS_MARIADB_URL=jdbc:mariadb://127.0.0.1:<port>/hourglass
#   HOURGLASS_MARIADB_USER=hourglass  HOURGLASS_MARIADB_PASSWORD=hourglass
#   HG_MARIADB_PORT=<port>  HG_SERVICES_DIR=<absolute dir>
# Port: ${HG_MARIADB_PORT:-3306}, or the next free one when something that is not ours listens there.

_HG_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
source "$_HG_REPO_ROOT/scripts/lib/prereqs.sh"   # ensure_apt_updated (apt-get update once per shell)

# Debian puts mariadbd and mariadb-install-db in /usr/sbin, which a non-login shell may not have on its PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

HG_MARIADB_DB=hourglass
HG_MARIADB_APP_USER=hourglass
HG_MARIADB_APP_PASSWORD=hourglass
_HG_MARIADB_READY_TIMEOUT=${HG_MARIADB_READY_TIMEOUT:-60}   # s to wait for the port after a start
_HG_MARIADB_STOP_TIMEOUT=${HG_MARIADB_STOP_TIMEOUT:-60}     # s to wait for a clean shutdown before SIGKILL

_hg_log() { echo "services: $*" >&2; }

# 0 when every directory from / down to $1 may be traversed by other users (mariadbd runs as mysql).
_hg_world_traversable() {
  local d=$1
  while [ "$d" != / ] && [ -n "$d" ]; do
    [ -n "$(find "$d" -maxdepth 0 -perm -o+x 2>/dev/null)" ] || return 1
    d=$(dirname "$d")
  done
}

_hg_services_base() {
  if [ -n "${HG_SERVICES_DIR:-}" ]; then
    echo "$HG_SERVICES_DIR"
  elif [ "$(id -u)" -ne 0 ] || _hg_world_traversable "$_HG_REPO_ROOT"; then
    echo "$_HG_REPO_ROOT/target/services"
  else
    # a checkout the mysql user cannot reach (e.g. under /root): keep the data in /tmp, one directory per checkout
    echo "/tmp/hourglass-services-$(printf '%s' "$_HG_REPO_ROOT" | cksum | cut -d' ' -f1)"
  fi
}

_hg_mariadb_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base"
  echo "$(cd "$base" && pwd)/mariadb"
}

# 0 when something accepts TCP connections on 127.0.0.1:$1.
_hg_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits (up to 30 s each) until nothing accepts connections on the given ports any more. A stop calls it after its
# process is gone: the leader of a killed process shows as a zombie while its other threads still exit and hold its
# sockets, so a restart on the same ports right after would find them taken.
_hg_await_ports_released() {
  local port deadline
  for port in "$@"; do
    deadline=$((SECONDS + 30))
    while _hg_port_open "$port" && [ "$SECONDS" -lt "$deadline" ]; do
      sleep 0.1
    done
  done
}

# The PID recorded by start_mariadb, if that process is alive and is the mariadbd of our datadir.
_hg_mariadb_pid() {
  local dir pid cmdline
  dir=$(_hg_mariadb_dir)
  [ -s "$dir/mariadbd.pid" ] || return 1
  pid=$(cat "$dir/mariadbd.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmdline" in *mariadbd*"--datadir=$dir/data "*) echo "$pid" ;; *) return 1 ;; esac
}

# Exit status 0 when our MariaDB runs (the Java tests ask before they restart it).
mariadb_running() {
  _hg_mariadb_pid >/dev/null
}

ensure_mariadb_installed() {
  if command -v mariadbd >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1; then
    return 0
  fi
  _hg_log "installing MariaDB (mariadb-server, mariadb-client)..."
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client \
    >/dev/null
  command -v mariadbd >/dev/null 2>&1 || { _hg_log "mariadbd is still missing after apt-get install"; return 1; }
}

# The socket path must fit in sun_path (108 bytes); a deep checkout gets one in /tmp instead.
_hg_mariadb_socket() {
  local dir=$1 sock="$1/run/mariadbd.sock"
  if [ ${#sock} -ge 100 ]; then
    sock="/tmp/hg-mariadb-$(printf '%s' "$dir" | cksum | cut -d' ' -f1).sock"
  fi
  echo "$sock"
}

_hg_mariadb_export() {
  local port=$1
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$(_hg_mariadb_dir)")
  export HG_MARIADB_PORT=$port
  export HOURGLASS_MARIADB_URL="jdbc:mariadb://127.0.0.1:$port/$HG_MARIADB_DB"
  export HOURGLASS_MARIADB_USER=$HG_MARIADB_APP_USER
  export HOURGLASS_MARIADB_PASSWORD=$HG_MARIADB_APP_PASSWORD
}

# Prints the variables of a running server as export lines: eval "$(bash scripts/lib/services.sh mariadb_env)".
mariadb_env() {
  local dir
  dir=$(_hg_mariadb_dir)
  mariadb_running || { _hg_log "MariaDB is not running (start_mariadb)"; return 1; }
  _hg_mariadb_export "$(cat "$dir/port")"
  local v
  for v in HG_SERVICES_DIR HG_MARIADB_PORT HOURGLASS_MARIADB_URL HOURGLASS_MARIADB_USER HOURGLASS_MARIADB_PASSWORD; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# The database and user the tests use; tests may also create their own hourglass_* databases.
_hg_mariadb_provision() {
  local sock=$1 admin=root
  [ "$(id -u)" -eq 0 ] || admin=$(id -un)   # mariadb-install-db gives the --user account unix_socket access
  local u host grants=""
  for host in localhost 127.0.0.1; do
    u="'$HG_MARIADB_APP_USER'@'$host'"
    grants+="CREATE USER IF NOT EXISTS $u IDENTIFIED BY '$HG_MARIADB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON \`$HG_MARIADB_DB\`.* TO $u;
GRANT ALL PRIVILEGES ON \`${HG_MARIADB_DB}\\_%\`.* TO $u;
"
  done
  mariadb --no-defaults --protocol=socket --socket="$sock" -u"$admin" --batch <<SQL
CREATE DATABASE IF NOT EXISTS \`$HG_MARIADB_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
$grants
SQL
}

# Starts MariaDB on 127.0.0.1 (see the top of this file) and waits until it accepts connections.
start_mariadb() {
  local dir data run sock log port want pid user
  dir=$(_hg_mariadb_dir)
  data="$dir/data" run="$dir/run" log="$dir/mariadbd.log"
  sock=$(_hg_mariadb_socket "$dir")
  if pid=$(_hg_mariadb_pid); then
    port=$(cat "$dir/port")
    _hg_mariadb_provision "$sock"
    _hg_mariadb_export "$port"
    _hg_log "MariaDB already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  command -v mariadbd >/dev/null 2>&1 || { _hg_log "mariadbd not found: run ensure_mariadb_installed"; return 1; }

  user=mysql
  [ "$(id -u)" -eq 0 ] || user=$(id -un)
  mkdir -p "$run"
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$(dirname "$dir")" "$dir"   # whatever the umask: mysql must reach its data dir and socket
    chown "$user" "$run"
  fi
  if [ ! -d "$data/mysql" ]; then
    rm -rf "$data"
    if ! mariadb-install-db --no-defaults --user="$user" --datadir="$data" --skip-test-db \
        >"$dir/install-db.log" 2>&1; then
      _hg_log "mariadb-install-db failed:"; tail -n 30 "$dir/install-db.log" >&2; return 1
    fi
  fi

  # The port: the one asked for (or recorded by our previous start), unless another process holds it.
  want=${HG_MARIADB_PORT:-3306}
  port=$want
  if _hg_port_open "$port"; then
    if [ -n "${_HG_MARIADB_KEEP_PORT:-}" ]; then
      _hg_log "port $port is taken by another process; cannot restart MariaDB on it"; return 1
    fi
    port=$((want + 1))
    while _hg_port_open "$port"; do
      port=$((port + 1))
      [ "$port" -lt $((want + 200)) ] || { _hg_log "no free port in $want..$port"; return 1; }
    done
    _hg_log "port $want is taken by another process: MariaDB uses $port"
  fi

  rm -f "$sock"
  echo "--- $(date '+%F %T') start on port $port" >>"$log"
  # Foreground mariadbd in the background of this shell: $! is its PID. Its output goes to the log, so a caller
  # that reads this script's output (a Java test) is not held by a pipe the server keeps open.
  mariadbd --no-defaults --user="$user" --datadir="$data" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/mariadbd.pid"
  echo "$port" >"$dir/port"

  local deadline=$((SECONDS + _HG_MARIADB_READY_TIMEOUT))
  until _hg_port_open "$port" && [ -S "$sock" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _hg_log "mariadbd exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$dir/mariadbd.pid"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "MariaDB did not listen on $port within ${_HG_MARIADB_READY_TIMEOUT}s; see $log"
      stop_mariadb; return 1
    fi
    sleep 0.1
  done
  _hg_mariadb_provision "$sock"
  _hg_mariadb_export "$port"
  _hg_log "MariaDB up (pid $pid) on 127.0.0.1:$port, data in $data"
}

# Stops the MariaDB this script started (by its recorded PID) and waits until it has exited.
# --kill: SIGKILL instead of a clean shutdown (a crash: InnoDB recovers from its redo log at the next start).
stop_mariadb() {
  local dir pid signal=TERM
  [ "${1:-}" != --kill ] || signal=KILL
  dir=$(_hg_mariadb_dir)
  if ! pid=$(_hg_mariadb_pid); then
    rm -f "$dir/mariadbd.pid"
    return 0
  fi
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + _HG_MARIADB_STOP_TIMEOUT))
  # gone, or a zombie of this shell (the shell reaps it)
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "MariaDB (pid $pid) did not stop within ${_HG_MARIADB_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/mariadbd.pid"
  _hg_await_ports_released $(cat "$dir/port" 2>/dev/null)
  _hg_log "MariaDB (pid $pid) stopped (SIG$signal)"
}

# Stop and start on the same data dir and port (the contract suite's backend restart); --kill: crash and start.
restart_mariadb() {
  local dir
  dir=$(_hg_mariadb_dir)
  [ -s "$dir/port" ] || { _hg_log "no MariaDB was started here ($dir)"; return 1; }
  stop_mariadb "$@"
  HG_MARIADB_PORT=$(cat "$dir/port") _HG_MARIADB_KEEP_PORT=1 start_mariadb
  _hg_mariadb_export "$(cat "$dir/port")"
}

# Other servers (Kafka, Cassandra, etcd, ZooKeeper) live in services.d/<name>.sh, one file each, sourced here so that
# they share the helpers above (_hg_services_base, _hg_port_open, _hg_await_ports_released, _hg_log,
# ensure_apt_updated). Each offers
# ensure_<name>_installed, start_<name>, stop_<name> [--kill], restart_<name> [--kill], <name>_running, <name>_env.
for _hg_service_file in "$_HG_REPO_ROOT"/scripts/lib/services.d/*.sh; do
  [ -e "$_hg_service_file" ] || continue
  # shellcheck disable=SC1090
  source "$_hg_service_file"
done
unset _hg_service_file

# Executed rather than sourced: run the function named by the first argument (any of the functions above and in
# services.d, e.g. `bash scripts/lib/services.sh restart_mariadb --kill`).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _hg_run_function "$@"
fi
