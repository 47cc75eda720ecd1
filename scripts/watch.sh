#!/usr/bin/env bash
# Prints the records Hourglass emits to a topic, as they arrive.
# Usage: scripts/watch.sh [topic=demo] [bootstrap=127.0.0.1:9092] [--from-beginning]
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=delay-bootstrap/target/hourglass.jar
[ -f "$JAR" ] || { echo "Build first: scripts/run.sh builds the jar" >&2; exit 1; }
exec java -cp "$JAR" -Dloader.main=io.hourglass.bootstrap.tools.TopicWatcher \
  org.springframework.boot.loader.launch.PropertiesLauncher "$@"
