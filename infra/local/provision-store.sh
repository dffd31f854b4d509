# shellcheck shell=bash
# Provisioning of the store, sourced by provision.sh (which defines CACHE, die and need and sources versions.env):
#
# - postgres: PostgreSQL + Microsoft's DocumentDB extension from Debian packages, which only Debian forky and sid
#   have. They go into an isolated root under the cache, never onto the host: debootstrap (fetched with a
#   temporary apt configuration, the host's sources and packages untouched) of $DEBIAN_SUITE from the host's
#   Debian mirror, then apt-get install inside. Needs root (debootstrap, mount, chroot). Every mount is made in
#   a private mount namespace (unshare --mount) and disappears with it: nothing stays mounted.
# - ferretdb: FerretDB 2 with `go install` from the Go module proxy, into the cache.
#
# Each step prints one line (what, how long); the tools' output goes to a log file under the cache, named when
# a step fails.

LOGS="$CACHE/logs"

# step <log> <label> <command...>: runs the command with its output appended to <log>; one progress line.
step() {
  local log=$1 label=$2 t0=$SECONDS
  shift 2
  printf 'provision:   %s ... ' "$label" >&2
  echo "== $label: $*" >> "$log"
  if "$@" >> "$log" 2>&1; then
    echo "$((SECONDS - t0))s" >&2
  else
    echo "failed after $((SECONDS - t0))s; last lines of $log:" >&2
    tail -n 8 "$log" | sed 's/^/    | /' >&2
    die "$label failed: the whole output is in $log"
  fi
}

# The Debian mirror the host uses (DYNSYNC_DEBIAN_MIRROR overrides), else deb.debian.org.
debian_mirror() {
  local m=${DYNSYNC_DEBIAN_MIRROR:-}
  [ -n "$m" ] || m=$(grep -hsE '^[[:space:]]*(URIs:|deb[[:space:]])' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    | grep -oE 'https?://[^[:space:]]+' | grep -vE 'security|-updates' | grep -E '/debian/?$' | head -n 1)
  echo "${m:-http://deb.debian.org/debian}"
}

# fetch_debootstrap <dir> <mirror>: debootstrap from $DEBIAN_SUITE's archive, unpacked into <dir> (not installed).
fetch_debootstrap() {
  local dir=$1 mirror=$2 apt
  apt="$dir/apt"
  mkdir -p "$apt/lists/partial" "$apt/archives/partial"
  echo "deb $mirror $DEBIAN_SUITE main" > "$apt/sources.list"
  local o=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt" -o Dir::State::Status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root
    -o Acquire::Check-Valid-Until=false -o Acquire::Languages=none)
  apt-get "${o[@]}" update && (cd "$apt/archives" && apt-get "${o[@]}" download debootstrap) \
    && dpkg-deb -x "$apt"/archives/debootstrap_*.deb "$dir/debootstrap" && rm -rf "$apt"
}

# Configuration of the new root before packages go in: no services started, no documentation, no default
# cluster (each stack runs initdb in its own run directory), and apt accepting the archive's Release files.
configure_root() {
  local root=$1 proxy
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
  printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\nAPT::Install-Recommends "false";\nAcquire::Languages "none";\n' \
    > "$root/etc/apt/apt.conf.d/99dynsync"
  proxy=$(apt-config dump Acquire::http::Proxy 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p')
  [ -z "$proxy" ] || echo "Acquire::http::Proxy \"$proxy\";" >> "$root/etc/apt/apt.conf.d/99dynsync"
  printf 'path-exclude=/usr/share/doc/*\npath-exclude=/usr/share/man/*\npath-exclude=/usr/share/locale/*\n' > "$root/etc/dpkg/dpkg.cfg.d/01dynsync"
  mkdir -p "$root/etc/postgresql-common" && echo 'create_main_cluster = false' > "$root/etc/postgresql-common/createcluster.conf"
}

# in_namespace <root> <command...>: the command inside <root> with /proc mounted (postgresql-common needs it),
# in a private mount namespace.
in_namespace() {
  local root=$1
  shift
  unshare --mount --propagation private -- sh -c 'mount -t proc proc "$1/proc" && shift && exec chroot "$@"' sh "$root" "$root" \
    /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
    ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"
}

PG_DIR="$CACHE/postgres$POSTGRES_MAJOR-documentdb-$DOCUMENTDB_VERSION"
PG_STAMP="$DEBIAN_SUITE postgresql-$POSTGRES_MAJOR-documentdb=$DOCUMENTDB_VERSION"

# What the installation needs, checked before anything is downloaded; one line naming what is missing.
check_postgres() {
  local dir=$PG_DIR docker="or use infra/docker-compose.yml (real MongoDB) instead of the local store"
  [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$PG_STAMP" ] && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL + DocumentDB is installed into an isolated Debian root with debootstrap, mount and chroot, which need root: run as root, $docker."
  local t
  for t in apt-get:apt dpkg-deb:dpkg wget:wget gpgv:gpgv unshare:util-linux mount:mount chroot:coreutils; do
    command -v "${t%%:*}" >/dev/null 2>&1 || die "${t%%:*} is missing (Debian package ${t#*:}); it is needed to install PostgreSQL + DocumentDB into an isolated root. Install it, $docker."
  done
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || die "/usr/share/keyrings/debian-archive-keyring.gpg is missing (Debian package debian-archive-keyring): debootstrap checks the archive with it. Install it, $docker."
  unshare --mount --propagation private -- mount -t tmpfs none "$CACHE" 2>/dev/null \
    || die "this machine does not allow mounts in a private mount namespace (a container without CAP_SYS_ADMIN?): installing and running PostgreSQL + DocumentDB needs them; $docker."
  ! grep -qs " $dir/" /proc/mounts || die "something is mounted under $dir: unmount it first"
}

provision_postgres() {
  local dir=$PG_DIR pkg="postgresql-$POSTGRES_MAJOR-documentdb" log="$LOGS/provision-postgres.log" t0=$SECONDS mirror
  [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$PG_STAMP" ] && return 0
  check_postgres
  mirror=$(debian_mirror)
  mkdir -p "$LOGS" && : > "$log"
  echo "provision: PostgreSQL $POSTGRES_MAJOR + DocumentDB $DOCUMENTDB_VERSION, Debian $DEBIAN_SUITE packages in an isolated root -> $dir (log: $log)" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  step "$log" "debootstrap from $mirror" fetch_debootstrap "$dir" "$mirror"
  step "$log" "minimal Debian $DEBIAN_SUITE root (debootstrap)" env DEBOOTSTRAP_DIR="$dir/debootstrap/usr/share/debootstrap" \
    unshare --mount --propagation private -- "$dir/debootstrap/usr/sbin/debootstrap" --variant=minbase \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg "$DEBIAN_SUITE" "$dir/root" "$mirror"
  configure_root "$dir/root"
  step "$log" "apt-get install $pkg=$DOCUMENTDB_VERSION (with PostgreSQL $POSTGRES_MAJOR)" in_namespace "$dir/root" sh -c \
    "apt-get update && apt-get install -y -o Dpkg::Options::=--force-confold $pkg=$DOCUMENTDB_VERSION && apt-get clean && rm -rf /var/lib/apt/lists/*"
  [ -f "$dir/root/usr/lib/postgresql/$POSTGRES_MAJOR/lib/pg_documentdb.so" ] || die "$pkg installed no pg_documentdb.so (see $log)"
  rm -rf "$dir/debootstrap"
  echo "$PG_STAMP" > "$dir/.complete"
  echo "provision: PostgreSQL + DocumentDB ready in $((SECONDS - t0))s, $(du -sh "$dir" | cut -f1) on disk" >&2
}

provision_ferretdb() {
  local dir="$CACHE/ferretdb-$FERRETDB_VERSION" log="$LOGS/provision-ferretdb.log"
  [ -f "$dir/.complete" ] && [ -x "$dir/bin/ferretdb" ] && return 0
  need go "Install Go 1.24+ (https://go.dev/doc/install, or Debian: apt-get install golang)."
  mkdir -p "$LOGS" && : > "$log"
  rm -rf "$dir" && mkdir -p "$dir"
  echo "provision: FerretDB $FERRETDB_VERSION -> $dir (log: $log)" >&2
  # a module and build cache of its own (deleted afterwards: only the binary stays); -modcacherw lets rm delete it
  step "$log" "go install github.com/FerretDB/FerretDB/v2/cmd/ferretdb@$FERRETDB_VERSION" env GOPATH="$dir/go" GOCACHE="$dir/go/cache" \
    GOBIN="$dir/bin" GOFLAGS=-modcacherw CGO_ENABLED=0 go install -trimpath "github.com/FerretDB/FerretDB/v2/cmd/ferretdb@$FERRETDB_VERSION"
  [ "$("$dir/bin/ferretdb" --version | head -n 1)" = "version: $FERRETDB_VERSION" ] || die "the FerretDB built is not $FERRETDB_VERSION (see $log)"
  rm -rf "$dir/go"
  touch "$dir/.complete"
}
