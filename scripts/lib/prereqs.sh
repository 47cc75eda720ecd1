# Shared by run.sh and test.sh: make sure the tools exist on a fresh Debian machine.

# The body of a library script executed rather than sourced (`bash scripts/lib/services.sh start_mariadb`): runs the
# function named by the first argument with the others, or lists the functions there are.
_hg_run_function() {
  set -euo pipefail
  if [ -n "${1:-}" ] && [ "${1#_}" = "$1" ] && declare -F "$1" >/dev/null; then
    "$@"
  else
    echo "usage: bash $0 <function> [args]: one of" $(declare -F | awk '{print $3}' | grep -v '^_') >&2
    exit 2
  fi
}
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

# Debian's Chromium and its WebDriver, for the console's browser tests (Selenium drives the real browser, headless).
# Exports HOURGLASS_CHROME / HOURGLASS_CHROMEDRIVER for the tests.
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "Installing Chromium and its driver (chromium, chromium-driver)..."
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
  fi
  HOURGLASS_CHROME=$(command -v chromium)
  HOURGLASS_CHROMEDRIVER=$(command -v chromedriver)
  export HOURGLASS_CHROME HOURGLASS_CHROMEDRIVER
}
