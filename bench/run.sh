#!/usr/bin/env bash
# FailoverMonitor bench (issue 4, item 5): publishes the monitor and the fake Cloudflare API, runs both out of
# process on 127.0.0.1 with a fake systemctl, and prints cycle time, API requests, failover latency, RSS, CPU and
# start-up time. See bench/README.md. Knobs are environment variables (BENCH_*); BENCH_QUICK=1 is a smoke run.
#
#   bench/run.sh                  # everything, about 13 minutes on 2 cores
#   BENCH_PHASES=failover bench/run.sh
#   BENCH_SKIP_PUBLISH=1 bench/run.sh   # reuse bench/.work/{monitor,fake}
#   BENCH_REV=HEAD bench/run.sh         # bench the last commit, not the working tree
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
work=$here/.work

die() { echo "bench: $*" >&2; exit 2; }

# --- prerequisites: the .NET SDK, python3, curl, bash 5 (the README's setup plus standard Debian tools) ---------
missing=()
command -v python3 >/dev/null || missing+=(python3)
command -v curl >/dev/null || missing+=(curl)
((${#missing[@]} == 0)) || die "missing ${missing[*]}: sudo apt-get install ${missing[*]}"
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

# --- publish (own artifacts path: a concurrent build of the source tree does not share obj/ with this one) --------
if [[ -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    echo "bench: building the $source_desc"
    for pair in "src/FailoverMonitor:monitor" "tests/FakeCloudflareApi:fake"; do
        project=${pair%%:*} out=${pair##*:}
        echo "bench: dotnet publish $project -c Release -o bench/.work/$out"
        rm -rf "${work:?}/$out"
        DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
            dotnet publish "$src_root/$project" -c Release -o "$work/$out" --nologo -v quiet -p:NuGetAudit=false \
            --artifacts-path "$work/artifacts" >"$work/publish-$out.log" 2>&1 || {
            tail -n 40 "$work/publish-$out.log" >&2
            die "dotnet publish $project failed (output above; full log bench/.work/publish-$out.log)"
        }
    done
fi
[[ -x $work/monitor/failover-monitor ]] || die "bench/.work/monitor/failover-monitor missing: run without BENCH_SKIP_PUBLISH"
[[ -x $work/fake/fake-cloudflare-api ]] || die "bench/.work/fake/fake-cloudflare-api missing: run without BENCH_SKIP_PUBLISH"

if [[ -z ${BENCH_SKIP_PUBLISH:-} ]]; then
    echo "$source_desc" >"$work/built-from"
fi
export BENCH_HEADER="Monitor and fake API built from the $(cat "$work/built-from" 2>/dev/null || echo "unknown source")"
exec python3 "$here/lib/bench.py"
