#!/usr/bin/env bash
# Idempotent provisioning of the local servers (no Docker): Apache Kafka (KRaft) from Maven Central jars,
# Apicurio Registry from its Maven Central tarball, FerretDB built from the Go module proxy through the
# wrapper in infra/local/ferretdb-runner. Everything goes under $DYNSYNC_CACHE_DIR (default ~/.cache/dynsync),
# outside the checkout, keyed by version: a second run reuses what is there.
#
# Usage: provision.sh [kafka|apicurio|ferretdb ...]   (no argument = all three)
set -euo pipefail
exec 1>&2 # progress only: stdout stays clean for `eval "$(npm run -s infra:up)"`
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
CACHE="${DYNSYNC_CACHE_DIR:-$HOME/.cache/dynsync}"
mkdir -p "$CACHE"

die() { echo "provision: $*" >&2; exit 1; }
need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"
}
mvn_batch() {
  # A repository local to the cache keeps provisioning self-contained and reusable across checkouts.
  mvn -q -B --no-transfer-progress -Dstyle.color=never -Dmaven.repo.local="$CACHE/m2" "$@" >&2 || die "Maven could not download $* from Maven Central. Check network access to the Maven registry (and ~/.m2/settings.xml mirrors), then retry."
}

provision_kafka() {
  local dir="$CACHE/kafka-$KAFKA_VERSION"
  [ -f "$dir/.complete" ] && return 0
  need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
  need mvn "Install Apache Maven (Debian: apt-get install maven)."
  echo "provision: Apache Kafka $KAFKA_VERSION (jars from Maven Central) -> $dir" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.dynsync</groupId><artifactId>kafka-broker-libs</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <!-- The SLF4J 1.x -> log4j2 binding ships only in Kafka's tarball; without it the broker logs nothing. -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  (cd "$dir" && mvn_batch -f pom.xml "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory=lib)
  ls "$dir/lib" | grep -q "^kafka_2.13-$KAFKA_VERSION.jar$" || die "kafka_2.13-$KAFKA_VERSION.jar missing after download"
  touch "$dir/.complete"
}

provision_apicurio() {
  local dir="$CACHE/apicurio-$APICURIO_VERSION"
  [ -f "$dir/.complete" ] && return 0
  need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
  need mvn "Install Apache Maven (Debian: apt-get install maven)."
  echo "provision: Apicurio Registry $APICURIO_VERSION (tarball from Maven Central) -> $dir" >&2
  mvn_batch "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN:get" \
    "-Dartifact=io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" -Dtransitive=false
  local tgz="$CACHE/m2/io/apicurio/apicurio-registry-app/$APICURIO_VERSION/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  [ -f "$tgz" ] || die "Apicurio tarball not found at $tgz after download"
  rm -rf "$dir" && mkdir -p "$dir"
  tar -xzf "$tgz" -C "$dir"
  [ -f "$dir/quarkus-run.jar" ] || die "quarkus-run.jar missing in $tgz"
  touch "$dir/.complete"
}

provision_ferretdb() {
  local dir="$CACHE/ferretdb-$FERRETDB_VERSION"
  local stamp
  stamp="$(cat "$here/ferretdb-runner/main.go" "$here/ferretdb-runner/go.mod" "$here/ferretdb-runner/go.sum" "$here"/ferretdb-runner/patches/*.patch | sha256sum | cut -c1-16)"
  [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$stamp" ] && return 0
  need go "Install Go 1.24+ (https://go.dev/doc/install, or Debian: apt-get install golang)."
  echo "provision: FerretDB $FERRETDB_VERSION (built from the Go module proxy) -> $dir" >&2
  rm -rf "$dir" && mkdir -p "$dir/src"
  # go.mod/go.sum pin FerretDB and every transitive module; the build downloads them from the Go module proxy.
  cp "$here/ferretdb-runner/main.go" "$here/ferretdb-runner/go.mod" "$here/ferretdb-runner/go.sum" "$dir/src/"
  grep -q "github.com/FerretDB/FerretDB $FERRETDB_VERSION" "$dir/src/go.mod" || die "infra/local/ferretdb-runner/go.mod does not pin FerretDB $FERRETDB_VERSION (versions.env): run 'go get github.com/FerretDB/FerretDB@$FERRETDB_VERSION && go mod tidy' there"
  need patch "Install patch (Debian: apt-get install patch)."
  # FerretDB's module source, patched (infra/local/ferretdb-runner/patches/*.patch, each explained in its header)
  # and used through a replace directive in the build copy of go.mod only.
  local mod
  mod="$(cd "$dir/src" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$mod" ] || die "could not download github.com/FerretDB/FerretDB@$FERRETDB_VERSION: check access to the Go module proxy (GOPROXY=$(go env GOPROXY)) and retry"
  cp -R "$mod" "$dir/ferretdb-src" && chmod -R u+w "$dir/ferretdb-src"
  for p in "$here"/ferretdb-runner/patches/*.patch; do
    patch -s -p1 -d "$dir/ferretdb-src" < "$p" || die "could not apply $p to FerretDB $FERRETDB_VERSION: the patch must be updated with the version"
  done
  (cd "$dir/src" && go mod edit -replace "github.com/FerretDB/FerretDB=../ferretdb-src")
  (cd "$dir/src" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$dir/ferretdb-runner" .) \
    || die "could not build FerretDB $FERRETDB_VERSION: check access to the Go module proxy (GOPROXY=$(go env GOPROXY)) and retry"
  echo "$stamp" > "$dir/.complete"
}

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(kafka apicurio ferretdb)
for t in "${targets[@]}"; do
  case "$t" in
    kafka) provision_kafka ;;
    apicurio) provision_apicurio ;;
    ferretdb) provision_ferretdb ;;
    *) die "unknown server '$t' (expected kafka, apicurio or ferretdb)" ;;
  esac
done
