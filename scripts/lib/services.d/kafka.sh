# A real Kafka broker as its own process (KRaft, broker + controller in one JVM), for end-to-end, cluster tests and
# benchmarks of servers that run with an external Kafka (delay.message.kafka.embedded=false). Sourced by
# scripts/lib/services.sh, whose routine runs it; this file says what is Kafka's own.
#
#   bash scripts/lib/services.sh start_kafka | stop_kafka [--kill] | restart_kafka [--kill] | kafka_running | kafka_env
#
# The broker is Apache Kafka's own `kafka.Kafka` main from org.apache.kafka:kafka_2.13 (the version Spring Boot
# manages for our producer, so client and broker match), resolved once from Maven Central into a classpath file.
# Data, config, log and PID under "$(_hg_services_base)/kafka". Exports (start_kafka; `kafka_env` prints them):
#   HOURGLASS_KAFKA_BOOTSTRAP=127.0.0.1:<port>   HG_KAFKA_PORT=<port>   HG_KAFKA_CONTROLLER_PORT=<port>
# Ports: ${HG_KAFKA_PORT:-19092} (clients) and the next free one for the controller. 19092 rather than 9092 so that a
# standalone server's embedded broker (9092) and this one can run side by side.

HG_KAFKA_VERSION=${HG_KAFKA_VERSION:-3.8.1}   # = kafka.version managed by the Spring Boot BOM (3.4.10)
_HG_KAFKA_READY_TIMEOUT=90
_HG_KAFKA_STOP_TIMEOUT=60
_HG_KAFKA_VARS="HG_KAFKA_PORT HG_KAFKA_CONTROLLER_PORT HOURGLASS_KAFKA_BOOTSTRAP"
_hg_service kafka Kafka KAFKA 19092 controller-port

_hg_kafka_ours() {
  case "$(_hg_cmdline "$1")" in *kafka.Kafka*"$2/server.properties"*) ;; *) return 1 ;; esac
}

# Resolves the broker's classpath with Maven (once per version; cached in the services dir).
ensure_kafka_installed() {
  local dir cpfile
  dir=$(_hg_svc_dir kafka)
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

_hg_kafka_java() {
  if [ -n "${JAVA_HOME:-}" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

_hg_kafka_prepare() {
  local dir=$1 cp java
  ensure_kafka_installed || return 1
  cp=$(cat "$dir/classpath-$HG_KAFKA_VERSION.txt")
  java=$(_hg_kafka_java)
  _hg_kafka_write_config "$dir" "$port" "$(cat "$dir/controller-port")"
  if [ ! -s "$dir/data/meta.properties" ]; then
    # format the log dir once (KRaft); the cluster id stays with the data across restarts
    rm -rf "$dir/data"
    if ! "$java" -cp "$cp" -Dlog4j.configuration="file:$dir/log4j.properties" kafka.tools.StorageTool format \
        -t "$("$java" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)" \
        -c "$dir/server.properties" >"$dir/format.log" 2>&1; then
      _hg_log "kafka-storage format failed:"; tail -n 20 "$dir/format.log" >&2; return 1
    fi
  fi
}

_hg_kafka_command() {
  cmd=("$(_hg_kafka_java)" -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
    -Dlog4j.configuration="file:$1/log4j.properties"
    -cp "$(cat "$1/classpath-$HG_KAFKA_VERSION.txt")" kafka.Kafka "$1/server.properties")
}

# Listening is not enough: the broker has registered with the controller ("started" in what this start logged).
_hg_kafka_ready() {
  tail -n +"$((_HG_LOG_FROM + 1))" "$1/kafka.log" | grep -q "Kafka Server started"
}

_hg_kafka_export() {
  _hg_svc_export_base kafka
  export HG_KAFKA_CONTROLLER_PORT
  HG_KAFKA_CONTROLLER_PORT=$(cat "$1/controller-port")
  export HOURGLASS_KAFKA_BOOTSTRAP="127.0.0.1:$HG_KAFKA_PORT"
}
