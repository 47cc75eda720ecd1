# ZooKeeper 3.8 (Debian's zookeeper) for the coordinator tests (sourced by scripts/lib/services.sh, whose routine runs
# it; this file says what is ZooKeeper's own).
#
#   bash scripts/lib/services.sh ensure_zookeeper_installed | start_zookeeper | stop_zookeeper [--kill]
#                                restart_zookeeper [--kill] | zookeeper_running | zookeeper_env
#
# One standalone server (a JVM) under $(_hg_services_base)/zookeeper: data/ (snapshots and logs, so sessions and
# ephemeral nodes survive a restart as in production), zoo.cfg, zookeeper.pid, port, zookeeper.log. 127.0.0.1 only, no
# AdminServer (it would take :8080). tickTime 200 ms so that short session timeouts are allowed (minSessionTimeout
# 1 s >= 2 ticks; max 60 s). Port: ${HG_ZK_PORT:-2181}. After start_zookeeper (exported; `zookeeper_env` prints them):
#   HOURGLASS_ZK_CONNECT=127.0.0.1:<port>   HG_ZK_PORT=<port>

_HG_ZK_READY_TIMEOUT=60
_HG_ZK_STOP_TIMEOUT=30
_HG_ZK_VARS="HG_ZK_PORT HOURGLASS_ZK_CONNECT"
_HG_ZK_CLASSPATH=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar   # the jar's manifest has the rest
_hg_service zookeeper ZooKeeper ZK 2181

ensure_zookeeper_installed() {
  _hg_apt_ensure java /usr/share/java/zookeeper.jar -- zookeeper
}

_hg_zookeeper_ours() {
  case "$(_hg_cmdline "$1")" in *QuorumPeerMain*"$2/zoo.cfg "*) ;; *) return 1 ;; esac
}

_hg_zookeeper_prepare() {
  local dir=$1
  [ -r /usr/share/java/zookeeper.jar ] || { _hg_log "zookeeper.jar not found: run ensure_zookeeper_installed"; return 1; }
  mkdir -p "$dir/data"
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
}

_hg_zookeeper_command() {
  cmd=(java -Xms64m -Xmx256m -XX:+UseSerialGC -Dzookeeper.admin.enableServer=false
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
    -cp "$_HG_ZK_CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$1/zoo.cfg")
}

# "ruok" answered with "imok".
_hg_zookeeper_ready() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null) || true
  [ "$reply" = imok ]
}

_hg_zookeeper_export() {
  _hg_svc_export_base zookeeper
  export HOURGLASS_ZK_CONNECT="127.0.0.1:$HG_ZK_PORT"
}
