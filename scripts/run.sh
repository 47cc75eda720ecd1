#!/usr/bin/env bash
# Starts the standalone Hourglass server: REST on 127.0.0.1:8080 (loopback only: it holds the demo app, see
# docs/security-defaults.md), embedded Kafka on 127.0.0.1:9092, data under ./data.
# Builds the jar first when it is missing or older than the sources. Extra arguments go to the server,
# e.g. scripts/run.sh --server.port=8081
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prereqs.sh
ensure_jdk

JAR=delay-bootstrap/target/hourglass.jar
stale() {
  [ ! -f "$JAR" ] && return 0
  [ -n "$(find . -path ./data -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.sql' -o -name '*.xml' -o -name '*.imports' -o -name '*.factories' \) \
      -newer "$JAR" -print -quit)" ]
}
if stale; then
  echo "Building Hourglass (first run downloads dependencies; a few minutes)..."
  ./mvnw -B -q -ntp -DskipTests -pl delay-bootstrap -am install
fi
mkdir -p data
exec java ${JAVA_OPTS:--Xmx1g} -jar "$JAR" "$@"
