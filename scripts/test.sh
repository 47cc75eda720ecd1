#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine and runs the whole suite:
# unit and contract tests (surefire), then end-to-end tests against the packaged server (failsafe).
# Arguments go to Maven (e.g. scripts/test.sh -pl delay-store/delay-store-mysql).
#
# Real servers (scripts/lib/services.sh and services.d/): MariaDB 10.11, a Kafka broker process, etcd 3.4,
# ZooKeeper 3.8, Redis 7.0 and Cassandra 5.0 (its own JVM) are installed if missing, started for the run on 127.0.0.1 (HOURGLASS_MARIADB_URL/_USER/_PASSWORD,
# HOURGLASS_KAFKA_BOOTSTRAP, HOURGLASS_ETCD_ENDPOINTS, HOURGLASS_ZK_CONNECT, HOURGLASS_REDIS_ADDRESS,
# HOURGLASS_CASSANDRA_CONTACT tell the tests where) and stopped at
# exit, also when the run fails. Debian's chromium and chromium-driver are installed for the console's browser
# tests (HOURGLASS_CHROME, HOURGLASS_CHROMEDRIVER).
source scripts/lib/node.sh
source scripts/lib/image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prereqs.sh
source scripts/lib/services.sh
source scripts/lib/monitoring.sh
source scripts/lib/node.sh
source scripts/lib/image.sh
ensure_jdk
ensure_node_clients
ensure_promtool
ensure_podman
check_monitoring
# the image's base (~30 s the first time on a machine) is made while the servers start; checked before Maven
ensure_base_image >/dev/null 2>&1 &
_hg_base_image_pid=$!

start=$(date +%s)
if [ "${HOURGLASS_SKIP_SERVICES:-}" != 1 ]; then
  for arg in "$@"; do
    case "$arg" in
      clean | *:clean)
        # "clean" deletes target/ at the root, where the servers keep their data: keep it elsewhere for this run
        if [ -z "${HG_SERVICES_DIR:-}" ]; then
          HG_SERVICES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hourglass-services.XXXXXX")
          chmod 755 "$HG_SERVICES_DIR"   # mariadbd runs as mysql and must reach its data dir
          export HG_SERVICES_DIR
          _hg_services_tmp=$HG_SERVICES_DIR
        fi ;;
    esac
  done
  stop_services() {
    stop_cassandra || true
    stop_redis || true
    stop_zookeeper || true
    stop_etcd || true
    stop_kafka || true
    stop_mariadb || true
    if [ -n "${_hg_services_tmp:-}" ]; then rm -rf "$_hg_services_tmp"; fi
  }
  trap stop_services EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  ensure_mariadb_installed
  start_mariadb
  echo "scripts/test.sh: MariaDB ready in $(( $(date +%s) - start )) s ($HOURGLASS_MARIADB_URL)"
  start_kafka
  echo "scripts/test.sh: Kafka ready in $(( $(date +%s) - start )) s ($HOURGLASS_KAFKA_BOOTSTRAP)"
  ensure_cassandra_installed
  start_cassandra
  echo "scripts/test.sh: Cassandra ready in $(( $(date +%s) - start )) s ($HOURGLASS_CASSANDRA_CONTACT)"
  ensure_etcd_installed
  ensure_zookeeper_installed
  ensure_redis_installed
  start_etcd
  start_zookeeper
  start_redis
  ensure_chromium
  echo "scripts/test.sh: etcd, ZooKeeper and Redis ready in $(( $(date +%s) - start )) s ($HOURGLASS_ETCD_ENDPOINTS, $HOURGLASS_ZK_CONNECT, $HOURGLASS_REDIS_ADDRESS)"
fi

wait "$_hg_base_image_pid" || true
ensure_base_image   # cached by now; a failure of the background run shows here
./mvnw -B -ntp verify -Pimage -Dimage.base="$HOURGLASS_IMAGE_BASE" "$@"
echo "scripts/test.sh: whole suite passed in $(( $(date +%s) - start )) s"
