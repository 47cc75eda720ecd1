#!/usr/bin/env bash
# Accept and fire rates of the packaged server per store, side by side in one run (docs/benchmarks.md, "Stores").
#
#   scripts/bench-stores.sh [h2] [mysql] [cassandra]        (default: all three)
#
# Every store gets the same treatment: a fresh database / keyspace, the same external Kafka broker process
# (scripts/lib/services.d/kafka.sh), a warm-up of 100k single submits, then
#   accept single (16 clients, 100k), accept batch (500 per request, 200k), burst (50k due in one ms: fire rate).
# Needs the jars (./mvnw -B -q -DskipTests install). Starts the servers it needs (MariaDB, Cassandra, Kafka) and
# leaves them running; stops the Hourglass servers it started and drops the MariaDB database it made. Cassandra's
# hg_bench_* keyspaces stay (no CQL shell on these machines): stop_cassandra and remove its data directory to clear
# them. Reports go to docs/benchmarks/stores-<UTC>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prereqs.sh
source scripts/lib/services.sh
ensure_jdk

stores=("$@")
[ ${#stores[@]} -gt 0 ] || stores=(h2 mysql cassandra)
jar=delay-bootstrap/target/hourglass.jar
bench=delay-bench/target/delay-bench.jar
[ -f "$jar" ] && [ -f "$bench" ] || { echo "build first: ./mvnw -B -q -DskipTests install" >&2; exit 1; }

start_kafka
out="docs/benchmarks/stores-$(date -u +%Y%m%d-%H%M%SZ)"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/hourglass-bench.XXXXXX")
port=18080
server_pid=
database=

drop_database() {
  if [ -n "$database" ]; then
    mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$HG_MARIADB_PORT" -u"$HOURGLASS_MARIADB_USER" \
      -p"$HOURGLASS_MARIADB_PASSWORD" -e "DROP DATABASE IF EXISTS $database" || true
  fi
  database=
}

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap 'stop_server; drop_database; rm -rf "$work"' EXIT

for store in "${stores[@]}"; do
  tag="bench_$(date +%s)"
  args=(--server.port=$port --spring.kafka.bootstrap-servers="$HOURGLASS_KAFKA_BOOTSTRAP" --delay.message.kafka.embedded=false)
  case "$store" in
    h2) ;;
    mysql)
      ensure_mariadb_installed; start_mariadb
      database="hourglass_$tag"
      mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$HG_MARIADB_PORT" -u"$HOURGLASS_MARIADB_USER" \
        -p"$HOURGLASS_MARIADB_PASSWORD" -e "CREATE DATABASE $database"
      args+=(--spring.profiles.active=mysql
        "--spring.datasource.url=jdbc:mariadb://127.0.0.1:$HG_MARIADB_PORT/hourglass_$tag?connectTimeout=5000")
      ;;
    cassandra)
      ensure_cassandra_installed; start_cassandra
      args+=(--spring.profiles.active=cassandra --spring.cassandra.contact-points="$HOURGLASS_CASSANDRA_CONTACT"
        --delay.store.cassandra.keyspace="hg_$tag" --delay.store.cassandra.replication-factor=1)
      ;;
    *) echo "unknown store $store (h2, mysql, cassandra)" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$store"
  (cd "$work/$store" && exec java -Xms1g -Xmx1g -XX:+UseG1GC -jar "$OLDPWD/$jar" "${args[@]}" >server.log 2>&1) &
  server_pid=$!
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"UP"' && break
    kill -0 "$server_pid" 2>/dev/null || { echo "server ($store) exited; see $work/$store/server.log" >&2; tail -30 "$work/$store/server.log" >&2; exit 1; }
    sleep 0.5
  done
  load() { java -jar "$bench" load --base "http://127.0.0.1:$port" "$@"; }
  echo "== $store: warm-up"
  load --scenario accept --clients 16 --mode single --count 100000 --out-dir "$work/warmup" >/dev/null
  echo "== $store: accept single"
  load --scenario accept --clients 16 --mode single --count 100000 --out-dir "$out/$store"
  echo "== $store: accept batch"
  load --scenario accept --clients 16 --mode batch --batch-size 500 --count 200000 --out-dir "$out/$store"
  echo "== $store: burst"
  load --scenario burst --count 50000 --lead-ms 30000 --kafka "$HOURGLASS_KAFKA_BOOTSTRAP" --out-dir "$out/$store"
  stop_server
  drop_database
done
echo "reports in $out"
