# Apache Cassandra 5.0 for tests and the server's `cassandra` profile: the `cassandra-all` jar resolved from Maven
# Central and run as a JVM of its own (no Debian package, no Docker). Sourced by scripts/lib/services.sh, whose routine
# runs it; this file says what is Cassandra's own.
#
#   bash scripts/lib/services.sh ensure_cassandra_installed|start_cassandra|stop_cassandra [--kill]|
#                                restart_cassandra [--kill]|cassandra_running|cassandra_env
#
# Layout under "$(_hg_services_base)/cassandra": install/pom.xml (a throwaway pom whose only dependency is
# cassandra-all), classpath-<version>.txt (the resolved class path, cached: later starts do not call Maven),
# conf/cassandra.yaml + conf/logback.xml, data/ (-Dcassandra.storagedir: data, commitlog, hints, saved_caches),
# cassandra.pid (the PID this script started), port (native), storage-port, cassandra.log.
# cassandra-all is never put on a class path of ours: it brings its own Guava, Netty and logback.
#
# After start_cassandra (exported; `cassandra_env` prints them as export lines):
#   HOURGLASS_CASSANDRA_CONTACT=127.0.0.1:<native port>   HG_CASSANDRA_PORT=<native port>   HG_SERVICES_DIR=<dir>
# Ports: native ${HG_CASSANDRA_PORT:-9042} and storage ${HG_CASSANDRA_STORAGE_PORT:-7000} (each the one of our
# previous start, or the next free one when something that is not ours listens there). JMX is not opened. Local datacenter: datacenter1 (SimpleSnitch).

_HG_CASSANDRA_READY_TIMEOUT=180
_HG_CASSANDRA_STOP_TIMEOUT=60
_HG_CASSANDRA_HEAP=${HG_CASSANDRA_HEAP:-768m}
_HG_CASSANDRA_VARS="HG_CASSANDRA_PORT HOURGLASS_CASSANDRA_CONTACT"
_hg_service cassandra Cassandra CASSANDRA 9042 storage-port

# The server version: <cassandra-server.version> of the parent pom (5.0.9 when it cannot be read).
_hg_cassandra_version() {
  local v
  v=$(sed -n 's:.*<cassandra-server.version>\(.*\)</cassandra-server.version>.*:\1:p' "$_HG_REPO_ROOT/pom.xml" \
    2>/dev/null | head -n 1)
  echo "${v:-5.0.9}"
}

_hg_cassandra_ours() {
  case "$(_hg_cmdline "$1")" in
    *"-Dcassandra.storagedir=$2/data "*org.apache.cassandra.service.CassandraDaemon*) ;;
    *) return 1 ;;
  esac
}

_hg_cassandra_other_port() {
  echo "${HG_CASSANDRA_STORAGE_PORT:-7000}"
}

# Resolves the class path of org.apache.cassandra:cassandra-all:<version> once (Maven, online the first time) and
# caches it in classpath-<version>.txt; later calls only check that the jars are still in the local repository.
ensure_cassandra_installed() {
  local dir version cp_file jar
  dir=$(_hg_svc_dir cassandra)
  version=$(_hg_cassandra_version)
  cp_file="$dir/classpath-$version.txt"
  if [ -s "$cp_file" ]; then
    jar=$(tr ':' '\n' <"$cp_file" | grep -m1 "cassandra-all-$version.jar" || true)
    if [ -n "$jar" ] && [ -f "$jar" ]; then
      return 0
    fi
  fi
  command -v java >/dev/null 2>&1 || { _hg_log "java not found"; return 1; }
  _hg_log "resolving cassandra-all $version with Maven (first time only)..."
  mkdir -p "$dir/install"
  cat >"$dir/install/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/lib/services.d/cassandra.sh: only used to resolve the Cassandra server's class path. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.hourglass.services</groupId>
  <artifactId>cassandra-server</artifactId>
  <version>$version</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
  if ! "$_HG_REPO_ROOT/mvnw" -B -q -f "$dir/install/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$cp_file.tmp" -Dmdep.includeScope=runtime >"$dir/install.log" 2>&1; then
    _hg_log "resolving cassandra-all failed; see $dir/install.log"; tail -n 20 "$dir/install.log" >&2
    rm -f "$cp_file.tmp"; return 1
  fi
  # build-classpath leaves out the artifact itself only for the project; add cassandra-all explicitly if missing
  jar="$HOME/.m2/repository/org/apache/cassandra/cassandra-all/$version/cassandra-all-$version.jar"
  if ! grep -q "cassandra-all-$version.jar" "$cp_file.tmp"; then
    printf '%s:%s' "$jar" "$(cat "$cp_file.tmp")" >"$cp_file.tmp2" && mv "$cp_file.tmp2" "$cp_file.tmp"
  fi
  mv "$cp_file.tmp" "$cp_file"
  _hg_log "cassandra-all $version resolved ($(tr ':' '\n' <"$cp_file" | wc -l) jars)"
}

_hg_cassandra_write_conf() {
  local dir=$1 port=$2 storage_port=$3
  mkdir -p "$dir/conf"
  # Commit log: "group" (the default here) acknowledges a write only after the commit log was synced (every 10 ms,
  # shared by the writes of that window): this one node is the only replica, and a SIGKILL of the JVM must lose
  # nothing acknowledged. "periodic" acknowledges before the sync; its unsynced tail (up to the period) is not
  # replayed after a kill (see docs/stores.md, Cassandra: durability). HG_CASSANDRA_COMMITLOG_SYNC=periodic to compare.
  local sync_conf
  case "${HG_CASSANDRA_COMMITLOG_SYNC:-group}" in
    group) sync_conf=$'commitlog_sync: group\ncommitlog_sync_group_window: 10ms' ;;
    periodic) sync_conf=$'commitlog_sync: periodic\ncommitlog_sync_period: 10000ms' ;;
    batch) sync_conf='commitlog_sync: batch' ;;
    *) _hg_log "HG_CASSANDRA_COMMITLOG_SYNC must be group, periodic or batch"; return 1 ;;
  esac
  # Small single-node settings: one token, no vnodes, small caches and memtables, no automatic snapshots (the tests
  # create and drop keyspaces).
  cat >"$dir/conf/cassandra.yaml" <<YAML
cluster_name: hourglass-test
num_tokens: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:$storage_port"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: $storage_port
native_transport_port: $port
start_native_transport: true
$sync_conf
commitlog_segment_size: 8MiB
auto_snapshot: false
snapshot_before_compaction: false
key_cache_size: 8MiB
counter_cache_size: 0MiB
memtable_heap_space: 64MiB
memtable_offheap_space: 64MiB
concurrent_compactors: 1
compaction_throughput: 64MiB/s
authenticator: AllowAllAuthenticator
authorizer: AllowAllAuthorizer
YAML
  cat >"$dir/conf/logback.xml" <<XML
<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>
XML
}

_hg_cassandra_prepare() {
  ensure_cassandra_installed || return 1
  _hg_cassandra_write_conf "$1" "$port" "$(cat "$1/storage-port")" || return 1
  mkdir -p "$1/data"
}

_hg_cassandra_command() {
  local dir=$1
  cmd=()
  # As root Cassandra mlockall()s its heap (slow start, RSS = heap): drop CAP_IPC_LOCK for it (setpriv execs java).
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    cmd=(setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock)
  fi
  # The JPMS list of Cassandra's own conf/jvm17-server.options.
  local -a jpms=(
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
    --add-exports java.base/sun.nio.ch=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.nio=ALL-UNNAMED
    --add-opens java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.math=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens java.base/java.net=ALL-UNNAMED
  )

  cmd+=(java -Xms256m -Xmx"$_HG_CASSANDRA_HEAP" -Xss256k -XX:+UseG1GC -XX:+HeapDumpOnOutOfMemoryError
    -XX:HeapDumpPath="$dir" "${jpms[@]}"
    -Djava.net.preferIPv4Stack=true -Djdk.attach.allowAttachSelf=true
    -Dcassandra.config="file://$dir/conf/cassandra.yaml"
    -Dlogback.configurationFile="$dir/conf/logback.xml"
    -Dcassandra.storagedir="$dir/data"
    -Dcassandra.logdir="$dir"
    -Dcassandra-foreground=yes
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -cp "$(cat "$dir/classpath-$(_hg_cassandra_version).txt")" org.apache.cassandra.service.CassandraDaemon)
  if [ "${cmd[0]}" = setpriv ]; then cmd[0]=$(command -v setpriv); fi
}

# The native port accepts connections (checked by the routine): nothing more to wait for.
_hg_cassandra_ready() {
  :
}

_hg_cassandra_export() {
  _hg_svc_export_base cassandra
  export HOURGLASS_CASSANDRA_CONTACT="127.0.0.1:$HG_CASSANDRA_PORT"
}
