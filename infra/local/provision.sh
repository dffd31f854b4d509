#!/usr/bin/env bash
# Idempotent provisioning of the local servers (no Docker): Apache Kafka (KRaft) from Maven Central jars,
# Apicurio Registry from its Maven Central tarball, and the store, PostgreSQL + DocumentDB and FerretDB 2
# (provision-store.sh). Everything goes under $DYNSYNC_CACHE_DIR (default ~/.cache/dynsync), outside the
# checkout, keyed by version: a second run reuses what is there.
#
# Usage: provision.sh [kafka|apicurio|postgres|ferretdb ...]   (no argument = all four)
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
# shellcheck source=provision-store.sh
source "$here/provision-store.sh"
# Kafka and Apicurio are Java servers downloaded from Maven Central.
need_java_and_maven() {
  need java "Install a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)."
  need mvn "Install Apache Maven (Debian: apt-get install maven)."
}
mvn_batch() {
  # A repository local to the cache keeps provisioning self-contained and reusable across checkouts.
  mvn -q -B --no-transfer-progress -Dstyle.color=never -Dmaven.repo.local="$CACHE/m2" "$@" >&2 || die "Maven could not download $* from Maven Central. Check network access to the Maven registry (and ~/.m2/settings.xml mirrors), then retry."
}

provision_kafka() {
  local dir="$CACHE/kafka-$KAFKA_VERSION"
  [ -f "$dir/.complete" ] && return 0
  need_java_and_maven
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
  need_java_and_maven
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

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(kafka apicurio postgres ferretdb)
for t in "${targets[@]}"; do
  [ "$t" != postgres ] || check_postgres # fails before anything else is downloaded
done
for t in "${targets[@]}"; do
  case "$t" in
    kafka) provision_kafka ;;
    apicurio) provision_apicurio ;;
    postgres) provision_postgres ;;
    ferretdb) provision_ferretdb ;;
    *) die "unknown server '$t' (expected kafka, apicurio, postgres or ferretdb)" ;;
  esac
done
