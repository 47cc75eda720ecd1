# MariaDB 10.11 (Debian's mariadb-server) for the SQL store, the end-to-end tests and benchmarks (sourced by
# scripts/lib/services.sh, whose routine runs it; this file says what is MariaDB's own).
#
#   bash scripts/lib/services.sh ensure_mariadb_installed | start_mariadb | stop_mariadb [--kill]
#                                restart_mariadb [--kill] | mariadb_running | mariadb_env
#
# Under $(_hg_services_base)/mariadb: data/ (datadir), run/ (socket), mariadbd.pid, port, mariadbd.log. mariadbd runs as
# mysql when started by root (--user). Starting a running server only refreshes the database, the user and the
# variables. After start_mariadb (exported; `mariadb_env` prints them as export lines):
#   HOURGLASS_MARIADB_URL=jdbc:mariadb://127.0.0.1:<port>/hourglass
#   HOURGLASS_MARIADB_USER=hourglass  HOURGLASS_MARIADB_PASSWORD=hourglass  HG_MARIADB_PORT=<port>
# Port: ${HG_MARIADB_PORT:-3306}. --kill is a crash: InnoDB recovers from its redo log at the next start.

HG_MARIADB_DB=hourglass
HG_MARIADB_APP_USER=hourglass
HG_MARIADB_APP_PASSWORD=hourglass
_HG_MARIADB_READY_TIMEOUT=60
_HG_MARIADB_STOP_TIMEOUT=60
_HG_MARIADB_VARS="HG_MARIADB_PORT HOURGLASS_MARIADB_URL HOURGLASS_MARIADB_USER HOURGLASS_MARIADB_PASSWORD"
_hg_service mariadb MariaDB MARIADB 3306
_HG_SVC_FILE[mariadb]=mariadbd   # mariadbd.pid, mariadbd.log

ensure_mariadb_installed() {
  _hg_apt_ensure mariadbd mariadb -- mariadb-server mariadb-client
}

_hg_mariadb_ours() {
  case "$(_hg_cmdline "$1")" in *mariadbd*"--datadir=$2/data "*) ;; *) return 1 ;; esac
}

# The socket path must fit in sun_path (108 bytes); a deep checkout gets one in /tmp instead.
_hg_mariadb_socket() {
  local sock="$1/run/mariadbd.sock"
  if [ ${#sock} -ge 100 ]; then
    sock="/tmp/hg-mariadb-$(printf '%s' "$1" | cksum | cut -d' ' -f1).sock"
  fi
  echo "$sock"
}

# The account mariadbd runs as: mysql under root, else the caller.
_hg_mariadb_user() {
  if [ "$(id -u)" -eq 0 ]; then echo mysql; else id -un; fi
}

_hg_mariadb_prepare() {
  local dir=$1 user data="$1/data"
  user=$(_hg_mariadb_user)
  mkdir -p "$dir/run"
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$(dirname "$dir")" "$dir"   # whatever the umask: mysql must reach its data dir and socket
    chown "$user" "$dir/run"
  fi
  if [ ! -d "$data/mysql" ]; then
    rm -rf "$data"
    if ! mariadb-install-db --no-defaults --user="$user" --datadir="$data" --skip-test-db \
        >"$dir/install-db.log" 2>&1; then
      _hg_log "mariadb-install-db failed:"; tail -n 30 "$dir/install-db.log" >&2; return 1
    fi
  fi
  rm -f "$(_hg_mariadb_socket "$dir")"
}

_hg_mariadb_command() {
  cmd=(mariadbd --no-defaults --user="$(_hg_mariadb_user)" --datadir="$1/data" --socket="$(_hg_mariadb_socket "$1")"
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci)
}

_hg_mariadb_ready() {
  [ -S "$(_hg_mariadb_socket "$1")" ]
}

# The database and user the tests use; tests may also create their own hourglass_* databases.
_hg_mariadb_started() {
  local admin=root u host grants=""
  [ "$(id -u)" -eq 0 ] || admin=$(id -un)   # mariadb-install-db gives the --user account unix_socket access
  for host in localhost 127.0.0.1; do
    u="'$HG_MARIADB_APP_USER'@'$host'"
    grants+="CREATE USER IF NOT EXISTS $u IDENTIFIED BY '$HG_MARIADB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON \`$HG_MARIADB_DB\`.* TO $u;
GRANT ALL PRIVILEGES ON \`${HG_MARIADB_DB}\\_%\`.* TO $u;
"
  done
  mariadb --no-defaults --protocol=socket --socket="$(_hg_mariadb_socket "$1")" -u"$admin" --batch <<SQL
CREATE DATABASE IF NOT EXISTS \`$HG_MARIADB_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
$grants
SQL
}

_hg_mariadb_export() {
  _hg_svc_export_base mariadb
  export HOURGLASS_MARIADB_URL="jdbc:mariadb://127.0.0.1:$HG_MARIADB_PORT/$HG_MARIADB_DB"
  export HOURGLASS_MARIADB_USER=$HG_MARIADB_APP_USER
  export HOURGLASS_MARIADB_PASSWORD=$HG_MARIADB_APP_PASSWORD
}
