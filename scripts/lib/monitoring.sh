# The Grafana dashboard and Prometheus alert rules of docs/monitoring/, checked with promtool (Debian's prometheus
# package): the rules are valid and their unit tests pass, and every query of the dashboard parses as PromQL.
# (That every metric they name is exposed by a running server is checked by StandaloneGuaranteesIT.)

ensure_promtool() {
  if ! command -v promtool >/dev/null 2>&1; then
    echo "Installing promtool (prometheus)..."
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
}

check_monitoring() {
  local dir=docs/monitoring tmp
  promtool check rules "$dir/hourglass-alerts.yml" >/dev/null
  (cd "$dir" && promtool test rules hourglass-alerts-test.yml >/dev/null)
  # each "expr" of the dashboard as a recording rule ($instance, a Grafana variable, as a match-all)
  tmp=$(mktemp --suffix=.yml)
  {
    echo "groups:"
    echo "  - name: dashboard"
    echo "    rules:"
    grep -oE '"expr": "([^"\\]|\\.)*"' "$dir/hourglass-dashboard.json" | sed -E 's/^"expr": "//; s/"$//; s/\\"/"/g; s/\$instance/.*/g' |
      awk '{ gsub(/'\''/, "'\'''\''"); printf "      - record: dashboard:query_%d\n        expr: '\''%s'\''\n", NR, $0 }'
  } > "$tmp"
  if ! promtool check rules "$tmp" >/dev/null; then
    promtool check rules "$tmp"; rm -f "$tmp"; return 1
  fi
  echo "monitoring: alert rules, their tests and $(grep -c 'record:' "$tmp") dashboard queries check out"
  rm -f "$tmp"
}
