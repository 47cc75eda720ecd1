# The Node.js clients of delay-bootstrap/src/test/node (kafkajs, @grpc/grpc-js and @grpc/proto-loader, pinned by
# its package-lock.json), which GrpcJavaClientIT runs against the packaged server to prove that clients in another
# language read Hourglass with their default settings (docs/api.md, "Clients in other languages").
# Sourced by scripts/test.sh after prereqs.sh (ensure_apt_updated).

HG_NODE_CLIENTS_DIR=delay-bootstrap/src/test/node

ensure_node_clients() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "Installing Node.js and npm (nodejs, npm)..."
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  local dir=$HG_NODE_CLIENTS_DIR stamp=$HG_NODE_CLIENTS_DIR/node_modules/.hourglass-lock
  # npm ci empties node_modules and installs the lock file's versions: skipped while they are installed already
  if ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "Installing the Node.js test clients ($dir, npm ci)..."
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$dir/package-lock.json" "$stamp"
  fi
  echo "scripts/test.sh: Node.js $(node --version) test clients ready ($dir)"
}
