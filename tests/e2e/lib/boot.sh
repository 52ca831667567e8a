#!/bin/bash
# PID 1 of the e2e sandbox (run by sandbox.sh through `unshare --fork --pid --mount
# --mount-proc --net --uts --ipc --cgroup --propagation private`).
#
# It gives the sandbox private copies of everything systemd, install.sh and the
# daemon may write, then execs a real systemd. Rule: nothing written from here on
# may land on a host file system.
#   /run, /tmp, /var/tmp, /var/log, /opt   tmpfs
#   /etc, /usr, /var, /root                 overlay, tmpfs upper (host files visible)
#   everything else                         read-only
#   /dev                                    private tmpfs with a few nodes
#   /sys                                    fresh read-only sysfs (new netns), fresh cgroup2
#   /usr/lib/systemd/system                 tmpfs: journald units + stub targets only
#
# Usage: boot.sh STAGE_DIR   (a host directory copied to /run/e2e/stage first)
set -euo pipefail

stage=${1:?usage: boot.sh STAGE_DIR}
[[ $$ -eq 1 ]] || { echo "boot.sh: must run as PID 1 of a new PID namespace" >&2; exit 1; }

log() { echo "boot: $*" >&2; }

# 0. Nothing we mount may propagate back to the host, and the host's root file system
#    is read-only in here (a per-mount flag of this namespace's copy of the mount):
#    whatever is not one of the private mounts below cannot be written at all.
mount --make-rprivate /
# The host's /proc, /sys and /dev (and their submounts) are detached, not just covered,
# so none of them stays in the mount table that every service's namespace is copied from
# (the host's /sys was writable underneath). unshare --mount-proc stacked a fresh /proc
# on the host's: detach both, mount one again.
for _ in 1 2 3 4; do umount -l /proc 2>/dev/null || break; done
mount -t proc -o nosuid,nodev,noexec proc /proc
mkdir -p /opt /root
mount -o remount,bind,ro /

# 1. /run first: it holds the overlay upper/work dirs and the staged files.
mount -t tmpfs -o mode=755,nosuid,nodev,size=2g tmpfs /run
mkdir -p /run/e2e/stage /run/e2e/ovl
# Copy the staged files in while the host's /tmp (where they may live) is still visible.
cp -a "$stage"/. /run/e2e/stage/

# 2. Overlays with a tmpfs upper layer: host files stay visible, writes stay here.
for d in etc usr var root; do
    mkdir -p "/run/e2e/ovl/$d/upper" "/run/e2e/ovl/$d/work"
    mount -t overlay "e2e-$d" \
        -o "lowerdir=/$d,upperdir=/run/e2e/ovl/$d/upper,workdir=/run/e2e/ovl/$d/work" "/$d"
done

# 3. Scratch and install locations: plain tmpfs.
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /var/log
mkdir -p /opt
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /opt

# 4. A private /dev.
umount -l /dev 2>/dev/null || true
mount -t tmpfs -o mode=755,nosuid,size=64k tmpfs /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
ln -s /proc/kcore /dev/core
# The console: a pseudo-terminal (systemd insists on a terminal there) whose output
# `script` appends to /run/e2e/pid1.log. PID 1 logs to it at debug level (see below).
# script and its sleep die with the PID namespace.
: > /run/e2e/pid1.log
script -q -f -E never -O /run/e2e/pid1.log -c 'exec sleep infinity' </dev/null >/dev/null 2>&1 &
console=
for _ in $(seq 100); do
    for p in /proc/[0-9]*; do
        [[ $(cat "$p/comm" 2>/dev/null) == sleep ]] || continue
        console=$(readlink "$p/fd/0" 2>/dev/null) && [[ $console == /dev/pts/* ]] && break 2
    done
    sleep 0.05
done
[[ $console == /dev/pts/* ]] || { log "no pseudo-terminal for the console"; exit 1; }
touch /dev/console
mount --bind "$console" /dev/console

# 5. /sys: a fresh read-only sysfs (it shows this network namespace) and a fresh
#    cgroup2 hierarchy rooted, through the cgroup namespace, at the sandbox's own cgroup.
umount -l /sys 2>/dev/null || true
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs /sys
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
# /proc/sys read-only (a per-mount flag on a bind mount: the host is not affected).
mount --bind /proc/sys /proc/sys
mount -o remount,bind,ro /proc/sys

# 6. A minimal unit world.
units=/run/e2e/units
mkdir -p "$units"
for u in systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket; do
    cp "/usr/lib/systemd/system/$u" "$units/"
done
mount -t tmpfs -o mode=755 tmpfs /usr/lib/systemd/system
cp -a "$units"/. /usr/lib/systemd/system/
# Stub targets: a unit with default dependencies pulls in nothing.
for t in sysinit basic sockets timers paths slices local-fs local-fs-pre remote-fs \
         remote-fs-pre swap network network-pre network-online nss-lookup nss-user-lookup \
         time-sync time-set multi-user graphical getty cryptsetup emergency rescue; do
    printf '[Unit]\nDescription=e2e stub %s.target\n' "$t" > "/usr/lib/systemd/system/$t.target"
done
for t in shutdown final umount exit; do
    printf '[Unit]\nDescription=e2e stub %s.target\nDefaultDependencies=no\n' "$t" \
        > "/usr/lib/systemd/system/$t.target"
done
ln -s multi-user.target /usr/lib/systemd/system/default.target
cp /run/e2e/stage/units/*.target /usr/lib/systemd/system/
for g in system-generators system-environment-generators; do
    mkdir -p "/usr/lib/systemd/$g"
    mount -t tmpfs -o mode=755 tmpfs "/usr/lib/systemd/$g"
done
# Nothing the host enabled: an empty /etc/systemd/system (install.sh writes here).
mount -t tmpfs -o mode=755 tmpfs /etc/systemd/system
mkdir -p /etc/systemd/system.conf.d /etc/systemd/journald.conf.d
cp /run/e2e/stage/conf/system.conf /etc/systemd/system.conf.d/50-e2e.conf
cp /run/e2e/stage/conf/journald.conf /etc/systemd/journald.conf.d/50-e2e.conf

# 7. Network: loopback only.
ip link set lo up
hostname failover-e2e

# PID 1 logs at debug level (one line per job enqueued: the suite counts start/stop
# requests exactly) to the console, not to journald: with debug lines going to
# journald between fork and cgroup attach, a service's first stdout lines get
# attributed to init.scope. (kmsg would do, but systemd rate-limits it.)
# Shared propagation inside the sandbox, as systemd sets it up on a real host (it does not
# in a container): new peer groups of this namespace only, since every mount was made
# private above, so nothing reaches the host. Without it a mount made in a child namespace
# never shows in PID 1's, e.g. the credentials LoadCredential= moves to /run/credentials.
mount --make-rshared /
log "mounts ready; exec systemd"
cd /
exec </dev/null >/dev/console 2>&1
exec env -i container=failover-monitor-e2e \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /lib/systemd/systemd --system --unit=e2e.target \
    --log-level=debug --log-target=console --show-status=no
