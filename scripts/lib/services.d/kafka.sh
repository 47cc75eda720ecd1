# A real Kafka broker as its own process (KRaft, broker + controller in one JVM), for end-to-end, cluster tests and
# benchmarks of servers that run with an external Kafka (delay.message.kafka.embedded=false).
#
#   bash scripts/lib/services.sh start_kafka | stop_kafka [--kill] | restart_kafka [--kill] | kafka_running | kafka_env
#
# The broker is Apache Kafka's own `kafka.Kafka` main from org.apache.kafka:kafka_2.13 (the version Spring Boot
# manages for our producer, so client and broker match), resolved once from Maven Central into a classpath file.
# Data, config, log and PID under "$(_hg_services_base)/kafka". Exports (start_kafka; `kafka_env` prints them):
#   HOURGLASS_KAFKA_BOOTSTRAP=127.0.0.1:<port>   HG_KAFKA_PORT=<port>   HG_KAFKA_CONTROLLER_PORT=<port>
# Ports: ${HG_KAFKA_PORT:-19092} (clients) and the next free one for the controller, unless taken by another
# process (then the next free ones). 19092 rather than 9092 so that a standalone server's embedded broker (9092) and
# this one can run side by side.

HG_KAFKA_VERSION=${HG_KAFKA_VERSION:-3.8.1}   # = kafka.version managed by the Spring Boot BOM (3.4.10)
_HG_KAFKA_READY_TIMEOUT=${HG_KAFKA_READY_TIMEOUT:-90}
_HG_KAFKA_STOP_TIMEOUT=${HG_KAFKA_STOP_TIMEOUT:-60}

_hg_kafka_dir() {
  local base
  base=$(_hg_services_base)
  mkdir -p "$base/kafka"
  echo "$(cd "$base" && pwd)/kafka"
}

_hg_kafka_pid() {
  local dir pid cmdline
  dir=$(_hg_kafka_dir)
  [ -s "$dir/kafka.pid" ] || return 1
  pid=$(cat "$dir/kafka.pid")
  [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  case "$cmdline" in *kafka.Kafka*"$dir/server.properties"*) echo "$pid" ;; *) return 1 ;; esac
}

kafka_running() {
  _hg_kafka_pid >/dev/null
}

# Resolves the broker's classpath with Maven (once per version; cached in the services dir).
ensure_kafka_installed() {
  local dir cpfile
  dir=$(_hg_kafka_dir)
  cpfile="$dir/classpath-$HG_KAFKA_VERSION.txt"
  if [ -s "$cpfile" ] && [ -n "$(head -c1 "$cpfile")" ]; then
    local first
    first=$(cut -d: -f1 "$cpfile")
    [ -f "$first" ] && return 0
  fi
  _hg_log "resolving the Kafka $HG_KAFKA_VERSION broker classpath from Maven..."
  mkdir -p "$dir/resolve"
  cat >"$dir/resolve/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.hourglass.services</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <!-- runtime-scoped in the broker's POM, needed by kafka.Kafka and StorageTool -->
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-metadata</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-server-common</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-group-coordinator</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-raft</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools-api</artifactId><version>$HG_KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  if ! "$_HG_REPO_ROOT/mvnw" -B -q -ntp -f "$dir/resolve/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$cpfile.tmp" >"$dir/resolve.log" 2>&1; then
    _hg_log "could not resolve the Kafka classpath; see $dir/resolve.log"; tail -n 20 "$dir/resolve.log" >&2
    return 1
  fi
  mv "$cpfile.tmp" "$cpfile"
}

_hg_kafka_free_port() {
  local port=$1 avoid=${2:-0}
  while _hg_port_open "$port" || [ "$port" = "$avoid" ]; do
    port=$((port + 1))
    [ "$port" -lt $(($1 + 200)) ] || { _hg_log "no free port near $1"; return 1; }
  done
  echo "$port"
}

_hg_kafka_export() {
  export HG_SERVICES_DIR
  HG_SERVICES_DIR=$(dirname "$(_hg_kafka_dir)")
  export HG_KAFKA_PORT=$1 HG_KAFKA_CONTROLLER_PORT=$2
  export HOURGLASS_KAFKA_BOOTSTRAP="127.0.0.1:$1"
}

kafka_env() {
  local dir
  dir=$(_hg_kafka_dir)
  kafka_running || { _hg_log "Kafka is not running (start_kafka)"; return 1; }
  _hg_kafka_export "$(cat "$dir/port")" "$(cat "$dir/controller-port")"
  local v
  for v in HG_SERVICES_DIR HG_KAFKA_PORT HG_KAFKA_CONTROLLER_PORT HOURGLASS_KAFKA_BOOTSTRAP; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
}

_hg_kafka_write_config() {
  local dir=$1 port=$2 cport=$3
  cat >"$dir/server.properties" <<PROPS
# written by scripts/lib/services.d/kafka.sh
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=4
auto.create.topics.enable=true
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=4194304
# a restart after SIGKILL: the controller lets the new broker in after ~3 s rather than ~15 s
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=4
PROPS
  cat >"$dir/log4j.properties" <<'L4J'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
L4J
}

start_kafka() {
  local dir port cport pid cp log
  dir=$(_hg_kafka_dir)
  log="$dir/kafka.log"
  if pid=$(_hg_kafka_pid); then
    _hg_kafka_export "$(cat "$dir/port")" "$(cat "$dir/controller-port")"
    _hg_log "Kafka already running (pid $pid) on $HOURGLASS_KAFKA_BOOTSTRAP"
    return 0
  fi
  ensure_kafka_installed
  cp=$(cat "$dir/classpath-$HG_KAFKA_VERSION.txt")

  if [ -n "${_HG_KAFKA_KEEP_PORT:-}" ]; then
    port=$(cat "$dir/port") cport=$(cat "$dir/controller-port")
    if _hg_port_open "$port" || _hg_port_open "$cport"; then
      _hg_log "port $port or $cport is taken by another process; cannot restart Kafka on them"; return 1
    fi
  else
    port=$(_hg_kafka_free_port "${HG_KAFKA_PORT:-19092}") || return 1
    cport=$(_hg_kafka_free_port "$((port + 1))" "$port") || return 1
  fi
  _hg_kafka_write_config "$dir" "$port" "$cport"
  echo "$port" >"$dir/port"
  echo "$cport" >"$dir/controller-port"

  local java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  if [ ! -s "$dir/data/meta.properties" ]; then
    # format the log dir once (KRaft); the cluster id stays with the data across restarts
    rm -rf "$dir/data"
    if ! "$java" -cp "$cp" -Dlog4j.configuration="file:$dir/log4j.properties" kafka.tools.StorageTool format \
        -t "$("$java" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)" \
        -c "$dir/server.properties" >"$dir/format.log" 2>&1; then
      _hg_log "kafka-storage format failed:"; tail -n 20 "$dir/format.log" >&2; return 1
    fi
  fi
  echo "--- $(date '+%F %T') start on 127.0.0.1:$port (controller $cport)" >>"$log"
  local from
  from=$(wc -l <"$log")
  "$java" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$cp" kafka.Kafka "$dir/server.properties" </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/kafka.pid"

  local deadline=$((SECONDS + _HG_KAFKA_READY_TIMEOUT))
  # listening is not enough: wait for the broker to register with the controller ("started" in its log)
  until _hg_port_open "$port" && tail -n +"$((from + 1))" "$log" | grep -q "Kafka Server started"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      _hg_log "Kafka exited during start; last lines of $log:"; tail -n 30 "$log" >&2
      rm -f "$dir/kafka.pid"; return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "Kafka did not start within ${_HG_KAFKA_READY_TIMEOUT}s; see $log"
      stop_kafka --kill; return 1
    fi
    sleep 0.2
  done
  _hg_kafka_export "$port" "$cport"
  _hg_log "Kafka up (pid $pid) on $HOURGLASS_KAFKA_BOOTSTRAP, data in $dir/data"
}

stop_kafka() {
  local dir pid signal=TERM
  [ "${1:-}" != --kill ] || signal=KILL
  dir=$(_hg_kafka_dir)
  if ! pid=$(_hg_kafka_pid); then
    rm -f "$dir/kafka.pid"
    return 0
  fi
  kill -"$signal" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + _HG_KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      _hg_log "Kafka (pid $pid) did not stop within ${_HG_KAFKA_STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  rm -f "$dir/kafka.pid"
  _hg_await_ports_released $(cat "$dir/port" "$dir/controller-port" 2>/dev/null)
  _hg_log "Kafka (pid $pid) stopped (SIG$signal)"
}

restart_kafka() {
  local dir
  dir=$(_hg_kafka_dir)
  [ -s "$dir/port" ] || { _hg_log "no Kafka was started here ($dir)"; return 1; }
  stop_kafka "$@"
  _HG_KAFKA_KEEP_PORT=1 start_kafka
}
