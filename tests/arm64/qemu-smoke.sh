#!/usr/bin/env bash
# Runs the linux-arm64 NativeAOT executable under qemu-user on an x64 host: `version`,
# `check-config --no-verify` on tunnels.example.json (rejected: placeholders, exit 78) and on a
# valid file (exit 0), and `run --dry-run` against the fake Cloudflare API on 127.0.0.1 until the
# fake has answered one of its requests and the log shows the tunnel healthy.
#
# Usage: tests/arm64/qemu-smoke.sh ARM64_EXECUTABLE FAKE_API_APPHOST
#   FAKE_API_APPHOST: an x64 build of tests/FakeCloudflareApi (e.g. its bin/Debug/net10.0/fake-cloudflare-api)
# Prints what it checked; exit 0 when everything passed. Needs qemu-aarch64-static (qemu-user-static)
# or qemu-aarch64 (qemu-user), and the arm64 C library (libc6:arm64) for the dynamic loader.
set -euo pipefail

exe=${1:?usage: qemu-smoke.sh ARM64_EXECUTABLE FAKE_API_APPHOST}
fake_bin=${2:?usage: qemu-smoke.sh ARM64_EXECUTABLE FAKE_API_APPHOST}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fail() { echo "qemu-smoke: FAIL: $*" >&2; exit 1; }

qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)
[[ -n $qemu ]] || fail "no qemu-aarch64-static or qemu-aarch64 (Debian package qemu-user-static)"
[[ -e /lib/ld-linux-aarch64.so.1 ]] || fail "no /lib/ld-linux-aarch64.so.1 (Debian package libc6:arm64)"
work=$(mktemp -d)
fake_pid=''
monitor_pid=''
cleanup() {
    [[ -n $monitor_pid ]] && kill -9 "$monitor_pid" 2>/dev/null
    [[ -n $fake_pid ]] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
# The executable's loader and libc are Debian's multiarch ones (/lib/ld-linux-aarch64.so.1, libc6:arm64).
# Not `-L /usr/aarch64-linux-gnu` (the cross compiler's libc): with it .NET hangs at start under qemu 7.2.
arm() { timeout 60 "$qemu" "$exe" "$@" </dev/null; }

out=$(arm version 2>&1) || fail "version exited $?: $out"
[[ $out == "failover-monitor "* ]] || fail "version printed: $out"
echo "qemu-smoke: version: $out"

rc=0
out=$(arm check-config --no-verify --config "$repo/tunnels.example.json" 2>&1) || rc=$?
((rc == 78)) && grep -q 'Invalid configuration' <<<"$out" ||
    fail "check-config on tunnels.example.json: exit $rc (want 78, its placeholders are invalid): $out"
echo "qemu-smoke: check-config tunnels.example.json: exit 78, $(grep -c '^  - ' <<<"$out") problem(s) named"

# The fake API on a free loopback port; it prints "listening <base url>" when ready.
account=0123456789abcdef0123456789abcdef tunnel=6ff42ae2-765d-4adf-8112-31c55c1551ef token=qemuSmokeToken0123456789
printf '{"tunnels":[{"account_id":"%s","tunnel_id":"%s","name":"web","token":"%s","connectors":["primary-1"]}]}\n' \
    "$account" "$tunnel" "$token" > "$work/seed.json"
"$fake_bin" serve --urls http://127.0.0.1:0 --seed "$work/seed.json" --log-requests >"$work/fake.log" 2>&1 &
fake_pid=$!
for ((i = 0; i < 300; i++)); do
    base=$(sed -n 's/^listening \(http[^ ]*\).*/\1/p' "$work/fake.log" | head -n 1)
    [[ -n $base ]] && break
    kill -0 "$fake_pid" 2>/dev/null || fail "the fake API exited: $(tail -n 3 "$work/fake.log")"
    sleep 0.1
done
[[ -n $base ]] || fail "the fake API did not print its address within 30 s"
base=${base%/}
base=${base%/client/v4}
cat > "$work/tunnels.json" <<EOF
{"gateway_ip": "127.0.0.1", "check_interval": 1, "api_base_url": "$base/client/v4/",
 "log_file": "$work/monitor.log", "state_file": "$work/state.json",
 "tunnels": [{"name": "web", "account_id": "$account", "tunnel_id": "$tunnel", "token": "$token",
              "service": "cloudflared-backup"}]}
EOF
chmod 600 "$work/tunnels.json"
out=$(arm check-config --no-verify --config "$work/tunnels.json" 2>&1) || fail "check-config on a valid file exited $?: $out"
echo "qemu-smoke: check-config on a valid file: exit 0"

# No systemd here: bench/'s fake systemctl answers the unit-state queries (the backup is inactive).
mkdir -p "$work/bin" "$work/units"
install -m 755 "$repo/bench/lib/fake-systemctl" "$work/bin/systemctl"
echo web > "$work/units/cloudflared-backup.tunnel"
PATH=$work/bin:$PATH BENCH_UNIT_DIR=$work/units BENCH_SYSTEMCTL_LOG=$work/systemctl.log BENCH_FAKE_URL=$base \
    "$qemu" "$exe" run --dry-run --config "$work/tunnels.json" </dev/null >"$work/monitor.out" 2>&1 &
monitor_pid=$!
seen=0
SECONDS=0
while ((SECONDS < 60)); do
    if grep -q 'status: healthy' "$work/monitor.log" 2>/dev/null &&
        curl -fsS --max-time 5 "$base/_fake/requests" 2>/dev/null | grep -q '"status_code":200'; then
        seen=1
        break
    fi
    kill -0 "$monitor_pid" 2>/dev/null || break
    sleep 0.1
done
kill -TERM "$monitor_pid" 2>/dev/null || true
for ((i = 0; i < 100; i++)); do kill -0 "$monitor_pid" 2>/dev/null || break; sleep 0.1; done
((seen)) || fail "no healthy cycle within 60 s; monitor output: $(tail -n 5 "$work/monitor.out" "$work/monitor.log" 2>/dev/null | tr '\n' ' ')"
wait "$monitor_pid" 2>/dev/null && rc=0 || rc=$?
monitor_pid=''
((rc == 0)) || fail "run --dry-run exited $rc on SIGTERM (want 0): $(tail -n 3 "$work/monitor.out" | tr '\n' ' ')"
echo "qemu-smoke: run --dry-run: a cycle read the fake API (HTTP 200) and logged the tunnel healthy; SIGTERM exit 0"
echo "qemu-smoke: $(grep -m1 'status: healthy' "$work/monitor.log")"
