# Real servers for tests, as background processes with their own data under one directory (no systemd needed).
#
#   source scripts/lib/services.sh; ensure_mariadb_installed; start_mariadb; ...; stop_mariadb
#   bash scripts/lib/services.sh start_<name> | stop_<name> [--kill] | restart_<name> [--kill] | <name>_running | <name>_env
#
# One routine runs every server; a file per server in services.d/ (mariadb, kafka, cassandra, etcd, zookeeper, redis)
# says only what differs: its command line, how its data dir and config are prepared, its ports and how it shows that
# it is ready. Each server gets:
#   ensure_<name>_installed     installs it when missing (apt-get, or Maven for the Java ones)
#   start_<name>                starts it (Debian's start-stop-daemon --background --make-pidfile) on 127.0.0.1 and waits
#                               until it is ready; exports its variables. Starting a running server only exports them.
#   stop_<name> [--kill]        stops it by its recorded PID: SIGTERM, SIGKILL after its stop timeout (--kill: SIGKILL
#                               at once, a crash), then waits until its ports are free. Stopping a stopped one does nothing.
#   restart_<name> [--kill]     stop, then start on the same data and the same ports (the tests' backend restart)
#   <name>_running              exit status 0 when the server this script started runs
#   <name>_env                  prints its variables as export lines: eval "$(bash scripts/lib/services.sh mariadb_env)"
#
# Everything lives under ${HG_SERVICES_DIR:-<repo>/target/services} (/tmp/hourglass-services-<n> instead when the
# mysql user cannot reach the checkout, e.g. under /root), one directory per server: <name>.pid (the PID this script
# started; only that process is ever signalled, and only while its command line is still the one of this data dir),
# port (and <other>-port), <name>.log, data/ and its config.
#
# Ports: ${HG_<NAME>_PORT:-the port of our previous start, else the server's default}, or the next free one when a
# process that is not ours listens there (restart: the recorded ports or a failure). The variables after a start are
# listed in each services.d file (HOURGLASS_MARIADB_URL, HOURGLASS_KAFKA_BOOTSTRAP, ...; HG_SERVICES_DIR always).

_HG_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=prereqs.sh
source "$_HG_REPO_ROOT/scripts/lib/prereqs.sh"   # ensure_apt_updated (apt-get update once per shell)

# Debian puts mariadbd, mariadb-install-db and start-stop-daemon in /usr/sbin, which a non-login shell may not have.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

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

# Installs Debian packages unless every command (or absolute file) before "--" exists:
#   _hg_apt_ensure etcd etcdctl -- etcd-server etcd-client
_hg_apt_ensure() {
  local -a need=() packages=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do need+=("$1"); shift; done
  shift
  packages=("$@")
  _hg_apt_have "${need[@]}" && return 0
  _hg_log "installing ${packages[*]}..."
  ensure_apt_updated
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  _hg_apt_have "${need[@]}" || { _hg_log "${need[*]}: still missing after apt-get install ${packages[*]}"; return 1; }
}

_hg_apt_have() {
  local c
  for c in "$@"; do
    case "$c" in
      /*) [ -r "$c" ] || return 1 ;;
      *) command -v "$c" >/dev/null 2>&1 || return 1 ;;
    esac
  done
}

# ------------------------------------------------------------------------------------------ the one routine
#
# A services.d file declares its server with
#   _hg_service <name> <Label> <PREFIX> <default port> [<other port name>...]
# (PREFIX: HG_<PREFIX>_PORT asks for a port, _HG_<PREFIX>_KEEP_PORT=1 forbids drifting to another one; each other port,
# e.g. kafka's controller-port, is recorded in <other>-port) and defines these hooks, each called with the server's
# directory as $1 (variables it may read: port, and the array ports: name=value of each port):
#   _hg_<name>_ours <pid> <dir>      0 when process <pid> is this server on this data dir (its command line)
#   _hg_<name>_other_port <dir> <port name> <port>   the wanted value of another port (optional: default <port>+1)
#   _hg_<name>_prepare <dir>         data dir, config (optional)
#   _hg_<name>_command <dir>         fills the array cmd with the command line (first word: a path or a command)
#   _hg_<name>_ready <dir>           0 once it serves (called while it runs, until the ready timeout)
#   _hg_<name>_started <dir>         after a start and for a server found running: provisioning (optional)
#   _hg_<name>_export <dir>          exports the variables; _HG_<PREFIX>_VARS lists them for <name>_env
# and settings HG_<PREFIX>_READY_TIMEOUT / HG_<PREFIX>_STOP_TIMEOUT (s) with defaults in _HG_<PREFIX>_READY_TIMEOUT /
# _HG_<PREFIX>_STOP_TIMEOUT. _hg_service defines the public functions (start_<name> ...) on top of the routine below.

declare -A _HG_SVC_LABEL=() _HG_SVC_PREFIX=() _HG_SVC_DEFAULT_PORT=() _HG_SVC_OTHER_PORTS=()
# The name of <name>.pid and <name>.log when it is another one (mariadb: mariadbd.pid, as ever)
declare -A _HG_SVC_FILE=()

_hg_service() {
  local name=$1
  _HG_SVC_LABEL[$name]=$2
  _HG_SVC_PREFIX[$name]=$3
  _HG_SVC_DEFAULT_PORT[$name]=$4
  shift 4
  _HG_SVC_OTHER_PORTS[$name]="$*"
  eval "
start_$name() { _hg_svc_start $name \"\$@\"; }
stop_$name() { _hg_svc_stop $name \"\$@\"; }
restart_$name() { _hg_svc_restart $name \"\$@\"; }
${name}_running() { _hg_svc_pid $name >/dev/null; }
${name}_env() { _hg_svc_env $name; }"
}

_hg_svc_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base/$1"
  echo "$(cd "$base" && pwd)/$1"
}

_hg_svc_setting() {   # _hg_svc_setting <name> READY_TIMEOUT
  local prefix=${_HG_SVC_PREFIX[$1]} v
  v="HG_${prefix}_$2"
  if [ -n "${!v:-}" ]; then echo "${!v}"; return; fi
  v="_HG_${prefix}_$2"
  echo "${!v:-60}"
}

# The PID recorded by start_<name>, if that process is alive (not a zombie) and is our server on our data dir.
_hg_svc_pid() {
  local name=$1 dir pid
  dir=$(_hg_svc_dir "$name")
  [ -s "$dir/${_HG_SVC_FILE[$name]:-$name}.pid" ] || return 1
  pid=$(cat "$dir/${_HG_SVC_FILE[$name]:-$name}.pid")
  [ -r "/proc/$pid/stat" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  "_hg_${name}_ours" "$pid" "$dir" || return 1
  echo "$pid"
}

# The command line of process $1 as one string (arguments separated by spaces, a trailing space).
_hg_cmdline() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null
}

# First port at or above $1 that nobody listens on and that is not among the others given (stops after 200).
_hg_free_port() {
  local want=$1 port=$1 taken
  shift
  while :; do
    taken=
    _hg_port_open "$port" && taken=1
    case " $* " in *" $port "*) taken=1 ;; esac
    [ -n "$taken" ] || break
    port=$((port + 1))
    [ "$port" -lt $((want + 200)) ] || { _hg_log "no free port in $want..$port"; return 1; }
  done
  echo "$port"
}

# Chooses the ports of a start into the array ports (name=value, "port" first); see the top of this file.
_hg_svc_pick_ports() {
  local name=$1 dir=$2 prefix=${_HG_SVC_PREFIX[$1]} label=${_HG_SVC_LABEL[$1]} keep var want p other chosen=""
  keep="_HG_${prefix}_KEEP_PORT"
  keep=${!keep:-}
  ports=()
  for other in port ${_HG_SVC_OTHER_PORTS[$name]}; do
    if [ "$other" = port ]; then
      var="HG_${prefix}_PORT"
      want=${!var:-}
      [ -n "$want" ] || { [ -s "$dir/port" ] && want=$(cat "$dir/port"); } || true
      want=${want:-${_HG_SVC_DEFAULT_PORT[$name]}}
    elif [ -s "$dir/$other" ]; then
      want=$(cat "$dir/$other")
    elif declare -F "_hg_${name}_other_port" >/dev/null; then
      want=$("_hg_${name}_other_port" "$dir" "$other" "${ports[0]#*=}")
    else
      want=$((${ports[0]#*=} + 1))
    fi
    if [ -n "$keep" ]; then
      if _hg_port_open "$want"; then
        _hg_log "port $want is taken by another process; cannot restart $label on it"; return 1
      fi
      p=$want
    else
      p=$(_hg_free_port "$want" $chosen) || return 1
      [ "$p" = "$want" ] || _hg_log "port $want is taken by another process: $label uses $p"
    fi
    chosen+=" $p"
    ports+=("$other=$p")
  done
}

# The value of port <port name> of a server started here (from its port files).
_hg_svc_port() {
  local dir
  dir=$(_hg_svc_dir "$1")
  cat "$dir/${2:-port}" 2>/dev/null
}

_hg_svc_start() {
  local name=$1 dir label=${_HG_SVC_LABEL[$1]} pid log pidfile timeout p
  local -a ports=() cmd=()
  dir=$(_hg_svc_dir "$name")
  log="$dir/${_HG_SVC_FILE[$name]:-$name}.log" pidfile="$dir/${_HG_SVC_FILE[$name]:-$name}.pid"
  if pid=$(_hg_svc_pid "$name"); then
    local port
    port=$(_hg_svc_port "$name")
    if declare -F "_hg_${name}_started" >/dev/null; then "_hg_${name}_started" "$dir" || return 1; fi
    "_hg_${name}_export" "$dir"
    _hg_log "$label already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  rm -f "$pidfile"
  _hg_svc_pick_ports "$name" "$dir" || return 1
  local port=${ports[0]#*=}
  for p in "${ports[@]}"; do echo "${p#*=}" >"$dir/${p%%=*}"; done
  if declare -F "_hg_${name}_prepare" >/dev/null; then "_hg_${name}_prepare" "$dir" || return 1; fi
  "_hg_${name}_command" "$dir" || return 1
  case "${cmd[0]}" in
    /*) ;;
    *) cmd[0]=$(command -v "${cmd[0]}") || { _hg_log "${cmd[0]} not found: run ensure_${name}_installed"; return 1; } ;;
  esac

  echo "--- $(date '+%F %T') start on port(s) ${ports[*]}" >>"$log"
  _HG_LOG_FROM=$(wc -l <"$log")   # the ready check may look at what this start logged
  # Detached (its output to the log only, so that a caller reading this script's output, a Java test, is not held by
  # a pipe the server keeps open), its PID in <name>.pid. The command runs in the foreground of that process.
  if ! start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" \
      --chdir "$dir" --output "$log" --startas "${cmd[0]}" -- "${cmd[@]:1}" </dev/null; then
    _hg_log "start-stop-daemon could not start $label; see $log"; return 1
  fi
  # With --background the pidfile is written by the daemonized child, which may come after start-stop-daemon has
  # returned: wait for it (a loaded machine made an empty read look like "exited during start" while it ran).
  local tries=0
  until [ -s "$pidfile" ] || [ "$tries" -ge 100 ]; do sleep 0.05; tries=$((tries + 1)); done
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [ -n "$pid" ] || { _hg_log "$label: no PID in $pidfile after start; see $log"; return 1; }

  timeout=$(_hg_svc_setting "$name" READY_TIMEOUT)
  local deadline=$((SECONDS + timeout))
  until _hg_port_open "$port" && "_hg_${name}_ready" "$dir"; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
      _hg_log "$label exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$pidfile"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "$label was not ready on $port within ${timeout}s; see $log"
      _hg_svc_stop "$name"; return 1
    fi
    sleep 0.1
  done
  if declare -F "_hg_${name}_started" >/dev/null; then "_hg_${name}_started" "$dir" || return 1; fi
  "_hg_${name}_export" "$dir"
  _hg_log "$label up (pid $pid) on 127.0.0.1:$port, data in $dir"
}

# Stops the server this script started (by its recorded PID) and waits until it has exited and freed its ports.
# --kill: SIGKILL at once (a crash: the server recovers from its log at the next start).
_hg_svc_stop() {
  local name=$1 dir pid signal=TERM timeout label=${_HG_SVC_LABEL[$1]} p
  [ "${2:-}" != --kill ] || signal=KILL
  dir=$(_hg_svc_dir "$name")
  if ! pid=$(_hg_svc_pid "$name"); then
    rm -f "$dir/${_HG_SVC_FILE[$name]:-$name}.pid"
    return 0
  fi
  timeout=$(_hg_svc_setting "$name" STOP_TIMEOUT)
  # signal, wait up to the timeout, then SIGKILL and wait 10 s more
  start-stop-daemon --stop --quiet --oknodo --pid "$pid" --retry "$signal/$timeout/KILL/10" \
    || _hg_log "$label (pid $pid) did not exit after SIG$signal and SIGKILL"
  rm -f "$dir/${_HG_SVC_FILE[$name]:-$name}.pid"
  local -a held=()
  for p in port ${_HG_SVC_OTHER_PORTS[$name]}; do held+=("$(cat "$dir/$p" 2>/dev/null)"); done
  _hg_await_ports_released "${held[@]}"
  _hg_log "$label (pid $pid) stopped (SIG$signal)"
}

# Stop and start on the same data dir and ports; --kill: crash and start.
_hg_svc_restart() {
  local name=$1 dir
  shift
  dir=$(_hg_svc_dir "$name")
  [ -s "$dir/port" ] || { _hg_log "no ${_HG_SVC_LABEL[$name]} was started here ($dir)"; return 1; }
  _hg_svc_stop "$name" "$@"
  eval "HG_${_HG_SVC_PREFIX[$name]}_PORT=\$(cat \"\$dir/port\") _HG_${_HG_SVC_PREFIX[$name]}_KEEP_PORT=1 _hg_svc_start $name"
}

_hg_svc_env() {
  local name=$1 dir v list
  dir=$(_hg_svc_dir "$name")
  _hg_svc_pid "$name" >/dev/null || { _hg_log "${_HG_SVC_LABEL[$name]} is not running (start_$name)"; return 1; }
  "_hg_${name}_export" "$dir"
  list="_HG_${_HG_SVC_PREFIX[$name]}_VARS"
  for v in HG_SERVICES_DIR ${!list}; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

# Exports HG_SERVICES_DIR (absolute) and HG_<PREFIX>_PORT of server <name>; the services.d exports call it first.
_hg_svc_export_base() {
  local name=$1 dir
  dir=$(_hg_svc_dir "$name")
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$dir")
  export "HG_${_HG_SVC_PREFIX[$name]}_PORT=$(cat "$dir/port")"
}

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
