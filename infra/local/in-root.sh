#!/bin/sh
# Runs a program of the isolated Debian root that provision-store.sh installs PostgreSQL + DocumentDB into, as
# that root's user postgres, with one stack's run directory visible inside. Start it through
#   unshare --mount --propagation private -- sh in-root.sh <root> <run dir> <mount point> <program> [args]
# so that every mount below belongs to a private mount namespace and goes away with its last process: nothing
# stays mounted on the host, whether the server stops or is killed. Each step execs the next, so the program keeps
# the pid the caller started (the pid file and signals reach PostgreSQL itself).
set -eu
root=$1 dir=$2 at=$3
shift 3
uid=$(chroot "$root" id -u postgres) gid=$(chroot "$root" id -g postgres)
mkdir -p "$root$at"
mount --bind "$dir" "$root$at"                                  # this stack's data directory and log
mount -t proc proc "$root/proc"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"  # POSIX shared memory
mount -t tmpfs -o "mode=2775,uid=$uid,gid=$gid,size=1m,nosuid,nodev,noexec" tmpfs "$root/run/postgresql"
exec chroot --userspec=postgres:postgres "$root" "$@"
