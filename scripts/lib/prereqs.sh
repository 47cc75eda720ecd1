# Shared by run.sh and test.sh: make sure the tools exist on a fresh Debian machine.
ensure_apt_updated() {
  if [ -z "${_HG_APT_UPDATED:-}" ]; then
    apt-get update -qq
    _HG_APT_UPDATED=1
  fi
}

ensure_jdk() {
  if ! command -v java >/dev/null 2>&1 || ! java -version 2>&1 | grep -qE 'version "(17|18|19|2[0-9])'; then
    echo "Installing a JDK 17 (openjdk-17-jdk-headless)..."
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless
  fi
}
