#!/usr/bin/env bash
# FailoverMonitor bench (issues 4, 8 and 9): publishes the monitor (one or more builds: BENCH_BUILDS="jit aot") and
# the fake Cloudflare API, runs both out of process on 127.0.0.1 over HTTPS (a throwaway CA) with a fake systemctl
# and a fake systemd on a private D-Bus bus, and prints cycle time, API requests, failover latency, RSS, CPU, start-up time and, on request, a soak.
# See bench/README.md. Knobs are environment variables (BENCH_*); BENCH_QUICK=1 is a smoke run.
#
#   bench/run.sh                              # cycles, failover, resources, ready: about 20 minutes on 2 cores
#   BENCH_BUILDS="jit aot" BENCH_PHASES="resources ready" bench/run.sh   # JIT and NativeAOT side by side
#   BENCH_PHASES=soak bench/run.sh            # 2,000 cycles with faults, about 35-40 minutes
#   BENCH_SKIP_PUBLISH=1 bench/run.sh         # reuse bench/.work/{monitor-*,fake}
#   BENCH_REV=HEAD bench/run.sh               # bench the last commit, not the working tree
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=$here/.work

die() { echo "bench: $*" >&2; exit 2; }

# --- prerequisites: the .NET SDK, python3, curl, dbus-daemon, bash 5 (the README's setup plus Debian packages) ---
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v curl >/dev/null || missing+=(curl)
((${#missing[@]} == 0)) || die "missing ${missing[*]}: sudo apt-get install ${missing[*]}"
# Unit states: over D-Bus (a dbus-daemon of the bench's own with the fake systemd on it, as the monitor reads them in
# production) or through the monitor's systemctl fallback, one process per read.
case ${BENCH_UNIT_STATES:=dbus} in
dbus) command -v dbus-daemon >/dev/null || die "missing dbus-daemon (the fake systemd's private bus): sudo apt-get install dbus-daemon, or BENCH_UNIT_STATES=systemctl to measure the systemctl fallback" ;;
systemctl) ;;
*) die "BENCH_UNIT_STATES=$BENCH_UNIT_STATES: dbus (the default) or systemctl" ;;
esac
export BENCH_UNIT_STATES
python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' || die "python3 >= 3.8 is needed (found $(python3 --version 2>&1))"
[[ -n ${EPOCHREALTIME:-} ]] || die "bash >= 5 is needed (the fake systemctl reads \$EPOCHREALTIME)"
[[ $(uname -s) == Linux ]] || die "Linux only (/proc, Unix datagram sockets)"
if [[ -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    command -v dotnet >/dev/null || die "the .NET 10 SDK is needed ('dotnet' not found; Debian/Ubuntu: package dotnet-sdk-10.0)"
    dotnet --list-sdks 2>/dev/null | grep -q '^10\.' || die "the .NET 10 SDK is needed (found: $(dotnet --list-sdks 2>/dev/null | awk '{print $1}' | paste -sd' ' -))"
fi
if ((EUID != 0)); then
    echo "bench: not root: the monitor pings 127.0.0.1 through the ping binary instead of a raw socket (install iputils-ping if missing)" >&2
fi

# The app hosts find the runtime in DOTNET_ROOT or the default locations; point them at the SDK's dotnet otherwise.
if [[ -z ${DOTNET_ROOT:-} ]] && command -v dotnet >/dev/null; then
    dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
    case $dotnet_dir in
    /usr/share/dotnet | /usr/lib/dotnet) ;;
    *) export BENCH_DOTNET_ROOT=$dotnet_dir ;;
    esac
fi

mkdir -p "$work/bin"
install -m 755 "$here/lib/fake-systemctl" "$work/bin/systemctl"

# --- which source: the working tree (default), or a committed revision (BENCH_REV=HEAD, a tag, ...) exported with
#     git archive, so edits in progress in the working tree do not end up in the figures ---------------------------
src_root=$repo
if [[ -n ${BENCH_REV:-} && -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    commit=$(git -C "$repo" rev-parse --verify "${BENCH_REV}^{commit}" 2>/dev/null) || die "BENCH_REV=$BENCH_REV is not a commit of $repo"
    rm -rf "${work:?}/src" && mkdir -p "$work/src"
    git -C "$repo" archive "$commit" | tar -x -C "$work/src" || die "git archive $BENCH_REV failed"
    src_root=$work/src
    source_desc="revision $BENCH_REV = ${commit:0:7} (git archive into bench/.work/src)"
else
    rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no git")
    dirty=$(git -C "$repo" status --porcelain -- src tests/FakeCloudflareApi 2>/dev/null | head -c1)
    source_desc="working tree at $rev${dirty:+ with uncommitted changes in src/ or tests/FakeCloudflareApi/}"
fi

# --- publish (own artifacts path per build: a concurrent build of the source tree, or the other build of the bench,
#     does not share obj/ with this one). BENCH_BUILDS names the builds of the monitor, each into
#     bench/.work/monitor-<build>:
#       default  the project file's own publish (whatever it says: JIT or NativeAOT)
#       jit      framework-dependent JIT:  -r linux-x64 --self-contained false -p:PublishAot=false
#       aot      NativeAOT:                -r linux-x64 -p:PublishAot=true
#     The explicit properties give the same two builds whether the project file's default is JIT or NativeAOT.
builds=${BENCH_BUILDS:-default}
build_args() {
    case $1 in
    default) ;;
    jit) echo "-r linux-x64 --self-contained false -p:PublishAot=false" ;;
    aot) echo "-r linux-x64 -p:PublishAot=true" ;;
    *) die "BENCH_BUILDS: unknown build '$1' (default, jit, aot)" ;;
    esac
}
for b in $builds; do build_args "$b" >/dev/null; done
publish() { # PROJECT OUT ARTIFACTS EXTRA...
    local project=$1 out=$2 artifacts=$3
    shift 3
    echo "bench: dotnet publish $project -c Release -o bench/.work/$out $*"
    rm -rf "${work:?}/$out"
    # shellcheck disable=SC2068 # the extra arguments are words
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        dotnet publish "$src_root/$project" -c Release -o "$work/$out" --nologo -v quiet -p:NuGetAudit=false \
        --artifacts-path "$work/$artifacts" $@ >"$work/publish-$out.log" 2>&1 || {
        tail -n 40 "$work/publish-$out.log" >&2
        die "dotnet publish $project $* failed (output above; full log bench/.work/publish-$out.log)"
    }
}
if [[ -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    echo "bench: building the $source_desc"
    for b in $builds; do
        # shellcheck disable=SC2046 # build_args prints words
        # shellcheck disable=SC2086 # BENCH_PUBLISH_ARGS is words
        publish src/FailoverMonitor "monitor-$b" "artifacts-$b" $(build_args "$b") ${BENCH_PUBLISH_ARGS:-}
        echo "$(build_args "$b") ${BENCH_PUBLISH_ARGS:-}" >"$work/monitor-$b/.bench-build-args"
    done
    publish tests/FakeCloudflareApi fake artifacts
fi
for b in $builds; do
    [[ -x $work/monitor-$b/failover-monitor ]] || die "bench/.work/monitor-$b/failover-monitor missing: run without BENCH_SKIP_PUBLISH"
done
[[ -x $work/fake/fake-cloudflare-api ]] || die "bench/.work/fake/fake-cloudflare-api missing: run without BENCH_SKIP_PUBLISH"
export BENCH_BUILDS=$builds

if [[ -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    echo "$source_desc" >"$work/built-from"
fi
export BENCH_HEADER="Monitor and fake API built from the $(cat "$work/built-from" 2>/dev/null || echo "unknown source")"

# --- TLS, as Cloudflare's API speaks it: a throwaway CA per run (the e2e suite's make_pki), a server certificate
#     for 127.0.0.1 signed by it, and a trust bundle = the system's bundle plus that CA. The monitor gets the bundle
#     as SSL_CERT_FILE (.NET on Linux reads its root store from SSL_CERT_FILE and SSL_CERT_DIR, as OpenSSL does), so
#     it trusts the fake with no code change and still loads the system's roots, as on a real host.
if [[ ${BENCH_TLS:-1} != 0 ]]; then
    command -v openssl >/dev/null || die "missing openssl (for the fake API's throwaway CA): sudo apt-get install openssl, or BENCH_TLS=0"
    # shellcheck source=../tests/e2e/lib/pki.sh
    source "$repo/tests/e2e/lib/pki.sh"
    pki=$work/pki-$$
    rm -rf "$pki"
    make_pki "$pki" || die "openssl failed: $(tail -n 5 "$pki/openssl.log")"
    system_bundle=/etc/ssl/certs/ca-certificates.crt
    { [[ -r $system_bundle && ${BENCH_TRUST_SYSTEM:-1} != 0 ]] && cat "$system_bundle"; cat "$pki/ca.pem"; } >"$pki/trust.pem"
    mkdir "$pki/no-system-roots" # SSL_CERT_DIR with BENCH_TRUST_SYSTEM=0
    export BENCH_PKI=$pki
    trap 'rm -rf "$pki"' EXIT
fi

# --- as root, everything runs in a network namespace of its own (loopback only): nothing the bench sends can leave
#     it, and the soak can make the gateway (127.0.0.1) unreachable with an nftables rule that no one else sees.
if ((EUID == 0)) && [[ ${BENCH_NETNS:-1} != 0 ]] && command -v unshare >/dev/null && command -v ip >/dev/null; then
    export BENCH_PRIVATE_NETNS=1
    unshare --net -- bash -c 'ip link set lo up && exec python3 "$1"' bench "$here/lib/bench.py"
else
    python3 "$here/lib/bench.py"
fi
