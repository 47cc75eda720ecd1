# The container image without a Docker daemon: podman to load and run it, and a local base image for machines that
# cannot reach a container registry (docs/operations.md, "Container image").
#
#   source scripts/lib/image.sh; ensure_podman; ensure_base_image; ./mvnw -Pimage package -Dimage.base="$HOURGLASS_IMAGE_BASE"
#   bash scripts/lib/image.sh base_image|hg_podman <podman args>|podman_conf
#
# ensure_podman       installs Debian's podman and runc (and curl) when missing.
# hg_podman ARGS      podman with the settings a machine of our CI's kind needs (see podman_conf); the rest as usual.
# ensure_base_image   builds, once, a base image tar (a Java runtime made with jlink from the JDK on the PATH, glibc and
#                     the few libraries it links, /tmp, no shell) under ${HG_IMAGE_CACHE:-/var/cache/hourglass/image}
#                     and exports HOURGLASS_IMAGE_BASE=tar://<path> for Jib (-Dimage.base). The image's default base,
#                     eclipse-temurin:17-jre, needs a registry; this one is the stand-in where there is none.

_HG_REPO_ROOT=${_HG_REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=prereqs.sh
source "$_HG_REPO_ROOT/scripts/lib/prereqs.sh"   # ensure_apt_updated

_HG_IMAGE_CACHE=${HG_IMAGE_CACHE:-/var/cache/hourglass/image}
# Bump when the recipe below changes: the cached base is rebuilt.
_HG_BASE_RECIPE=2

_hg_image_log() { echo "image: $*" >&2; }

# podman and runc, and curl (ContainerImageIT runs the README's curl commands against the container).
ensure_podman() {
  if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    _hg_image_log "installing podman, runc and curl..."
    ensure_apt_updated
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc curl >/dev/null
  fi
}

# Writes, and prints the path of, the containers.conf that hg_podman uses. On our CI's machines podman's defaults
# fail, each with the error quoted:
# - crun (podman's default runtime) refuses the host's cgroup layout, v1 controllers with hugetlb on the v2
#   hierarchy: "crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2" -> runc;
# - there is no systemd: cgroup_manager cgroupfs, events to a file instead of the journal;
# - the process lacks CAP_SYS_RESOURCE, and podman asks for nofile=1048576 and nproc above its own limit:
#   "setrlimit `RLIMIT_NOFILE`: Operation not permitted" -> the limits this shell has (nproc at most 32768, the
#   limit podman sets for itself).
# On a machine with systemd and cgroup v2 these settings still work, they are just not needed there.
podman_conf() {
  local conf=$_HG_IMAGE_CACHE/containers.conf nofile nproc
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  mkdir -p "$_HG_IMAGE_CACHE"
  cat > "$conf.tmp" <<EOF
# written by scripts/lib/image.sh (podman_conf)
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  mv "$conf.tmp" "$conf"
  echo "$conf"
}

hg_podman() {
  CONTAINERS_CONF=$(podman_conf) podman "$@"
}

# The JDK that builds the runtime: the one `java` on the PATH belongs to.
_hg_jdk_home() {
  local java
  java=$(readlink -f "$(command -v java)")
  dirname "$(dirname "$java")"
}

ensure_base_image() {
  local jdk key tar rootfs modules lib
  jdk=$(_hg_jdk_home)
  if [ ! -x "$jdk/bin/jlink" ] || [ ! -d "$jdk/jmods" ]; then
    _hg_image_log "no jlink / jmods in $jdk: install a full JDK (openjdk-17-jdk-headless)"; return 1
  fi
  key=$( { "$jdk/bin/java" -version 2>&1; echo "recipe $_HG_BASE_RECIPE"; } | sha256sum | cut -c1-12)
  tar=$_HG_IMAGE_CACHE/hourglass-base-$key.tar
  if [ ! -s "$tar" ]; then
    ensure_podman
    local start=$SECONDS
    rootfs=$(mktemp -d "${TMPDIR:-/tmp}/hourglass-base.XXXXXX")
    chmod 755 "$rootfs"   # it becomes the image's /: mktemp's 0700 would lock every user but root out
    # A runtime of every module a JRE has: the JDK's modules but the development tools, the compiler and the incubators.
    modules=$("$jdk/bin/java" --list-modules | sed 's/@.*//' | grep -vxE 'jdk\.(compiler|editpad|hotspot\.agent|internal\.(ed|le|opt|vm\.ci|vm\.compiler|vm\.compiler\.management)|incubator\..*|jartool|javadoc|jconsole|jdeps|jdi|jlink|jpackage|jshell|jstatd|jcmd|attach)' | paste -sd,)
    "$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
      --output "$rootfs/opt/java/openjdk"
    # The shared libraries the runtime links (glibc, libz, libstdc++ ...), at the paths the host has them. Not those of
    # the GUI, the sound and the smart-card reader: a headless server never loads them.
    find "$rootfs/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) \
        ! -name 'libawt_xawt.so' ! -name 'libjawt.so' ! -name 'libsplashscreen.so' ! -name 'libjsound.so' \
        ! -name 'libj2pcsc.so' -print0 |
      xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' |
      sort -u | while read -r lib; do cp -L --parents "$lib" "$rootfs"; done
    mkdir -p "$rootfs/etc" "$rootfs/tmp"
    chmod 1777 "$rootfs/tmp"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
    mkdir -p "$_HG_IMAGE_CACHE"
    tar -C "$rootfs" -c . | hg_podman import -q \
        --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        - "localhost/hourglass-base:$key" >/dev/null
    rm -rf "$rootfs"
    hg_podman save -q --format docker-archive -o "$tar.tmp" "localhost/hourglass-base:$key" >/dev/null
    hg_podman rmi "localhost/hourglass-base:$key" >/dev/null
    mv "$tar.tmp" "$tar"
    _hg_image_log "base image $tar ($(du -m "$tar" | cut -f1) MB, $("$jdk/bin/java" -version 2>&1 | head -1)) built in $((SECONDS - start)) s"
  fi
  HOURGLASS_IMAGE_BASE=tar://$tar
  export HOURGLASS_IMAGE_BASE
}

# Prints the Jib base image reference of ensure_base_image (for `-Dimage.base=$(bash scripts/lib/image.sh base_image)`).
base_image() {
  ensure_base_image >&2
  echo "$HOURGLASS_IMAGE_BASE"
}

# Executed rather than sourced: run the function named by the first argument.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _hg_run_function "$@"
fi
