#!/usr/bin/env bash
# End-to-end suite: FailoverMonitor under a real systemd (PID 1 of private namespaces,
# see lib/boot.sh), against the fake Cloudflare API reached as https://api.cloudflare.com
# through a throwaway CA, with a fake backup connector unit.
#
# Prints one line per scenario, "PASS name (measured Xs)" or "FAIL name: why", and ends
# with "N passed, N failed". Exit 0 only when every scenario passed.
#
# Environment:
#   E2E_MONITOR_DIR / E2E_FAKE_DIR  use these published folders instead of publishing
#   E2E_ARTIFACTS                   where logs of the run go (default <repo>/artifacts/e2e)
#   E2E_ONLY                        space-separated scenario names to run (others skipped)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ARTIFACTS=${E2E_ARTIFACTS:-$REPO/artifacts/e2e}
# shellcheck source=lib/sandbox.sh
source "$HERE/lib/sandbox.sh"
# shellcheck source=lib/pki.sh
source "$HERE/lib/pki.sh"

SCENARIOS=(
    install-prebuilt-idempotent
    monitor-starts-ready
    steady-healthy-no-action
    api-500-no-action
    gateway-unreachable-no-api-no-action
    failover-starts-backup
    failover-logged-once-at-error
    failback-stops-backup
    monitor-stop-leaves-backup-running
    monitor-restart-adopts-running-backup
    watchdog-restarts-hung-monitor
    tls-untrusted-certificate-no-action
    broken-config-exit-78-no-restart
    uninstall-keeps-config-and-log
    install-from-source-and-start
    upgrade-from-python-original
    journal-priorities
    log-file-format
    no-token-in-logs
)

passed=0 failed=0 skipped=0
say() { printf '%s\n' "$*"; }
note() { printf 'e2e: %s\n' "$*" >&2; }

# ------------------------------------------------------------------ skip checks
skip_all() {
    say "SKIP e2e: $1"
    say "0 passed, 0 failed, ${#SCENARIOS[@]} skipped"
    exit 0
}
[[ $(id -u) -eq 0 ]] || skip_all "needs root (it boots systemd in new namespaces)"
{ command -v unshare && command -v nsenter; } >/dev/null || skip_all "needs unshare and nsenter (util-linux)"
[[ -x /lib/systemd/systemd ]] || skip_all "needs systemd installed (/lib/systemd/systemd)"
missing=()
for tool in nft ip openssl curl jq dotnet script; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    say "FAIL e2e-prerequisites: missing ${missing[*]} (.ci/run installs them: nftables iproute2 openssl curl jq)"
    say "0 passed, 1 failed"
    exit 1
fi

# ------------------------------------------------------------------ work dir, teardown
sbx_cleanup_stale
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$SBX_PREFIX.$$.XXXXXX")
STAGE=$WORK/stage
rm -rf "$ARTIFACTS"
mkdir -p "$STAGE" "$ARTIFACTS"

collect_artifacts() {
    [[ -n ${SBX_PID1:-} ]] && kill -0 "$SBX_PID1" 2>/dev/null || return 0
    SBX_TIMEOUT=60 sbx journalctl --no-pager -o short-precise > "$ARTIFACTS/journal.txt" 2>&1 || true
    SBX_TIMEOUT=60 sbx journalctl --no-pager -o json \
        > "$ARTIFACTS/journal.json" 2>&1 || true
    SBX_TIMEOUT=10 sbx cat /var/log/failover_monitor.log > "$ARTIFACTS/failover_monitor.log" 2>&1 || true
    tr -d '\r' < "/proc/$SBX_PID1/root/run/e2e/pid1.log" > "$ARTIFACTS/systemd-pid1.log" 2>/dev/null || true
}
teardown() {
    local rc=$?
    trap - EXIT INT TERM
    collect_artifacts
    sbx_stop
    cp "$WORK"/*.log "$ARTIFACTS/" 2>/dev/null || true
    rm -rf "$WORK"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

setup_failed() {
    say "FAIL e2e-setup: $1"
    say "0 passed, 1 failed"
    note "logs in $ARTIFACTS"
    exit 1
}

# ------------------------------------------------------------------ build
publish() { # NAME PROJECT OUT
    note "publishing $2"
    if ! DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 timeout 900 \
        dotnet publish "$REPO/$2" -c Release -o "$3" --nologo >"$WORK/publish-$1.log" 2>&1; then
        tail -n 30 "$WORK/publish-$1.log" >&2
        setup_failed "dotnet publish $2 failed (see $ARTIFACTS/publish-$1.log)"
    fi
}
if [[ -n ${E2E_MONITOR_DIR:-} ]]; then
    mkdir -p "$STAGE/monitor" && cp -a "$E2E_MONITOR_DIR"/. "$STAGE/monitor/"
else
    publish monitor src/FailoverMonitor/FailoverMonitor.csproj "$STAGE/monitor"
fi
if [[ -n ${E2E_FAKE_DIR:-} ]]; then
    mkdir -p "$STAGE/fake" && cp -a "$E2E_FAKE_DIR"/. "$STAGE/fake/"
else
    publish fake tests/FakeCloudflareApi/FakeCloudflareApi.csproj "$STAGE/fake"
fi
[[ -x $STAGE/monitor/failover-monitor ]] || setup_failed "no failover-monitor executable in the published daemon"
[[ -x $STAGE/fake/fake-cloudflare-api ]] || setup_failed "no fake-cloudflare-api executable in the published fake"

# ------------------------------------------------------------------ stage
rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
ACCOUNT_ID=$(rand_hex 16)
TUNNEL_ID=$(cat /proc/sys/kernel/random/uuid)
TOKEN="e2eTok$(rand_hex 20)"
PRIMARY=primary-$(rand_hex 4)
SERVICE=cloudflared-backup
UNIT=failover-monitor.service
BACKUP=$SERVICE.service
CHECK_INTERVAL=1 FAILURE_THRESHOLD=2 RECOVERY_THRESHOLD=3
LOG=/var/log/failover_monitor.log

make_pki "$STAGE/pki" || setup_failed "openssl failed: $(tail -n 5 "$STAGE/pki/openssl.log")"
cp -a "$HERE/fixtures/units" "$HERE/fixtures/conf" "$HERE/fixtures/services" "$STAGE/"
mkdir -p "$STAGE/repo/deploy"
cp "$REPO/install.sh" "$STAGE/repo/"
cp "$REPO/deploy/failover-monitor.service" "$STAGE/repo/deploy/"
[[ -f $REPO/tunnels.example.json ]] && cp "$REPO/tunnels.example.json" "$STAGE/repo/"
# The whole source tree (tracked files), for install.sh's default build-and-install path.
mkdir -p "$STAGE/src"
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$REPO" ls-files -z | (cd "$REPO" && tar --null -T - -cf -) | tar -xf - -C "$STAGE/src"
else
    tar -C "$REPO" --exclude=.git --exclude=bin --exclude=obj --exclude=artifacts -cf - . | tar -xf - -C "$STAGE/src"
fi || setup_failed "cannot copy the source tree"
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg p "$PRIMARY" \
    '{tunnels: [{account_id: $a, tunnel_id: $t, name: "web", token: $k, connectors: [$p]}]}' > "$STAGE/seed.json"
jq '.tunnels[0].connectors = []' "$STAGE/seed.json" > "$STAGE/seed-down.json"
# The production default base URL: no api_base_url key, so https://api.cloudflare.com is used.
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg s "$SERVICE" \
    --argjson ci "$CHECK_INTERVAL" --argjson ft "$FAILURE_THRESHOLD" --argjson rt "$RECOVERY_THRESHOLD" \
    '{gateway_ip: "127.0.0.2", check_interval: $ci, failure_threshold: $ft, recovery_threshold: $rt,
      tunnels: [{name: "web", account_id: $a, tunnel_id: $t, token: $k, service: $s,
                 backup_metrics: "127.0.0.1:20241"}]}' > "$STAGE/tunnels.json"
jq '.tunnels[0].tunnel_id = "my-tunnel"' "$STAGE/tunnels.json" > "$STAGE/tunnels-broken.json"
# The Python original's format, only its four keys per tunnel (no name, no backup_metrics).
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg s "$SERVICE" \
    '{gateway_ip: "127.0.0.2", check_interval: 1,
      tunnels: [{account_id: $a, tunnel_id: $t, token: $k, service: $s}]}' > "$STAGE/tunnels-original.json"

# ------------------------------------------------------------------ boot
note "booting systemd in private namespaces"
sbx_start "$STAGE" "$WORK/boot.log" || setup_failed "the sandbox did not boot: $(tail -n 3 "$WORK/boot.log" | tr '\n' ' ')"

sbx_sh "$(cat <<EOF
set -euo pipefail
S=/run/e2e/stage
# Trust the throwaway CA (the overlay's copy of the bundle) and map the API name to loopback.
cat \$S/pki/ca.pem >> /etc/ssl/certs/ca-certificates.crt
ln -sf \$S/pki/ca.pem /etc/ssl/certs/\$(openssl x509 -hash -noout -in \$S/pki/ca.pem).0
echo '127.0.0.1 api.cloudflare.com' >> /etc/hosts
# An empty input-hook chain; the gateway scenario adds a rule to it.
nft add table inet failover_e2e
nft add chain inet failover_e2e input '{ type filter hook input priority 0; policy accept; }'
cp \$S/services/fake-cloudflare-api*.service /etc/systemd/system/
sed 's/@TUNNEL_ID@/$TUNNEL_ID/' \$S/services/cloudflared-backup.service > /etc/systemd/system/$BACKUP
systemctl daemon-reload
EOF
)" >"$WORK/setup.log" 2>&1 || setup_failed "sandbox setup failed: $(tail -n 3 "$WORK/setup.log" | tr '\n' ' ')"

# ------------------------------------------------------------------ helpers
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
secs() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }

# Admin API of the fake, over the sandbox's trusted TLS.
fake() { # METHOD PATH [JSON]
    local args=(-sS --fail-with-body --max-time 5 -X "$1" "https://api.cloudflare.com/_fake$2")
    [[ $# -ge 3 ]] && args+=(-H 'content-type: application/json' --data "$3")
    sbx curl "${args[@]}"
}
fake_ready() { fake GET "/tunnels/$TUNNEL_ID" >/dev/null 2>&1; }
primary_up() { fake PUT "/tunnels/$TUNNEL_ID/connectors/$PRIMARY" >/dev/null; }
primary_down() { fake DELETE "/tunnels/$TUNNEL_ID/connectors/$PRIMARY" >/dev/null; }
tunnel_status() { fake GET "/tunnels/$TUNNEL_ID" | jq -r .status; }
api_requests() { fake GET /requests; }

prop() { sbx systemctl show -p "$2" --value "$1"; }
active_state() { sbx systemctl is-active "$1" 2>/dev/null; }
is_active() { [[ $(active_state "$1") == active ]]; }
is_inactive() { [[ $(active_state "$1") =~ ^(inactive|failed)$ ]]; }
monitor_running() { [[ $(prop $UNIT ActiveState) == active && $(prop $UNIT SubState) == running ]]; }

# Cursors: a point in time in the journal and in PID 1's debug log (the console file).
CONSOLE=/run/e2e/pid1.log
jsync() { sbx journalctl --sync >/dev/null 2>&1 || sleep 0.3; }
jcursor() { # prints "CONSOLE_OFFSET JOURNAL_CURSOR"
    jsync
    printf '%s %s\n' "$(sbx stat -c %s $CONSOLE)" \
        "$(sbx journalctl -q -n 1 -o cat --show-cursor | sed -n 's/^-- cursor: //p')"
}
jsince() { # CURSOR [UNIT [MAX_PRIORITY]]: journal messages since the cursor
    # (journalctl 252 drops matches combined with --after-cursor, so filter here.)
    local c=${1#* } unit=${2:-} prio=${3:-7} after=()
    [[ -n $c ]] && after=(--after-cursor="$c")
    jsync
    sbx journalctl --no-pager -q -o json "${after[@]}" |
        jq -r --arg u "$unit" --argjson p "$prio" \
            'select(($u == "" or ._SYSTEMD_UNIT == $u) and ((.PRIORITY // "6") | tonumber) <= $p)
             | .MESSAGE | if type == "array" then implode else . end'
}
pid1_log_since() { # CURSOR: PID 1's debug lines since the cursor
    local off=${1%% *}
    sbx tail -c +$((off + 1)) $CONSOLE | tr -d '\r'
}
# Start/stop requests PID 1 received for a unit (debug log: one line per job enqueued).
jobs_since() { # CURSOR UNIT VERB
    pid1_log_since "$1" | grep -c "Trying to enqueue job $2/$3/" || true
}
log_file() { sbx cat "$LOG" 2>/dev/null; }
has_log_line() { log_file | grep -qF "$1"; }
tunnel_is() { [[ $(tunnel_status) == "$1" ]]; }
unit_state_is() { [[ $(prop "$1" ActiveState) == "$2" ]]; }
restarted_from() { # OLD_PID: a new main process is up and running
    local p
    p=$(prop $UNIT MainPID)
    [[ $p != 0 && $p != "$1" ]] && monitor_running
}

# wait_for LIMIT_S CMD...: poll every 0.1 s; WAITED_MS = time until CMD succeeded.
wait_for() {
    local limit_ms=$(($1 * 1000)) t0 now
    shift
    t0=$(ms)
    while :; do
        if "$@" >/dev/null 2>&1; then WAITED_MS=$(($(ms) - t0)); return 0; fi
        now=$(ms)
        if ((now - t0 >= limit_ms)); then WAITED_MS=$((now - t0)); return 1; fi
        sleep 0.1
    done
}

# Bring the world to: fake (trusted) up, primary connected, no faults, gateway
# reachable, monitor running, backup stopped.
baseline() {
    if ! is_active fake-cloudflare-api.service; then
        sbx systemctl start fake-cloudflare-api.service || return 1
    fi
    wait_for 30 fake_ready || { WHY="fake API not answering"; return 1; }
    fake DELETE /faults >/dev/null || true
    primary_up || { WHY="cannot register the primary connector"; return 1; }
    sbx nft flush chain inet failover_e2e input || true
    if ! monitor_running; then
        sbx systemctl start $UNIT || { WHY="monitor does not start"; return 1; }
    fi
    if ! is_inactive $BACKUP; then
        sbx systemctl stop $BACKUP || true
    fi
    sleep 1
}

MEASURED='' WHY=''
run_scenario() {
    local name=$1 t0 rc
    if [[ -n ${E2E_ONLY:-} && " $E2E_ONLY " != *" $name "* ]]; then
        skipped=$((skipped + 1))
        return
    fi
    MEASURED='' WHY=''
    t0=$(ms)
    "scenario_${name//-/_}"
    rc=$?
    if ((rc == 0)); then
        passed=$((passed + 1))
        say "PASS $name (measured ${MEASURED:-$(secs $(($(ms) - t0)))}s)"
    else
        failed=$((failed + 1))
        say "FAIL $name: ${WHY:-failed}"
    fi
}

# ------------------------------------------------------------------ scenarios
install_prebuilt() { # LOGNAME
    SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /run/e2e/stage/monitor --no-start" \
        >"$WORK/$1.log" 2>&1
}
tree_sum() { sbx_sh "cd /opt/failover-monitor && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; stat -c '%a %n' tunnels.json; sha256sum /etc/systemd/system/$UNIT"; }

scenario_install_prebuilt_idempotent() {
    sbx systemctl start fake-cloudflare-api.service || { WHY="fake API unit did not start"; return 1; }
    wait_for 30 fake_ready || { WHY="fake API did not answer within 30 s"; return 1; }
    local t0 before after
    # 1. A fresh host: tunnels.json is made from the example, and the service is enabled
    #    but not started on a configuration that is still the example.
    t0=$(ms)
    SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /run/e2e/stage/monitor" \
        >"$WORK/install-1.log" 2>&1 ||
        { WHY="install.sh --prebuilt failed: $(tail -n 2 "$WORK/install-1.log" | tr '\n' ' ')"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
    [[ $(sbx systemctl is-enabled $UNIT) == enabled ]] || { WHY="unit not enabled by install.sh"; return 1; }
    sbx test -x /opt/failover-monitor/failover-monitor || { WHY="no /opt/failover-monitor/failover-monitor"; return 1; }
    if [[ -f $STAGE/repo/tunnels.example.json ]]; then
        sbx cmp -s /run/e2e/stage/repo/tunnels.example.json /opt/failover-monitor/tunnels.json ||
            { WHY="tunnels.json not created from tunnels.example.json"; return 1; }
        [[ $(sbx stat -c %a /opt/failover-monitor/tunnels.json) == 600 ]] || { WHY="tunnels.json not mode 600"; return 1; }
        is_inactive $UNIT || { WHY="install.sh started the monitor on the example configuration"; return 1; }
        grep -q 'still the example' "$WORK/install-1.log" || { WHY="install.sh did not say the config is the example"; return 1; }
    fi
    # 2. Our configuration replaces the example; installing again (--no-start, as the
    #    suite does from here on) keeps it and changes nothing.
    sbx install -m 600 /run/e2e/stage/tunnels.json /opt/failover-monitor/tunnels.json
    before=$(tree_sum)
    install_prebuilt install-2 ||
        { WHY="second install.sh failed: $(tail -n 2 "$WORK/install-2.log" | tr '\n' ' ')"; return 1; }
    after=$(tree_sum)
    [[ $before == "$after" ]] || { WHY="second install changed files: $(diff <(echo "$before") <(echo "$after") | head -n 3 | tr '\n' ' ')"; return 1; }
    sbx cmp -s /run/e2e/stage/tunnels.json /opt/failover-monitor/tunnels.json ||
        { WHY="second install overwrote tunnels.json"; return 1; }
    grep -q 'already up to date' "$WORK/install-2.log" || { WHY="second install did not report 'already up to date'"; return 1; }
    is_inactive $UNIT || { WHY="install.sh --no-start started the monitor"; return 1; }
}

scenario_monitor_starts_ready() {
    sbx test -f /opt/failover-monitor/tunnels.json || { WHY="not installed"; return 1; }
    local t0 c
    c=$(jcursor)
    t0=$(ms)
    # Type=notify: start returns once the daemon sent READY=1.
    if ! SBX_TIMEOUT=90 sbx systemctl start $UNIT; then
        WHY="systemctl start failed: $(jsince "$c" $UNIT | tail -n 3 | tr '\n' ' ')"
        return 1
    fi
    MEASURED=$(secs $(($(ms) - t0)))
    monitor_running || { WHY="monitor not active/running after start"; return 1; }
    local want
    wait_for 10 has_log_line 'Check interval' || true
    for want in 'Cloudflare Tunnel Monitor started' 'Gateway IP: 127.0.0.2' 'Monitoring 1 tunnel(s)' \
        "Check interval: $CHECK_INTERVAL second"; do
        log_file | grep -qF "$want" || { WHY="log file lacks start-up line '$want'"; return 1; }
    done
}

scenario_steady_healthy_no_action() {
    baseline || return 1
    local c n
    fake DELETE /requests >/dev/null
    c=$(jcursor)
    sleep $((5 * CHECK_INTERVAL))
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP while the tunnel was healthy"; return 1; }
    is_inactive $BACKUP || { WHY="$BACKUP is $(active_state $BACKUP)"; return 1; }
    n=$(api_requests | jq --arg k "$TOKEN" '[.[] | select(.status_code == 200 and .token == $k)] | length')
    ((n >= 3)) || { WHY="only $n successful API calls in 5 checks (is the monitor polling?)"; return 1; }
}

scenario_api_500_no_action() {
    baseline || return 1
    local c n
    fake DELETE /requests >/dev/null
    fake POST /faults '{"kind":"status","status_code":500}' >/dev/null || { WHY="cannot inject fault"; return 1; }
    c=$(jcursor)
    sleep $(((FAILURE_THRESHOLD + 4) * CHECK_INTERVAL))
    n=$(jobs_since "$c" $BACKUP start)
    local served
    served=$(api_requests | jq '[.[] | select(.status_code == 500)] | length')
    fake DELETE /faults >/dev/null
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP while the API answered 500"; return 1; }
    ((served >= 2)) || { WHY="only $served requests answered 500: the scenario did not exercise anything"; return 1; }
    is_inactive $BACKUP || { WHY="$BACKUP is $(active_state $BACKUP)"; return 1; }
    monitor_running || { WHY="monitor not running after API errors"; return 1; }
}

scenario_gateway_unreachable_no_api_no_action() {
    baseline || return 1
    local c n calls
    # Drop ICMP echo to the gateway on the input hook: pings time out.
    sbx nft add rule inet failover_e2e input ip daddr 127.0.0.2 icmp type echo-request drop ||
        { WHY="nft rule failed"; return 1; }
    sleep 3   # let a cycle that was already past its ping finish
    fake DELETE /requests >/dev/null
    c=$(jcursor)
    primary_down
    sleep $(((FAILURE_THRESHOLD + 4) * CHECK_INTERVAL))
    n=$(jobs_since "$c" $BACKUP start)
    calls=$(api_requests | jq 'length')
    primary_up
    sbx nft flush chain inet failover_e2e input
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP while the gateway was unreachable"; return 1; }
    ((calls == 0)) || { WHY="$calls API call(s) while the gateway was unreachable"; return 1; }
    log_file | grep -q 'WARNING.*Gateway 127.0.0.2 unreachable' ||
        { WHY="no WARNING 'Gateway 127.0.0.2 unreachable' line in $LOG"; return 1; }
    sleep 2
}

scenario_failover_starts_backup() {
    baseline || return 1
    local limit=$((FAILURE_THRESHOLD * CHECK_INTERVAL + 3)) c
    c=$(jcursor)
    echo "$c" > "$WORK/failover.cursor"
    primary_down
    if ! wait_for $((limit + 15)) is_active $BACKUP; then
        WHY="$BACKUP not active $(secs "$WAITED_MS") s after the primary left"
        return 1
    fi
    MEASURED=$(secs "$WAITED_MS")
    ((WAITED_MS <= limit * 1000)) || { WHY="$BACKUP active after ${MEASURED}s > limit ${limit}s"; return 1; }
    # The stand-in connector registers itself: the tunnel is served again, by the backup.
    wait_for 10 tunnel_is healthy ||
        { WHY="the backup connector did not register with the API"; return 1; }
}

scenario_failover_logged_once_at_error() {
    local c n
    c=$(cat "$WORK/failover.cursor" 2>/dev/null) || { WHY="failover did not run"; return 1; }
    is_active $BACKUP || { WHY="no failover to check ($BACKUP is $(active_state $BACKUP))"; return 1; }
    sleep $((3 * CHECK_INTERVAL))   # a level-triggered loop must not start it again
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 1)) || { WHY="$n start jobs for $BACKUP (want exactly 1)"; return 1; }
    jsince "$c" $UNIT 3 | grep -q "Tunnel web is down. Starting local service $SERVICE" ||
        { WHY="journal (-p err) lacks 'Tunnel web is down. Starting local service $SERVICE'"; return 1; }
    log_file | grep -Eq "\[ERROR\] .*Tunnel web is down\. Starting local service $SERVICE" ||
        { WHY="$LOG lacks the [ERROR] failover line"; return 1; }
    log_file | grep -q 'Tunnel web status: down' || { WHY="$LOG lacks 'Tunnel web status: down'"; return 1; }
}

scenario_failback_stops_backup() {
    is_active $BACKUP || { WHY="precondition: $BACKUP is $(active_state $BACKUP), not failed over"; return 1; }
    local limit=$((RECOVERY_THRESHOLD * CHECK_INTERVAL + 3)) c n
    c=$(jcursor)
    primary_up
    if ! wait_for $((limit + 15)) is_inactive $BACKUP; then
        WHY="$BACKUP still $(active_state $BACKUP) $(secs "$WAITED_MS") s after the primary returned"
        return 1
    fi
    MEASURED=$(secs "$WAITED_MS")
    ((WAITED_MS <= limit * 1000)) || { WHY="$BACKUP stopped after ${MEASURED}s > limit ${limit}s"; return 1; }
    sleep $((3 * CHECK_INTERVAL))   # no flapping back
    n=$(jobs_since "$c" $BACKUP stop)
    ((n == 1)) || { WHY="$n stop jobs for $BACKUP (want exactly 1)"; return 1; }
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 0)) || { WHY="$BACKUP started again $n time(s) after the failback"; return 1; }
    log_file | grep -q "Tunnel web primary connector is back" ||
        { WHY="$LOG lacks 'Tunnel web primary connector is back'"; return 1; }
}

scenario_monitor_stop_leaves_backup_running() {
    baseline || return 1
    local c n
    primary_down
    wait_for $((FAILURE_THRESHOLD * CHECK_INTERVAL + 15)) is_active $BACKUP ||
        { WHY="precondition: no failover"; return 1; }
    c=$(jcursor)
    sbx systemctl stop $UNIT || { WHY="systemctl stop failed"; return 1; }
    local t0
    t0=$(ms)
    sleep 2
    is_inactive $UNIT || { WHY="monitor still $(active_state $UNIT) after stop"; return 1; }
    is_active $BACKUP || { WHY="$BACKUP is $(active_state $BACKUP) after the monitor stopped"; return 1; }
    n=$(jobs_since "$c" $BACKUP stop)
    ((n == 0)) || { WHY="stopping the monitor queued $n stop job(s) for $BACKUP"; return 1; }
    [[ $(prop $UNIT Result) == success ]] || { WHY="monitor stop result $(prop $UNIT Result), want success"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
}

scenario_monitor_restart_adopts_running_backup() {
    is_active $BACKUP || { WHY="precondition: $BACKUP not running"; return 1; }
    local c n
    c=$(jcursor)
    SBX_TIMEOUT=90 sbx systemctl start $UNIT || { WHY="monitor did not start"; return 1; }
    sleep $((FAILURE_THRESHOLD * CHECK_INTERVAL + 2))
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 0)) || { WHY="$n start job(s) for the already running $BACKUP"; return 1; }
    # It knows the backup is its own failover: the primary's return stops it.
    primary_up
    local limit=$((RECOVERY_THRESHOLD * CHECK_INTERVAL + 3))
    wait_for $((limit + 15)) is_inactive $BACKUP ||
        { WHY="$BACKUP not stopped $(secs "$WAITED_MS") s after the primary returned"; return 1; }
    MEASURED=$(secs "$WAITED_MS")
    ((WAITED_MS <= limit * 1000)) || { WHY="failback after ${MEASURED}s > limit ${limit}s"; return 1; }
}

scenario_watchdog_restarts_hung_monitor() {
    baseline || return 1
    local dropin=/etc/systemd/system/$UNIT.d/90-e2e-watchdog.conf pid newpid r0 r1 t0
    sbx_sh "mkdir -p ${dropin%/*} && printf '[Service]\nWatchdogSec=3\nTimeoutAbortSec=2\n' > $dropin && systemctl daemon-reload"
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT || { WHY="restart with WatchdogSec=3 failed"; return 1; }
    sleep 5
    monitor_running || { WHY="monitor not running with WatchdogSec=3 (does it send WATCHDOG=1 each cycle?)"; return 1; }
    pid=$(prop $UNIT MainPID)
    r0=$(prop $UNIT NRestarts)
    t0=$(ms)
    sbx kill -STOP "$pid"
    wait_for 30 restarted_from "$pid"
    local ok=$?
    newpid=$(prop $UNIT MainPID)
    r1=$(prop $UNIT NRestarts)
    sbx_sh "rm -f $dropin && rmdir ${dropin%/*} 2>/dev/null; systemctl daemon-reload"
    ((ok == 0)) || { WHY="hung monitor (SIGSTOP) not restarted within 30 s (MainPID $newpid)"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
    ((r1 == r0 + 1)) || { WHY="NRestarts $r0 -> $r1, want +1"; return 1; }
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT || { WHY="restart without the drop-in failed"; return 1; }
}

scenario_tls_untrusted_certificate_no_action() {
    baseline || return 1
    local c n st
    c=$(jcursor)
    # Conflicts= swaps the trusted fake for one with a self-signed certificate whose
    # tunnel has no connector: status "down" for anyone who skips verification.
    sbx systemctl start fake-cloudflare-api-untrusted.service || { WHY="untrusted fake did not start"; return 1; }
    wait_for 30 sbx curl -sS --max-time 2 --cacert /run/e2e/stage/pki/untrusted.pem \
        "https://api.cloudflare.com/_fake/tunnels/$TUNNEL_ID" || { WHY="untrusted fake not answering"; return 1; }
    st=$(sbx curl -sS --max-time 2 --cacert /run/e2e/stage/pki/untrusted.pem \
        "https://api.cloudflare.com/_fake/tunnels/$TUNNEL_ID" | jq -r .status)
    sleep $(((FAILURE_THRESHOLD + 4) * CHECK_INTERVAL))
    n=$(jobs_since "$c" $BACKUP start)
    sbx systemctl start fake-cloudflare-api.service
    wait_for 30 fake_ready
    [[ $st == down || $st == inactive ]] || { WHY="untrusted fake reports '$st', want down or inactive (scenario broken)"; return 1; }
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP: the monitor believed a server with an untrusted certificate"; return 1; }
    monitor_running || { WHY="monitor not running after TLS errors"; return 1; }
}

scenario_broken_config_exit_78_no_restart() {
    baseline || return 1
    local t0
    sbx install -m 600 /run/e2e/stage/tunnels-broken.json /opt/failover-monitor/tunnels.json
    t0=$(ms)
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT >/dev/null 2>&1
    wait_for 30 unit_state_is $UNIT failed ||
        { WHY="monitor $(prop $UNIT ActiveState), want failed"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
    sleep 7   # RestartSec=5: a restart would have happened by now
    local st nr state
    st=$(prop $UNIT ExecMainStatus)
    nr=$(prop $UNIT NRestarts)
    state=$(prop $UNIT ActiveState)
    [[ $st == 78 ]] || { WHY="ExecMainStatus=$st, want 78"; return 1; }
    [[ $nr == 0 ]] || { WHY="NRestarts=$nr, want 0"; return 1; }
    [[ $state == failed ]] || { WHY="ActiveState=$state after RestartSec, want failed"; return 1; }
    sbx journalctl --no-pager -q -o cat -u $UNIT -p err | grep -q 'tunnel_id' ||
        { WHY="journal (-p err) has no line naming tunnel_id"; return 1; }
}

scenario_journal_priorities() {
    local err info warn
    err=$(sbx journalctl --no-pager -q -o cat -u $UNIT -p err)
    info=$(sbx journalctl --no-pager -q -o cat -u $UNIT -p info)
    warn=$(sbx journalctl --no-pager -q -o cat -u $UNIT -p warning)
    grep -q "Tunnel web is down. Starting local service $SERVICE" <<<"$err" ||
        { WHY="-p err lacks the failover line"; return 1; }
    grep -q 'Cloudflare Tunnel Monitor started' <<<"$info" || { WHY="-p info lacks the start-up line"; return 1; }
    grep -q 'Monitoring 1 tunnel(s)' <<<"$info" || { WHY="-p info lacks 'Monitoring 1 tunnel(s)'"; return 1; }
    grep -q 'Gateway 127.0.0.2 unreachable' <<<"$warn" || { WHY="-p warning lacks the gateway line"; return 1; }
    ! grep -q 'Cloudflare Tunnel Monitor started' <<<"$warn" ||
        { WHY="start-up line logged at warning or above (priorities not passed to journald)"; return 1; }
    ! grep -q "primary connector is back" <<<"$warn" ||
        { WHY="failback line logged at warning or above, want info"; return 1; }
    ! grep -Eq '^<[0-7]>' <<<"$info" || { WHY="raw <N> prefixes reached the journal"; return 1; }
}

scenario_log_file_format() {
    local content total bad
    content=$(log_file)
    total=$(grep -c . <<<"$content")
    ((total >= 10)) || { WHY="$LOG has only $total lines"; return 1; }
    # Each line: "yyyy-MM-dd HH:mm:ss [LEVEL] message"; indented lines continue a message.
    bad=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \[(INFO|WARNING|ERROR|CRITICAL|DEBUG)\] |^[[:space:]]|^$' <<<"$content" | head -n 1)
    [[ -z $bad ]] || { WHY="line not in the original format: $bad"; return 1; }
    grep -Eq '^[0-9-]{10} [0-9:]{8} \[ERROR\] .*is down\. Starting local service' <<<"$content" ||
        { WHY="no [ERROR] failover line"; return 1; }
    grep -Eq '^[0-9-]{10} [0-9:]{8} \[INFO\] Cloudflare Tunnel Monitor started' <<<"$content" ||
        { WHY="no [INFO] start-up line"; return 1; }
    MEASURED=''
}

scenario_no_token_in_logs() {
    local where=()
    log_file | grep -qF "$TOKEN" && where+=("$LOG")
    sbx journalctl --no-pager -q -o cat | grep -qF "$TOKEN" && where+=("journal")
    sbx journalctl --no-pager -q -o json | grep -qF "$TOKEN" && where+=("journal fields")
    ((${#where[@]} == 0)) || { WHY="the API token appears in: ${where[*]}"; return 1; }
}

scenario_uninstall_keeps_config_and_log() {
    local backup_was conf_was
    backup_was=$(active_state $BACKUP)
    conf_was=$(sbx sha256sum /opt/failover-monitor/tunnels.json)
    SBX_TIMEOUT=60 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --uninstall" >"$WORK/uninstall.log" 2>&1 ||
        { WHY="install.sh --uninstall failed: $(tail -n 2 "$WORK/uninstall.log" | tr '\n' ' ')"; return 1; }
    sbx test -e /etc/systemd/system/$UNIT && { WHY="unit file still there"; return 1; }
    sbx test -e /opt/failover-monitor/failover-monitor && { WHY="program still there"; return 1; }
    [[ $(prop $UNIT LoadState) == not-found ]] || { WHY="systemd still knows $UNIT ($(prop $UNIT LoadState))"; return 1; }
    [[ $(sbx sha256sum /opt/failover-monitor/tunnels.json 2>/dev/null) == "$conf_was" ]] ||
        { WHY="tunnels.json not kept"; return 1; }
    sbx test -s $LOG || { WHY="$LOG not kept"; return 1; }
    [[ $(active_state $BACKUP) == "$backup_was" ]] || { WHY="uninstall changed $BACKUP"; return 1; }
}

scenario_install_from_source_and_start() {
    # The README's path: ./install.sh builds with the SDK, installs, enables and starts.
    # (Offline in here: NuGet restores from the package cache the host build filled.)
    local t0
    sbx install -m 600 /run/e2e/stage/tunnels.json /opt/failover-monitor/tunnels.json
    sbx_sh "rm -rf /tmp/src && cp -a /run/e2e/stage/src /tmp/src"
    t0=$(ms)
    if ! SBX_TIMEOUT=600 sbx bash -c "cd /tmp/src && HOME=/root ./install.sh" >"$WORK/install-source.log" 2>&1; then
        WHY="./install.sh failed: $(grep -m1 -E 'error|warning' "$WORK/install-source.log" || tail -n 1 "$WORK/install-source.log")"
        return 1
    fi
    MEASURED=$(secs $(($(ms) - t0)))
    monitor_running || { WHY="monitor not running after ./install.sh"; return 1; }
    [[ $(sbx systemctl is-enabled $UNIT) == enabled ]] || { WHY="unit not enabled"; return 1; }
    sbx cmp -s /run/e2e/stage/tunnels.json /opt/failover-monitor/tunnels.json ||
        { WHY="./install.sh changed the existing tunnels.json"; return 1; }
    grep -q 'tail -f /var/log/failover_monitor.log' "$WORK/install-source.log" ||
        { WHY="install.sh did not tell how to watch the log"; return 1; }
}

scenario_upgrade_from_python_original() {
    # A host set up by the Python original: its unit (same name) running, its script and
    # its tunnels.json (original keys only) in /opt/failover-monitor. install.sh replaces
    # the unit and the program, keeps the config, and the new monitor works with it.
    SBX_TIMEOUT=60 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --uninstall" >/dev/null 2>&1
    sbx_sh "set -e
        mkdir -p /opt/failover-monitor
        echo 'print(\"original\")' > /opt/failover-monitor/failover_monitor.py
        install -m 644 /run/e2e/stage/tunnels-original.json /opt/failover-monitor/tunnels.json
        printf '[Unit]\nDescription=Python original\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' \
            > /etc/systemd/system/$UNIT
        systemctl daemon-reload
        systemctl enable --now --quiet $UNIT" || { WHY="cannot set up the original's install"; return 1; }
    baseline || return 1
    SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /run/e2e/stage/monitor" \
        >"$WORK/install-upgrade.log" 2>&1 ||
        { WHY="install.sh over the original failed: $(tail -n 3 "$WORK/install-upgrade.log" | tr '\n' ' ')"; return 1; }
    monitor_running || { WHY="monitor not running after the upgrade"; return 1; }
    [[ $(sbx readlink "/proc/$(prop $UNIT MainPID)/exe") == */failover-monitor ]] ||
        { WHY="the running main process is not the new monitor"; return 1; }
    sbx cmp -s /run/e2e/stage/tunnels-original.json /opt/failover-monitor/tunnels.json ||
        { WHY="the original tunnels.json was changed"; return 1; }
    [[ $(sbx stat -c %a /opt/failover-monitor/tunnels.json) == 600 ]] ||
        { WHY="the original tunnels.json (mode 644) was not made 600"; return 1; }
    # With the original keys: default thresholds (2 down, 3 back) and, without
    # backup_metrics, "two distinct live connectors" for the failback.
    local t0
    t0=$(ms)
    primary_down
    wait_for $((2 * 1 + 3 + 15)) is_active $BACKUP || { WHY="no failover with the original config"; return 1; }
    ((WAITED_MS <= 5000)) || { WHY="failover with the original config after $(secs "$WAITED_MS")s > 5s"; return 1; }
    wait_for 10 tunnel_is healthy || { WHY="backup connector did not register"; return 1; }
    primary_up
    wait_for $((3 * 1 + 3 + 15)) is_inactive $BACKUP || { WHY="no failback with the original config"; return 1; }
    ((WAITED_MS <= 6000)) || { WHY="failback with the original config after $(secs "$WAITED_MS")s > 6s"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
}

# ------------------------------------------------------------------ run
suite_t0=$(ms)
for s in "${SCENARIOS[@]}"; do
    run_scenario "$s"
done
note "scenarios took $(secs $(($(ms) - suite_t0))) s; logs in $ARTIFACTS"
if ((skipped)); then
    say "$passed passed, $failed failed, $skipped skipped"
else
    say "$passed passed, $failed failed"
fi
((failed == 0))
