# etcd 3.4 (Debian's etcd-server) for the coordinator tests (sourced by scripts/lib/services.sh, whose routine runs it;
# this file says what is etcd's own).
#
#   bash scripts/lib/services.sh ensure_etcd_installed | start_etcd | stop_etcd [--kill] | restart_etcd [--kill]
#                                etcd_running | etcd_env
#
# One member under $(_hg_services_base)/etcd: data/, etcd.pid, port and peer-port, etcd.log; client and peer URLs on
# 127.0.0.1 only. Port: ${HG_ETCD_PORT:-2379}, the peer port the next free one above it (kept across restarts: the
# member's peer URL is fixed by its data). After start_etcd (exported; `etcd_env` prints them as export lines):
#   HOURGLASS_ETCD_ENDPOINTS=http://127.0.0.1:<port>   HG_ETCD_PORT=<port>

_HG_ETCD_READY_TIMEOUT=30
_HG_ETCD_STOP_TIMEOUT=30
_HG_ETCD_VARS="HG_ETCD_PORT HOURGLASS_ETCD_ENDPOINTS"
_hg_service etcd etcd ETCD 2379 peer-port

ensure_etcd_installed() {
  _hg_apt_ensure etcd etcdctl -- etcd-server etcd-client
}

_hg_etcd_ours() {
  case "$(_hg_cmdline "$1")" in *etcd*"--data-dir $2/data "*) ;; *) return 1 ;; esac
}

_hg_etcd_prepare() {
  mkdir -p "$1/data"
  chmod 700 "$1/data"
}

_hg_etcd_command() {
  local peer
  peer=$(cat "$1/peer-port")
  cmd=(etcd --name hourglass --data-dir "$1/data"
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port"
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer"
    --initial-cluster "hourglass=http://127.0.0.1:$peer" --initial-cluster-state new
    --auto-compaction-retention 1h)
}

_hg_etcd_ready() {
  ETCDCTL_API=3 etcdctl --endpoints="http://127.0.0.1:$port" --dial-timeout=1s --command-timeout=2s \
    endpoint health >/dev/null 2>&1
}

_hg_etcd_export() {
  _hg_svc_export_base etcd
  export HOURGLASS_ETCD_ENDPOINTS="http://127.0.0.1:$HG_ETCD_PORT"
}
