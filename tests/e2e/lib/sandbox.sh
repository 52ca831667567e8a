# shellcheck shell=bash
# Host side of the e2e sandbox: boot a real systemd as PID 1 of fresh namespaces,
# run commands inside it, tear it down. Sourced by run.sh.
#
#   sbx_start STAGE_DIR LOG_FILE   boot; sets SBX_PID1 (host PID of the sandbox's PID 1)
#   sbx DIR... / sbx_sh 'script'   run a command / a bash script inside every namespace
#   sbx_stop                       kill -9 the sandbox's PID 1, remove its cgroup
#   sbx_cleanup_stale              remove what a crashed earlier run left behind
#                                  (work dirs are ${TMPDIR:-/tmp}/failover-monitor-e2e.<PID>.*)
#
# The sandbox gets its own cgroup (a child of ours, named failover-monitor-e2e-*),
# so that the cgroup namespace roots systemd there and not at the host's root.

SBX_PREFIX=failover-monitor-e2e
SBX_PID1=
SBX_UNSHARE_PID=
SBX_CGROUP=
_SBX_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The cgroup2 directory this shell lives in (unified or hybrid hierarchy).
_sbx_cgroup2_dir() {
    local mnt rel
    mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    [[ -n $mnt ]] || return 1
    rel=$(awk -F: '$1 == "0" { print $3; exit }' /proc/self/cgroup)
    printf '%s%s\n' "$mnt" "${rel%/}"
}

# Every process in a cgroup tree.
_sbx_cgroup_pids() {
    local cg=$1
    [[ -d $cg ]] || return 0
    find "$cg" -name cgroup.procs -type f -exec cat {} + 2>/dev/null || true
}

# Kill a sandbox by its cgroup: its PID 1 (NSpid ends in 1) gets SIGKILL, which ends
# every process of the PID namespace; then wait for the cgroup to empty and remove it.
_sbx_kill_cgroup() {
    local cg=$1 pid i
    [[ -d $cg ]] || return 0
    for pid in $(_sbx_cgroup_pids "$cg"); do
        if awk '$1 == "NSpid:" && $NF == "1" && NF > 2 { found=1 } END { exit !found }' \
            "/proc/$pid/status" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    for ((i = 0; i < 100; i++)); do
        [[ -z $(_sbx_cgroup_pids "$cg") ]] && break
        sleep 0.1
    done
    if [[ -n $(_sbx_cgroup_pids "$cg") ]]; then
        echo "sandbox: processes still in $cg after SIGKILL of PID 1" >&2
        return 1
    fi
    find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ ! -d $cg ]]
}

# Is the run that owns a sandbox or work dir (named after its PID) still alive?
_sbx_owner_alive() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $pid == "$$" ]] && return 0
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'e2e/run.sh'
}

# Remove what a crashed earlier run left behind: sandboxes (cgroups named
# failover-monitor-e2e-<PID of run.sh>) and work dirs whose run.sh is gone. A run
# still going on beside this one is left alone.
sbx_cleanup_stale() {
    local parent cg d
    parent=$(_sbx_cgroup2_dir) || parent=/nonexistent
    for cg in "$parent/$SBX_PREFIX"-*; do
        [[ -d $cg ]] || continue
        _sbx_owner_alive "${cg##*-}" && continue
        echo "sandbox: removing a sandbox left by an earlier run ($cg)" >&2
        _sbx_kill_cgroup "$cg" || true
    done
    local base=${TMPDIR:-/tmp} name
    for d in "$base/$SBX_PREFIX".*; do
        [[ -d $d ]] || continue
        name=${d#"$base/$SBX_PREFIX".}
        _sbx_owner_alive "${name%%.*}" && continue
        echo "sandbox: removing a work dir left by an earlier run ($d)" >&2
        rm -rf -- "$d"
    done
}

# Run a command inside the sandbox (all its namespaces), bounded by SBX_TIMEOUT (30 s).
sbx() {
    timeout --kill-after=5 "${SBX_TIMEOUT:-30}" \
        nsenter -t "$SBX_PID1" -m -p -n -u -i -C -- "$@"
}
sbx_sh() { sbx /bin/bash -c "$1"; }

sbx_start() {
    local stage=$1 bootlog=$2 parent i state
    parent=$(_sbx_cgroup2_dir) || { echo "sandbox: no cgroup2 hierarchy mounted" >&2; return 1; }
    SBX_CGROUP=$parent/$SBX_PREFIX-$$
    mkdir "$SBX_CGROUP"
    # The boot shell moves itself into the sandbox cgroup, then becomes unshare, whose
    # child (PID 1 inside) runs boot.sh and then systemd.
    # shellcheck disable=SC2016  # expanded by the inner shell
    setsid bash -c 'echo $$ > "$1/cgroup.procs" && exec unshare --fork --pid --mount \
        --mount-proc --net --uts --ipc --cgroup --propagation private "$2" "$3"' \
        sbx-boot "$SBX_CGROUP" "$_SBX_LIB_DIR/boot.sh" "$stage" \
        </dev/null >"$bootlog" 2>&1 &
    SBX_UNSHARE_PID=$!
    for ((i = 0; i < 100; i++)); do
        SBX_PID1=$(awk '{print $1}' "/proc/$SBX_UNSHARE_PID/task/$SBX_UNSHARE_PID/children" 2>/dev/null || true)
        [[ -n $SBX_PID1 ]] && break
        kill -0 "$SBX_UNSHARE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $SBX_PID1 ]]; then
        echo "sandbox: unshare did not start (see $bootlog)" >&2
        return 1
    fi
    # Wait until systemd is up (bounded).
    for ((i = 0; i < 120; i++)); do
        if ! kill -0 "$SBX_PID1" 2>/dev/null; then
            echo "sandbox: PID 1 exited during boot (see $bootlog)" >&2
            return 1
        fi
        state=$(SBX_TIMEOUT=5 sbx systemctl is-system-running 2>/dev/null || true)
        case $state in
            running|degraded) return 0 ;;
        esac
        sleep 0.5
    done
    echo "sandbox: systemd not running after 60 s (state: ${state:-none}; see $bootlog)" >&2
    return 1
}

sbx_stop() {
    [[ -n $SBX_CGROUP ]] || return 0
    if [[ -n $SBX_PID1 ]]; then
        kill -9 "$SBX_PID1" 2>/dev/null || true
    fi
    _sbx_kill_cgroup "$SBX_CGROUP" || true
    if [[ -n $SBX_UNSHARE_PID ]]; then
        wait "$SBX_UNSHARE_PID" 2>/dev/null || true
    fi
    SBX_PID1='' SBX_CGROUP='' SBX_UNSHARE_PID=''
}
