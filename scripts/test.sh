#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine and runs the whole suite:
# unit and contract tests (surefire), then end-to-end tests against the packaged server (failsafe).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prereqs.sh
ensure_jdk

start=$(date +%s)
./mvnw -B -ntp verify "$@"
echo "scripts/test.sh: whole suite passed in $(( $(date +%s) - start )) s"
