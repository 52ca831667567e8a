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
#   E2E_HOLD                        seconds to keep the sandbox up after the scenarios (debugging:
#                                   nsenter -t <printed PID> -m -p -n -u -i -C ...); ends early when
#                                   the printed file is removed
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
    upgrade-rejected-config-restores-previous
    monitor-starts-ready
    unit-hardening-exposure
    steady-healthy-no-action
    unit-states-over-dbus-no-process-per-check
    unit-states-fallback-systemctl-fails-over
    api-500-no-action
    api-hangs-no-action
    api-429-retry-after
    blip-no-failover
    gateway-unreachable-no-api-no-action
    failover-starts-backup
    failover-logged-once-at-error
    reload-keeps-state
    reload-hostile-files-keep-running
    operator-views
    failback-stops-backup
    ghost-does-not-fail-back
    second-outage-after-failback-served-again
    monitor-stop-leaves-backup-running
    monitor-restart-adopts-running-backup
    watchdog-restarts-hung-monitor
    tls-untrusted-certificate-no-action
    token-from-systemd-credential
    broken-config-exit-78-no-restart
    uninstall-keeps-config-and-log
    install-from-source-and-start
    upgrade-from-python-original
    prebuilt-runs-without-dotnet
    journal-priorities
    log-file-format
    no-token-in-logs
    log-disk-full-monitoring-goes-on
    log-file-dev-full-reload-and-stop
    backup-stop-hangs-loop-keeps-rhythm
    purge-removes-config-and-log
    deb-fresh-install-waits-for-config
    deb-install-over-python-original
    deb-upgrade-restarts-monitor
    deb-remove-keeps-config-and-log
    deb-purge-removes-config-and-log
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
for tool in nft ip openssl curl jq dotnet clang script; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
    say "FAIL e2e-prerequisites: missing ${missing[*]} (.ci/run installs them: nftables iproute2 openssl curl jq clang)"
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
    # (purge-removes-config-and-log saves the log file before it removes it.)
    if SBX_TIMEOUT=10 sbx test -e /var/log/failover_monitor.log; then
        SBX_TIMEOUT=10 sbx cat /var/log/failover_monitor.log > "$ARTIFACTS/failover_monitor.log" 2>&1 || true
    fi
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
# A second token of the same account, given to the monitor only as a systemd credential.
CRED_TOKEN="e2eCred$(rand_hex 20)"
CRED_NAME=cloudflare_web
# Every token any configuration of the run holds: no-token-in-logs looks for each.
TOKENS=("$TOKEN" "$CRED_TOKEN")
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
# The credential token is another tunnel's in the same account: the fake accepts any token
# of an account for all its tunnels.
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg p "$PRIMARY" \
    --arg t2 "$(cat /proc/sys/kernel/random/uuid)" --arg k2 "$CRED_TOKEN" \
    '{tunnels: [{account_id: $a, tunnel_id: $t, name: "web", token: $k, connectors: [$p]},
                {account_id: $a, tunnel_id: $t2, name: "spare", token: $k2, connectors: []}]}' > "$STAGE/seed.json"
jq '.tunnels[0].connectors = [] | .tunnels |= .[:1]' "$STAGE/seed.json" > "$STAGE/seed-down.json"
# The production default base URL: no api_base_url key, so https://api.cloudflare.com is used.
# The flap guard is off here (scenarios fail over and back within seconds); its default
# min_action_interval is shown by upgrade-from-python-original, which keeps the defaults.
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg s "$SERVICE" \
    --argjson ci "$CHECK_INTERVAL" --argjson ft "$FAILURE_THRESHOLD" --argjson rt "$RECOVERY_THRESHOLD" \
    '{gateway_ip: "127.0.0.2", check_interval: $ci, failure_threshold: $ft, recovery_threshold: $rt,
      min_action_interval: 0, max_actions_per_hour: 1000, metrics_listen: "127.0.0.1:9464",
      tunnels: [{name: "web", account_id: $a, tunnel_id: $t, token: $k, service: $s,
                 backup_metrics: "127.0.0.1:20241"}]}' > "$STAGE/tunnels.json"
jq '.tunnels[0].tunnel_id = "my-tunnel"' "$STAGE/tunnels.json" > "$STAGE/tunnels-broken.json"
# The flap guard at its defaults (min_action_interval 30 s, max_actions_per_hour 10).
jq 'del(.min_action_interval, .max_actions_per_hour)' "$STAGE/tunnels.json" > "$STAGE/tunnels-flap-guard.json"
# For systemctl reload: a valid change (heartbeat_interval) and an invalid file.
jq '.heartbeat_interval = 300' "$STAGE/tunnels.json" > "$STAGE/tunnels-reload.json"
jq '.tunnels[0].tunnel_id = "web"' "$STAGE/tunnels.json" > "$STAGE/tunnels-reload-bad.json"
# Hostile files for systemctl reload: each once ended the daemon with exit 0.
jq '.alerts = null' "$STAGE/tunnels.json" > "$STAGE/tunnels-hostile-alerts-null.json"
jq '.tunnels = null' "$STAGE/tunnels.json" > "$STAGE/tunnels-hostile-tunnels-null.json"
jq '.tunnels[0].token = "x\r\ny"' "$STAGE/tunnels.json" > "$STAGE/tunnels-hostile-token-crlf.json"
jq '.tunnels[0] |= (del(.token) + {token_file: "dangling.token"})' "$STAGE/tunnels.json" > "$STAGE/tunnels-hostile-dangling.json"
# The token from a systemd credential (LoadCredential= in a drop-in), not from the file.
jq --arg c "$CRED_NAME" '.tunnels[0] |= (del(.token) + {token_credential: $c})' "$STAGE/tunnels.json" \
    > "$STAGE/tunnels-credential.json"
printf '%s\n' "$CRED_TOKEN" > "$STAGE/cred-token"
# A short per-attempt API timeout (1 s, 1.5 s per call) for the hanging-API scenario.
jq '.api_timeout = 1' "$STAGE/tunnels.json" > "$STAGE/tunnels-fast.json"
# The log file on a full disk: a tiny tmpfs the scenario fills, and /dev/full.
FULL_LOG_DIR=/var/log/failover-e2e-full
jq --arg l "$FULL_LOG_DIR/failover_monitor.log" '.log_file = $l' "$STAGE/tunnels.json" > "$STAGE/tunnels-log-full.json"
jq '.log_file = "/dev/full"' "$STAGE/tunnels.json" > "$STAGE/tunnels-dev-full.json"
# The Python original's format, only its four keys per tunnel (no name, no backup_metrics).
jq -n --arg a "$ACCOUNT_ID" --arg t "$TUNNEL_ID" --arg k "$TOKEN" --arg s "$SERVICE" \
    '{gateway_ip: "127.0.0.2", check_interval: 1,
      tunnels: [{account_id: $a, tunnel_id: $t, token: $k, service: $s}]}' > "$STAGE/tunnels-original.json"
# The Debian package of the published executable (deploy/build-deb.sh), twice: the project's version
# and a higher one for the upgrade. Built only when a deb-* scenario runs; a failure fails those only.
DEB_ARCH=$(dpkg --print-architecture 2>/dev/null || echo none)
DEB_VERSION=$(sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' "$REPO/src/FailoverMonitor/FailoverMonitor.csproj" | head -n 1)
DEB_NEXT=$DEB_VERSION+e2e1
DEB_WHY="not built"
if [[ -z ${E2E_ONLY:-} || " $E2E_ONLY" == *" deb-"* ]]; then
    note "building the .deb packages (deploy/build-deb.sh $DEB_ARCH)"
    if { bash "$REPO/deploy/build-deb.sh" --prebuilt "$STAGE/monitor" --output "$STAGE/deb" "$DEB_ARCH" &&
        bash "$REPO/deploy/build-deb.sh" --prebuilt "$STAGE/monitor" --output "$STAGE/deb" --version "$DEB_NEXT" "$DEB_ARCH"
    } >"$WORK/build-deb.log" 2>&1; then
        DEB_WHY=''
    else
        DEB_WHY="deploy/build-deb.sh failed: $(tail -n 1 "$WORK/build-deb.log")"
    fi
fi

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
             | .MESSAGE | if type == "array" then implode else . end' || true
}
pid1_log_since() { # CURSOR: PID 1's debug lines since the cursor
    local off=${1%% *}
    sbx tail -c +$((off + 1)) $CONSOLE | tr -d '\r' || true
}
# Start/stop requests PID 1 received for a unit (debug log: one line per job enqueued).
jobs_since() { # CURSOR UNIT VERB
    pid1_log_since "$1" | grep -c "Trying to enqueue job $2/$3/" || true
}
# The readers below end in "|| true": under pipefail, `reader | grep -q` would fail when
# grep exits at its first match and the reader, still writing, gets SIGPIPE.
log_file() { sbx cat "$LOG" 2>/dev/null || true; }
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

# Request times of the fake (RFC 3339 with a fraction, UTC) as epoch milliseconds.
JQ_MS='def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + ((.[20:23] + "00")[0:3] | tonumber);'
now_ms_utc() { ms; }   # the sandbox shares the host's clock

# Install another tunnels.json and restart the monitor on it (bounded).
use_config() { # STAGED_FILE
    sbx install -m 600 "/run/e2e/stage/$1" /opt/failover-monitor/tunnels.json || return 1
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT || return 1
    wait_for 10 monitor_running
}
WATCHDOG_DROPIN=/etc/systemd/system/$UNIT.d/90-e2e-watchdog.conf
watchdog_dropin() { # SECONDS
    sbx_sh "mkdir -p ${WATCHDOG_DROPIN%/*} && printf '[Service]\nWatchdogSec=$1\nTimeoutAbortSec=2\n' > $WATCHDOG_DROPIN && systemctl daemon-reload"
}
watchdog_dropin_remove() {
    sbx_sh "rm -f $WATCHDOG_DROPIN && rmdir ${WATCHDOG_DROPIN%/*} 2>/dev/null; systemctl daemon-reload"
}
# API requests the fake answered with STATUS since the request log was cleared.
requests_with_status() { api_requests | jq --argjson s "$1" '[.[] | select(.status_code == $s)] | length'; }
has_requests_with_status() { (($(requests_with_status "$1") >= ${2:-1})); }
answered_with_token() { # TOKEN N: at least N requests with TOKEN answered 200
    api_requests | jq -e --arg k "$1" --argjson n "$2" '[.[] | select(.token == $k and .status_code == 200)] | length >= $n' >/dev/null
}
log_lines() { log_file | wc -l; }
has_log_line_since() { log_since "$1" | grep -qF "$2"; } # LINE_COUNT TEXT
log_since() { log_file | tail -n +$(($1 + 1)) || true; }   # LINE_COUNT: lines after the first N

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

MEASURED='' WHY='' UNIT_OF_MEASURE=s
run_scenario() {
    local name=$1 t0 rc
    if [[ -n ${E2E_ONLY:-} && " $E2E_ONLY " != *" $name "* ]]; then
        skipped=$((skipped + 1))
        return
    fi
    MEASURED='' WHY='' UNIT_OF_MEASURE=s
    t0=$(ms)
    "scenario_${name//-/_}"
    rc=$?
    printf '%-45s %s %6s s\n' "$name" "$( ((rc == 0)) && echo PASS || echo FAIL)" "$(secs $(($(ms) - t0)))" \
        >> "$ARTIFACTS/scenario-times.txt"
    if ((rc == 0)); then
        passed=$((passed + 1))
        if [[ -n $MEASURED ]]; then
            say "PASS $name (measured $MEASURED$UNIT_OF_MEASURE)"
        else
            say "PASS $name (measured $(secs $(($(ms) - t0)))s)"
        fi
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

# A new version that rejects (check-config exit 78) the tunnels.json the installed one
# accepts: install.sh puts the installed version back and changes nothing.
scenario_upgrade_rejected_config_restores_previous() {
    sbx test -x /opt/failover-monitor/failover-monitor || { WHY="not installed"; return 1; }
    local before after out rc=0
    SBX_TIMEOUT=60 sbx /opt/failover-monitor/failover-monitor check-config --no-verify \
        --config /opt/failover-monitor/tunnels.json >/dev/null 2>&1 ||
        { WHY="precondition: the installed version rejects the suite's tunnels.json"; return 1; }
    # The "new version": the published folder with an app host whose check-config says 78.
    sbx_sh "rm -rf /tmp/e2e-newver && cp -a /run/e2e/stage/monitor /tmp/e2e-newver &&
        printf '#!/bin/sh\nif [ \"\$1\" = version ]; then echo \"failover-monitor 0.0.0-e2e\"; exit 0; fi\nif [ \"\$1\" = check-config ]; then echo \"Invalid configuration (e2e: the new version rejects it)\"; exit 78; fi\nexit 1\n' > /tmp/e2e-newver/failover-monitor &&
        chmod 755 /tmp/e2e-newver/failover-monitor" || { WHY="cannot stage the rejecting version"; return 1; }
    before=$(tree_sum)
    SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /tmp/e2e-newver --no-start" \
        >"$WORK/install-rejected.log" 2>&1 && rc=1
    after=$(tree_sum)
    sbx rm -rf /tmp/e2e-newver
    ((rc == 0)) || { WHY="install.sh succeeded with a version rejecting the configuration"; return 1; }
    grep -q 'restored the installed version' "$WORK/install-rejected.log" ||
        { WHY="install.sh did not say it restored the installed version: $(tail -n 2 "$WORK/install-rejected.log" | tr '\n' ' ')"; return 1; }
    grep -q 'e2e: the new version rejects it' "$WORK/install-rejected.log" ||
        { WHY="install.sh did not show the new version's check-config output"; return 1; }
    [[ $before == "$after" ]] ||
        { WHY="files differ after the restore: $(diff <(echo "$before") <(echo "$after") | head -n 3 | tr '\n' ' ')"; return 1; }
    ! sbx test -e /opt/failover-monitor.previous || { WHY="/opt/failover-monitor.previous left behind"; return 1; }
    is_inactive $UNIT || { WHY="the refused upgrade started the monitor"; return 1; }
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

# Unit states are read over D-Bus on PID 1's private socket, not by a systemctl process per
# check. Each systemctl process opens a connection of its own to that socket, which PID 1's
# debug log records ("Accepted new private connection."); the monitor keeps one open. Over 5
# quiet checks: no new connection, and a ListUnitsByNames call per check.
scenario_unit_states_over_dbus_no_process_per_check() {
    baseline || return 1
    local c calls n lists
    jsince "" $UNIT | grep -q "Unit states: read through D-Bus unix:path=/run/systemd/private" ||
        { WHY="journal lacks 'Unit states: read through D-Bus unix:path=/run/systemd/private'"; return 1; }
    ! jsince "" $UNIT | grep -q "Unit states: .*systemctl show" ||
        { WHY="the monitor read unit states with systemctl: $(jsince "" $UNIT | grep 'Unit states:' | tail -n 1)"; return 1; }
    fake DELETE /requests >/dev/null
    c=$(jcursor)
    sleep $((5 * CHECK_INTERVAL))
    calls=$(api_requests | jq 'length')
    n=$(pid1_log_since "$c" | grep -c 'Accepted new private connection' || true)
    lists=$(pid1_log_since "$c" | grep -c 'member=ListUnitsByNames' || true)
    MEASURED=$n UNIT_OF_MEASURE=" new private connections in 5 checks"
    ((calls >= 3)) || { WHY="only $calls API calls in 5 checks (is the monitor checking?)"; return 1; }
    ((n == 0)) || { WHY="$n new connection(s) to PID 1's private socket in 5 checks (a systemctl process per check?)"; return 1; }
    ((lists >= 3)) || { WHY="PID 1 logged $lists ListUnitsByNames call(s) in 5 checks, want >= 3"; return 1; }
}

# The fallback: a drop-in points the monitor's D-Bus reader at an address where nothing
# listens (FAILOVER_MONITOR_DBUS_ADDRESS), so it cannot connect. Unit states are then read
# with systemctl show (a systemctl process, so a new private connection to PID 1, per check),
# and a failover and a failback still work.
scenario_unit_states_fallback_systemctl_fails_over() {
    baseline || return 1
    local dropin=/etc/systemd/system/$UNIT.d/70-e2e-no-dbus.conf c n rc=0 limit=$((FAILURE_THRESHOLD * CHECK_INTERVAL + 3))
    sbx_sh "mkdir -p ${dropin%/*} && printf '[Service]\nEnvironment=FAILOVER_MONITOR_DBUS_ADDRESS=unix:path=/run/failover-monitor/no-bus\n' > $dropin && systemctl daemon-reload"
    c=$(jcursor)
    if ! { SBX_TIMEOUT=90 sbx systemctl restart $UNIT && wait_for 10 monitor_running; }; then
        WHY="monitor not running with the drop-in"; rc=1
    elif ! jsince "$c" $UNIT | grep -q "Unit states: read with systemctl show, one process per check: no answer from D-Bus unix:path=/run/failover-monitor/no-bus"; then
        WHY="journal lacks the INFO line 'Unit states: read with systemctl show …'"; rc=1
    elif jsince "$c" $UNIT | grep -q "Unit states: read through D-Bus"; then
        WHY="the monitor says it reads through D-Bus"; rc=1
    fi
    if ((rc == 0)); then
        c=$(jcursor)
        sleep $((3 * CHECK_INTERVAL))
        n=$(pid1_log_since "$c" | grep -c 'Accepted new private connection' || true)
        ((n >= 2)) || { WHY="$n new private connection(s) to PID 1 in 3 checks: is the fallback reading states?"; rc=1; }
    fi
    if ((rc == 0)); then
        c=$(jcursor)
        primary_down
        if ! wait_for $((limit + 15)) is_active $BACKUP; then
            WHY="$BACKUP not active $(secs "$WAITED_MS") s after the primary left (fallback)"; rc=1
        else
            MEASURED=$(secs "$WAITED_MS")
            ((WAITED_MS <= limit * 1000)) || { WHY="$BACKUP active after ${MEASURED}s > limit ${limit}s"; rc=1; }
        fi
    fi
    primary_up
    if ((rc == 0)) && ! wait_for $((RECOVERY_THRESHOLD * CHECK_INTERVAL + 15)) is_inactive $BACKUP; then
        WHY="$BACKUP still $(active_state $BACKUP) after the primary returned (fallback)"; rc=1
    fi
    if ((rc == 0)); then
        n=$(jobs_since "$c" $BACKUP start)
        ((n == 1)) || { WHY="$n start jobs for $BACKUP (want exactly 1)"; rc=1; }
    fi
    sbx_sh "rm -f $dropin; rmdir ${dropin%/*} 2>/dev/null; systemctl daemon-reload"
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT && wait_for 10 monitor_running ||
        { WHY="${WHY:-monitor not running after the drop-in was removed}"; rc=1; }
    return "$rc"
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

# systemctl reload (ExecReload= sends SIGHUP) while failed over: a valid file is adopted
# with the tunnel's state kept, an invalid one is refused and the running one kept.
reload_with() { # STAGED_FILE: install it and systemctl reload
    sbx install -m 600 "/run/e2e/stage/$1" /opt/failover-monitor/tunnels.json &&
        SBX_TIMEOUT=30 sbx systemctl reload $UNIT
}
scenario_reload_keeps_state() {
    is_active $BACKUP || { WHY="precondition: $BACKUP is $(active_state $BACKUP), not failed over"; return 1; }
    local c pid lines n rc=0 t0
    pid=$(prop $UNIT MainPID)
    c=$(jcursor) lines=$(log_lines) t0=$(ms)
    # 1. A valid change: adopted, same process, the failover kept (no new start job).
    reload_with tunnels-reload.json || { WHY="systemctl reload failed"; rc=1; }
    if ((rc == 0)) && ! wait_for 10 has_log_line_since "$lines" "1 tunnel(s) kept with their state"; then
        WHY="no 'Reloaded …: 1 tunnel(s) kept with their state' line after a valid reload"; rc=1
    fi
    if ((rc == 0)); then
        sleep $((3 * CHECK_INTERVAL))
        if [[ $(prop $UNIT MainPID) != "$pid" ]]; then WHY="main PID changed on reload ($pid → $(prop $UNIT MainPID))"; rc=1
        elif ! is_active $BACKUP; then WHY="$BACKUP is $(active_state $BACKUP) after the reload"; rc=1
        elif n=$(jobs_since "$c" $BACKUP start) && ((n != 0)); then WHY="$n start job(s) for $BACKUP after the reload"; rc=1
        elif n=$(jobs_since "$c" $BACKUP stop) && ((n != 0)); then WHY="$n stop job(s) for $BACKUP after the reload"; rc=1
        fi
    fi
    # 2. An invalid file (tunnel_id "web"): refused at err, same process, monitoring goes on.
    if ((rc == 0)); then
        c=$(jcursor) lines=$(log_lines)
        reload_with tunnels-reload-bad.json || { WHY="systemctl reload (invalid file) failed"; rc=1; }
    fi
    if ((rc == 0)) && ! wait_for 10 has_log_line_since "$lines" "Reload failed, keeping the running configuration:"; then
        WHY="no 'Reload failed, keeping the running configuration' line for tunnel_id \"web\""; rc=1
    fi
    if ((rc == 0)); then
        fake DELETE /requests >/dev/null
        if ! jsince "$c" $UNIT 3 | grep -q "Reload failed, keeping the running configuration"; then
            WHY="journal (-p err) lacks 'Reload failed, keeping the running configuration'"; rc=1
        elif [[ $(prop $UNIT MainPID) != "$pid" ]] || ! monitor_running; then WHY="monitor not the same running process after the invalid reload"; rc=1
        elif ! wait_for $((3 * CHECK_INTERVAL + 5)) has_requests_with_status 200 2; then WHY="no API polling after the invalid reload"; rc=1
        elif ! is_active $BACKUP; then WHY="$BACKUP is $(active_state $BACKUP) after the invalid reload"; rc=1
        elif n=$(jobs_since "$c" $BACKUP start) && ((n != 0)); then WHY="$n start job(s) for $BACKUP after the invalid reload"; rc=1
        fi
    fi
    # Restore the suite's file (reloaded, so the running configuration is it again).
    lines=$(log_lines)
    reload_with tunnels.json && wait_for 10 has_log_line_since "$lines" "1 tunnel(s) kept with their state" ||
        { WHY="${WHY:-cannot restore tunnels.json by reload}"; rc=1; }
    log_since 0 | grep -F -e 'Reloaded ' -e 'Reload failed' | tail -n 3 | sed 's/^/    /' >&2
    return "$rc"
}

# A reload to a hostile file (null where a value belongs, a token with CR LF, a token_file
# that is a dangling symlink, a FIFO as tunnels.json) is logged at err and the same process
# keeps monitoring; none may end it.
scenario_reload_hostile_files_keep_running() {
    local pid lines rc=0 f
    pid=$(prop $UNIT MainPID)
    sbx ln -sfn /nonexistent/web.token /opt/failover-monitor/dangling.token
    for f in alerts-null tunnels-null token-crlf dangling fifo; do
        lines=$(log_lines)
        if [[ $f == fifo ]]; then
            sbx_sh "rm -f /opt/failover-monitor/tunnels.json && mkfifo -m 600 /opt/failover-monitor/tunnels.json" &&
                SBX_TIMEOUT=30 sbx systemctl reload $UNIT || { WHY="reload ($f) failed"; rc=1; break; }
        else
            reload_with "tunnels-hostile-$f.json" || { WHY="reload ($f) failed"; rc=1; break; }
        fi
        wait_for 10 has_log_line_since "$lines" "Reload failed, keeping the running configuration:" ||
            { WHY="no 'Reload failed' line after the $f reload"; rc=1; break; }
        sleep $((2 * CHECK_INTERVAL))
        [[ $(prop $UNIT MainPID) == "$pid" ]] && monitor_running ||
            { WHY="after the $f reload the monitor is $(prop $UNIT ActiveState), pid $(prop $UNIT MainPID) (was $pid)"; rc=1; break; }
    done
    sbx rm -f /opt/failover-monitor/tunnels.json /opt/failover-monitor/dangling.token
    lines=$(log_lines)
    reload_with tunnels.json && wait_for 10 has_log_line_since "$lines" "1 tunnel(s) kept with their state" ||
        { WHY="${WHY:-cannot restore tunnels.json by reload}"; rc=1; }
    log_since 0 | grep -F 'Reload failed' | tail -n 5 | cut -c1-200 | sed 's/^/    /' >&2
    return "$rc"
}

# What an operator sees while failed over: `failover-monitor status`, `systemctl status`
# (the daemon's STATUS= line) and /metrics (metrics_listen 127.0.0.1:9464), kept in
# operator-views.txt.
scenario_operator_views() {
    is_active $BACKUP || { WHY="precondition: $BACKUP is $(active_state $BACKUP), not failed over"; return 1; }
    local st src sys all met f=$ARTIFACTS/operator-views.txt
    st=$(SBX_TIMEOUT=20 sbx /opt/failover-monitor/failover-monitor status 2>&1); src=$?
    sys=$(SBX_TIMEOUT=20 sbx_sh "systemctl status $UNIT --no-pager 2>&1 | head -15" || true)
    all=$(SBX_TIMEOUT=20 sbx curl -s --max-time 5 http://127.0.0.1:9464/metrics || true)
    met=$(grep -v '^#' <<<"$all" | head -n 40)
    {
        printf '$ /opt/failover-monitor/failover-monitor status   (exit %s)\n%s\n\n' "$src" "$st"
        printf '$ systemctl status %s --no-pager | head -15\n%s\n\n' "$UNIT" "$sys"
        printf "\$ curl -s http://127.0.0.1:9464/metrics | grep -v '^#' | head -40\n%s\n" "$met"
    } > "$f"
    { head -n 6 <<<"$st"; grep -m1 'Status:' <<<"$sys"; grep '^failover_monitor_tunnel_backup_active' <<<"$all"; } |
        sed 's/^/    /' >&2
    ((src == 0)) || { WHY="failover-monitor status exited $src"; return 1; }
    grep -q 'web' <<<"$st" || { WHY="failover-monitor status does not show the tunnel web"; return 1; }
    grep -q 'failed over' <<<"$sys" || { WHY="systemctl status lacks 'failed over' (STATUS=)"; return 1; }
    grep -q '^failover_monitor_tunnel_backup_active{tunnel="web"} 1' <<<"$all" ||
        { WHY="/metrics lacks failover_monitor_tunnel_backup_active"; return 1; }
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

scenario_token_from_systemd_credential() {
    # tunnels.json names a credential instead of holding the token; a drop-in gives the unit
    # LoadCredential= from a root-only file; the monitor reads $CREDENTIALS_DIRECTORY.
    baseline || return 1
    local dropin=/etc/systemd/system/$UNIT.d/60-e2e-credential.conf t0 pid rc=0 n
    sbx_sh "set -e; install -d -m 700 /etc/failover-monitor
        install -m 600 /run/e2e/stage/cred-token /etc/failover-monitor/web.token
        mkdir -p ${dropin%/*}
        printf '[Service]\nLoadCredential=$CRED_NAME:/etc/failover-monitor/web.token\n' > $dropin
        systemctl daemon-reload" || { WHY="cannot write the LoadCredential drop-in"; return 1; }
    sbx grep -qF "$CRED_TOKEN" /run/e2e/stage/tunnels-credential.json && { WHY="the token is in the config (scenario broken)"; return 1; }
    t0=$(ms)
    if ! use_config tunnels-credential.json; then
        WHY="monitor not running with token_credential: $(sbx journalctl --no-pager -q -o cat -u $UNIT -n 3 | tr '\n' ' ')"
        rc=1
    fi
    if ((rc == 0)); then
        fake DELETE /requests >/dev/null
        if ! wait_for 15 answered_with_token "$CRED_TOKEN" 2; then
            WHY="no answered API request with the credential's token within 15 s"; rc=1
        else
            MEASURED=$(secs $(($(ms) - t0)))
            n=$(api_requests | jq --arg k "$CRED_TOKEN" '[.[] | select(.token != $k)] | length')
            ((n == 0)) || { WHY="$n request(s) with another token"; rc=1; }
            pid=$(prop $UNIT MainPID)
            sbx cat "/proc/$pid/environ" | tr '\0' '\n' | grep -q "^CREDENTIALS_DIRECTORY=/run/credentials/$UNIT\$" ||
                { WHY="the monitor has no CREDENTIALS_DIRECTORY"; rc=1; }
        fi
    fi
    sbx_sh "rm -f $dropin; rmdir ${dropin%/*} 2>/dev/null; systemctl daemon-reload"
    use_config tunnels.json || { WHY="${WHY:-cannot restore the configuration}"; rc=1; }
    return "$rc"
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
    # Lines read like the file's: the message alone (journald has the time and the priority), no category or event id.
    grep -qx 'Cloudflare Tunnel Monitor started.' <<<"$info" ||
        { WHY="no journal line that is exactly 'Cloudflare Tunnel Monitor started.' (a prefix before the message?)"; return 1; }
    grep -q "^Tunnel web is down. Starting local service $SERVICE" <<<"$err" ||
        { WHY="the failover line does not start with its message at -p err"; return 1; }
    ! grep -Eq 'FailoverMonitor\.[A-Za-z.]+\[[0-9]+\]' <<<"$info" ||
        { WHY="category and event id in journal lines: $(grep -Em1 'FailoverMonitor\.[A-Za-z.]+\[[0-9]+\]' <<<"$info")"; return 1; }
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
    # Every token any configuration of the run held, in every log: each journal entry of
    # every unit with all its fields (export format keeps binary fields byte for byte),
    # every file under /var/log, PID 1's debug log, the status systemd shows, and the
    # monitor's own status output and state file.
    local src f i where=()
    jsync
    SBX_TIMEOUT=60 sbx journalctl --no-pager -q -o export > "$WORK/tokens-journal.export" ||
        { WHY="cannot read the journal"; return 1; }
    sbx sh -c 'find /var/log -type f -print0 | xargs -0r cat' > "$WORK/tokens-var-log" ||
        { WHY="cannot read /var/log"; return 1; }
    sbx cat "$CONSOLE" > "$WORK/tokens-pid1" || { WHY="cannot read PID 1's log"; return 1; }
    { sbx systemctl status --no-pager -n 0 $UNIT; prop $UNIT StatusText
      sbx /opt/failover-monitor/failover-monitor status; sbx /opt/failover-monitor/failover-monitor status --json
      sbx sh -c 'cat /run/failover-monitor/*'; } > "$WORK/tokens-status" 2>&1
    # Not vacuous: the monitor's lines are in what is searched.
    grep -aq 'MESSAGE=.*is down. Starting local service' "$WORK/tokens-journal.export" ||
        { WHY="the journal export lacks the monitor's failover line (nothing searched?)"; return 1; }
    grep -aq 'is down. Starting local service' "$WORK/tokens-var-log" || { WHY="$LOG lacks the failover line (nothing searched?)"; return 1; }
    for src in journal:tokens-journal.export /var/log:tokens-var-log pid1-log:tokens-pid1 status:tokens-status; do
        f=$WORK/${src#*:}
        for i in "${!TOKENS[@]}"; do
            grep -aqF -- "${TOKENS[$i]}" "$f" && where+=("token #$((i + 1)) in ${src%%:*}")
        done
    done
    rm -f "$WORK"/tokens-*
    ((${#where[@]} == 0)) || { WHY="a configured API token appears in logs: ${where[*]}"; return 1; }
    note "no-token-in-logs: ${#TOKENS[@]} token(s) searched for in the journal (all units, all fields), /var/log, PID 1's log, systemctl status, failover-monitor status, the state file"
}

scenario_uninstall_keeps_config_and_log() {
    local backup_was conf_was
    backup_was=$(active_state $BACKUP)
    conf_was=$(sbx sha256sum /opt/failover-monitor/tunnels.json)
    SBX_TIMEOUT=60 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --uninstall" >"$WORK/uninstall.log" 2>&1 ||
        { WHY="install.sh --uninstall failed: $(tail -n 2 "$WORK/uninstall.log" | tr '\n' ' ')"; return 1; }
    sbx test -e /etc/systemd/system/$UNIT && { WHY="unit file still there"; return 1; }
    sbx test -e /opt/failover-monitor/failover-monitor && { WHY="program still there"; return 1; }
    sbx test -L /usr/local/bin/failover-monitor && { WHY="/usr/local/bin/failover-monitor still there"; return 1; }
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
    # (A NativeAOT build: 2-3 minutes on two idle cores, far more on a busy machine.)
    if ! SBX_TIMEOUT=1200 sbx bash -c "cd /tmp/src && HOME=/root ./install.sh" >"$WORK/install-source.log" 2>&1; then
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

# A host set up by the Python original: its unit (same name) running, its script and its
# tunnels.json (original keys only, mode 644) in /opt/failover-monitor.
python_original_host() {
    sbx_sh "set -e
        mkdir -p /opt/failover-monitor
        echo 'print(\"original\")' > /opt/failover-monitor/failover_monitor.py
        install -m 644 /run/e2e/stage/tunnels-original.json /opt/failover-monitor/tunnels.json
        printf '[Unit]\nDescription=Python original\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n' \
            > /etc/systemd/system/$UNIT
        systemctl daemon-reload
        systemctl enable --now --quiet $UNIT" || { WHY="cannot set up the original's install"; return 1; }
}
# After a move from the Python original: its config kept (made 600), its unit kept disabled.
python_original_kept() {
    sbx cmp -s /run/e2e/stage/tunnels-original.json /opt/failover-monitor/tunnels.json ||
        { WHY="the original tunnels.json was changed"; return 1; }
    sbx grep -q 'Description=Python original' /etc/systemd/system/failover-monitor-python.service ||
        { WHY="the original's unit was not kept as failover-monitor-python.service"; return 1; }
    [[ $(active_state failover-monitor-python.service) != active ]] ||
        { WHY="the kept original unit is running"; return 1; }
    [[ $(sbx systemctl is-enabled failover-monitor-python.service 2>/dev/null) != enabled ]] ||
        { WHY="the kept original unit is enabled"; return 1; }
    [[ $(sbx stat -c %a /opt/failover-monitor/tunnels.json) == 600 ]] ||
        { WHY="the original tunnels.json (mode 644) was not made 600"; return 1; }
}
scenario_upgrade_from_python_original() {
    # install.sh replaces the Python original's unit and program, keeps the config, and the
    # new monitor works with it.
    SBX_TIMEOUT=60 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --uninstall" >/dev/null 2>&1
    python_original_host || return 1
    baseline || return 1
    SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /run/e2e/stage/monitor" \
        >"$WORK/install-upgrade.log" 2>&1 ||
        { WHY="install.sh over the original failed: $(tail -n 3 "$WORK/install-upgrade.log" | tr '\n' ' ')"; return 1; }
    monitor_running || { WHY="monitor not running after the upgrade"; return 1; }
    [[ $(sbx readlink "/proc/$(prop $UNIT MainPID)/exe") == */failover-monitor ]] ||
        { WHY="the running main process is not the new monitor"; return 1; }
    python_original_kept || return 1
    # With the original keys: default thresholds (2 down, 3 back), the default flap guard
    # (no stop within min_action_interval, 30 s, of the start) and, without backup_metrics,
    # "two distinct live connectors" for the failback.
    local t0 t_active lines gap
    lines=$(log_lines)
    t0=$(ms)
    primary_down
    wait_for $((2 * 1 + 3 + 15)) is_active $BACKUP || { WHY="no failover with the original config"; return 1; }
    t_active=$(ms)
    ((WAITED_MS <= 5000)) || { WHY="failover with the original config after $(secs "$WAITED_MS")s > 5s"; return 1; }
    wait_for 10 tunnel_is healthy || { WHY="backup connector did not register"; return 1; }
    primary_up
    wait_for 45 is_inactive $BACKUP || { WHY="no failback with the original config within 45 s"; return 1; }
    gap=$(($(ms) - t_active))
    ((gap >= 29000)) || { WHY="failback $(secs "$gap")s after the start, within the default min_action_interval (30 s)"; return 1; }
    ((gap <= (30 + 3 + 4) * 1000)) || { WHY="failback $(secs "$gap")s after the start > 30 s + 3 checks + 4 s"; return 1; }
    log_since "$lines" | grep -q 'flap guard' || { WHY="no 'flap guard' line while the failback waited"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
}

scenario_prebuilt_runs_without_dotnet() {
    # The native build on a host with no .NET at all (/usr/share/dotnet covered by an empty
    # tmpfs): install.sh --prebuilt installs it, the monitor runs under the hardened unit,
    # and the command is on PATH (/usr/local/bin/failover-monitor).
    local rc=0 t0 lines st
    sbx_sh "mount -t tmpfs -o size=1m e2e-no-dotnet /usr/share/dotnet" || { WHY="cannot hide /usr/share/dotnet"; return 1; }
    t0=$(ms) lines=$(log_lines)
    if sbx sh -c 'command -v dotnet && dotnet --info' >/dev/null 2>&1; then
        WHY="dotnet still runs with /usr/share/dotnet hidden (scenario broken)"; rc=1
    elif ! SBX_TIMEOUT=120 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --prebuilt /run/e2e/stage/monitor" \
        >"$WORK/install-no-dotnet.log" 2>&1; then
        WHY="install.sh --prebuilt without .NET failed: $(tail -n 3 "$WORK/install-no-dotnet.log" | tr '\n' ' ')"; rc=1
    elif ! SBX_TIMEOUT=90 sbx systemctl restart $UNIT || ! wait_for 10 has_log_line_since "$lines" 'status: healthy' || ! monitor_running; then
        WHY="monitor not running without .NET: $(sbx journalctl --no-pager -q -o cat -u $UNIT -n 2 | tr '\n' ' ')"; rc=1
    elif [[ $(sbx readlink /usr/local/bin/failover-monitor) != /opt/failover-monitor/failover-monitor ]]; then
        WHY="/usr/local/bin/failover-monitor is not a link to the installed command"; rc=1
    elif ! st=$(SBX_TIMEOUT=20 sbx env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin failover-monitor status 2>&1) ||
        ! grep -q "${TUNNEL_ID:0:8}" <<<"$st"; then
        WHY="'failover-monitor status' from PATH: $(head -n 2 <<<"$st" | tr '\n' ' ')"; rc=1
    else
        MEASURED=$(secs $(($(ms) - t0)))
    fi
    sbx_sh "umount /usr/share/dotnet"
    return "$rc"
}

scenario_unit_hardening_exposure() {
    # The installed unit's sandboxing, as systemd rates it, and as the running monitor has it.
    local out score pid status mnt d
    out=$(SBX_TIMEOUT=60 sbx systemd-analyze security --no-pager $UNIT 2>&1) ||
        { WHY="systemd-analyze security failed: $(tail -n 2 <<<"$out" | tr '\n' ' ')"; return 1; }
    score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$out")
    [[ $score =~ ^[0-9]+(\.[0-9]+)?$ ]] || { WHY="no exposure level in: $(tail -n 1 <<<"$out")"; return 1; }
    printf '%s\n' "$out" > "$WORK/unit-security.log"
    awk -v s="$score" 'BEGIN { exit !(s <= 1.7) }' ||
        { WHY="exposure $score > 1.7: $(grep -c '^✗' <<<"$out") findings, see unit-security.log"; return 1; }
    monitor_running || { WHY="monitor not running"; return 1; }
    pid=$(prop $UNIT MainPID)
    status=$(sbx cat "/proc/$pid/status")
    [[ $(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$status") == 1 ]] || { WHY="running monitor lacks NoNewPrivs"; return 1; }
    [[ $(awk '$1 == "Seccomp:" { print $2 }' <<<"$status") == 2 ]] || { WHY="running monitor has no seccomp filter"; return 1; }
    # CAP_NET_RAW (bit 13) only, for the ICMP probe.
    [[ $(awk '$1 == "CapBnd:" { print $2 }' <<<"$status") == 0000000000002000 ]] ||
        { WHY="capability bounding set $(awk '$1 == "CapBnd:" { print $2 }' <<<"$status"), want CAP_NET_RAW only"; return 1; }
    # Its view of the file system (its own mount namespace): writable only where it must be.
    for d in /var/log /run/failover-monitor; do
        sbx nsenter -t "$pid" -m sh -c "f=$d/.e2e-w\$\$; : > \$f && rm -f \$f" 2>/dev/null ||
            { WHY="the monitor cannot write $d"; return 1; }
    done
    for d in / /etc /usr /opt/failover-monitor /var /run /run/systemd /root; do
        ! sbx nsenter -t "$pid" -m sh -c "f=$d/.e2e-w\$\$; : > \$f && rm -f \$f" 2>/dev/null ||
            { WHY="the monitor can write $d"; return 1; }
    done
    MEASURED=$score UNIT_OF_MEASURE=''
    note "systemd-analyze security $UNIT: $(tail -n 1 <<<"$out" | sed 's/.*: //')"
}

scenario_api_hangs_no_action() {
    # The API accepts requests and never answers, while the tunnel is down: no action, the
    # loop keeps its rhythm (a 4 s watchdog is not missed), and it resumes once answers come.
    baseline || return 1
    local c n r0 pid0 t_clear hung rc=0 lines
    lines=$(log_lines)
    watchdog_dropin 4 && use_config tunnels-fast.json ||
        { WHY="cannot restart the monitor with api_timeout 1 and WatchdogSec=4"; rc=1; }
    if ((rc == 0)); then
        wait_for 10 has_log_line_since "$lines" 'status: healthy'
        r0=$(prop $UNIT NRestarts) pid0=$(prop $UNIT MainPID)
        fake DELETE /requests >/dev/null
        c=$(jcursor)
        fake POST /faults '{"kind":"hang"}' >/dev/null || { WHY="cannot inject the hang"; rc=1; }
    fi
    if ((rc == 0)); then
        primary_down
        sleep 9   # > 2 x WatchdogSec, > failure_threshold cycles
        hung=$(requests_with_status 0)
        n=$(jobs_since "$c" $BACKUP start)
        if ((n != 0)); then WHY="$n start job(s) for $BACKUP while the API hung"; rc=1
        elif [[ $(prop $UNIT NRestarts) != "$r0" || $(prop $UNIT MainPID) != "$pid0" ]]; then
            WHY="the monitor was restarted while the API hung (watchdog missed?)"; rc=1
        elif ! monitor_running; then WHY="monitor not running while the API hung"; rc=1
        elif ((hung < 3)); then WHY="only $hung hanging request(s) in 9 s: is each attempt cut off?"; rc=1
        elif ! jsince "$c" $UNIT 4 | grep -q 'Tunnel web status unknown'; then
            WHY="no warning 'Tunnel web status unknown' in the journal while the API hung"; rc=1
        fi
    fi
    if ((rc == 0)); then
        primary_up
        fake DELETE /requests >/dev/null
        fake DELETE /faults >/dev/null
        t_clear=$(ms)
        if ! wait_for 15 has_requests_with_status 200; then
            WHY="no answered API request within 15 s after the hang ended"; rc=1
        else
            MEASURED=$(secs $(($(ms) - t_clear)))
            wait_for 5 has_log_line 'Tunnel web: API answering again' ||
                { WHY="no 'Tunnel web: API answering again' line after the hang"; rc=1; }
            n=$(jobs_since "$c" $BACKUP start)
            ((n == 0)) || { WHY="$n start job(s) for $BACKUP after the hang"; rc=1; }
        fi
    fi
    fake DELETE /faults >/dev/null 2>&1
    primary_up >/dev/null 2>&1
    watchdog_dropin_remove
    use_config tunnels.json || { WHY="${WHY:-cannot restore the configuration}"; rc=1; }
    return "$rc"
}

scenario_api_429_retry_after() {
    # One 429 with Retry-After: 10: no request with that token until 10 s have passed.
    baseline || return 1
    local c n t429 tnext gap reqs
    wait_for 10 has_log_line 'status: healthy'
    fake DELETE /requests >/dev/null
    c=$(jcursor)
    fake POST /faults '{"kind":"too_many_requests","retry_after_seconds":10,"times":1}' >/dev/null ||
        { WHY="cannot inject the 429"; return 1; }
    wait_for 5 has_requests_with_status 429 || { WHY="no request was answered 429 within 5 s"; return 1; }
    # The next request with the token after the 429 (bounded).
    local limit=$(($(ms) + 22000))
    while (($(ms) < limit)); do
        reqs=$(api_requests | jq -c --arg k "$TOKEN" "$JQ_MS"' [.[] | select(.token == $k) | {s: .status_code, t: (.at | ms)}]')
        t429=$(jq '[.[] | select(.s == 429) | .t] | first // empty' <<<"$reqs")
        tnext=$(jq --argjson t "${t429:-0}" '[.[] | select(.t > $t and .s != 429) | .t] | first // empty' <<<"$reqs")
        [[ -n $tnext ]] && break
        sleep 0.5
    done
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP after a 429"; return 1; }
    [[ -n $t429 ]] || { WHY="the 429 is not in the request log"; return 1; }
    [[ -n $tnext ]] || { WHY="no request with the token within 22 s after the 429 (Retry-After: 10)"; return 1; }
    gap=$((tnext - t429))
    MEASURED=$(secs "$gap")
    ((gap >= 9900)) || { WHY="a request with the token ${MEASURED}s after the 429, before Retry-After (10 s) passed"; return 1; }
    ((gap <= 10000 + 3000 * CHECK_INTERVAL)) || { WHY="polling resumed only ${MEASURED}s after the 429 (Retry-After: 10)"; return 1; }
    monitor_running || { WHY="monitor not running after the 429"; return 1; }
    log_file | grep -Eq '\[WARNING\] Tunnel web .*429.*rate limited' ||
        { WHY="$LOG has no WARNING line saying the API rate limited the tunnel's token (429)"; return 1; }
}

scenario_blip_no_failover() {
    # The tunnel reads "down" for exactly one observation (the fake answers one read with it,
    # however fast or slow this machine is), then healthy again: below failure_threshold (2),
    # so no start.
    baseline || return 1
    local c lines n
    wait_for 10 has_log_line 'status: healthy'
    c=$(jcursor)
    lines=$(log_lines)
    fake PUT "/tunnels/$TUNNEL_ID/status" '{"status":"down","reads":1}' >/dev/null || { WHY="cannot set the status"; return 1; }
    if ! wait_for $((3 * CHECK_INTERVAL + 10)) eval '[[ $(fake GET "/tunnels/$TUNNEL_ID" | jq -r .status_override) == null ]]'; then
        WHY="the monitor did not read the tunnel within $((3 * CHECK_INTERVAL + 10)) s of the status change"; return 1
    fi
    sleep $(((FAILURE_THRESHOLD + 3) * CHECK_INTERVAL))
    n=$(jobs_since "$c" $BACKUP start)
    ((n == 0)) || { WHY="$n start job(s) for $BACKUP after a one-check blip"; return 1; }
    is_inactive $BACKUP || { WHY="$BACKUP is $(active_state $BACKUP)"; return 1; }
    log_since "$lines" | grep -q 'Tunnel web: .*not acting yet' ||
        { WHY="the blip left no 'not acting yet' line: was the down observation seen?"; return 1; }
}

new_live_connector() { # OLD_ID: a live connector other than OLD_ID is registered
    fake GET "/tunnels/$TUNNEL_ID" | jq -e --arg o "$1" '[.live_connector_ids[] | select(. != $o)] | length > 0' >/dev/null
}
scenario_ghost_does_not_fail_back() {
    # Failed over, the backup restarts, its old connector lingers as pending reconnect
    # while the primary stays away: the ghost is not the primary, the backup stays.
    baseline || return 1
    local c old new n snap rc=0
    primary_down
    wait_for $((FAILURE_THRESHOLD * CHECK_INTERVAL + 15)) is_active $BACKUP || { WHY="precondition: no failover"; return 1; }
    wait_for 10 tunnel_is healthy || { WHY="the backup connector did not register"; return 1; }
    old=$(fake GET "/tunnels/$TUNNEL_ID" | jq -r '.live_connector_ids[0] // empty')
    [[ -n $old ]] || { WHY="no live backup connector id"; return 1; }
    c=$(jcursor)
    sbx systemctl restart $BACKUP || { WHY="systemctl restart $BACKUP failed"; return 1; }
    # The old connector is back as a ghost: registered, every connection pending reconnect.
    fake PUT "/tunnels/$TUNNEL_ID/connectors/$old" >/dev/null &&
        fake POST "/tunnels/$TUNNEL_ID/connectors/$old/pending" >/dev/null || { WHY="cannot add the ghost"; return 1; }
    wait_for 15 new_live_connector "$old"
    snap=$(fake GET "/tunnels/$TUNNEL_ID")
    new=$(jq -r --arg o "$old" '[.live_connector_ids[] | select(. != $o)] | first // empty' <<<"$snap")
    if [[ -z $new ]] || jq -e --arg o "$old" '.live_connector_ids | index($o)' <<<"$snap" >/dev/null; then
        WHY="scenario broken: want a new live backup connector and the old one pending (live: $(jq -c .live_connector_ids <<<"$snap"))"
        rc=1
    fi
    if ((rc == 0)); then
        sleep $(((RECOVERY_THRESHOLD + 3) * CHECK_INTERVAL))
        n=$(jobs_since "$c" $BACKUP stop)
        if ((n != 0)); then WHY="$n stop job(s) for $BACKUP: the ghost connector counted as the primary"; rc=1
        elif ! is_active $BACKUP; then WHY="$BACKUP is $(active_state $BACKUP), want active"; rc=1
        fi
        n=$(jobs_since "$c" $BACKUP start)
        ((n == 0)) || note "ghost-does-not-fail-back: the monitor queued $n start job(s) for $BACKUP during its restart"
    fi
    fake DELETE "/tunnels/$TUNNEL_ID/connectors/$old" >/dev/null 2>&1
    return "$rc"
}

served() { is_active $BACKUP && tunnel_is healthy; } # the backup runs and its connector is registered
scenario_second_outage_after_failback_served_again() {
    # The flap guard ON, at its defaults: failover, failback (it waits out min_action_interval,
    # 30 s after the start), then the primary dies again 5 s later. A start is never held back:
    # the tunnel is served again within failure_threshold x check_interval + 3 s.
    baseline || return 1
    use_config tunnels-flap-guard.json || { WHY="the monitor did not restart on the flap-guard config"; return 1; }
    local rc=0
    second_outage || rc=1
    use_config tunnels.json || { WHY="${WHY:+$WHY; }cannot go back to tunnels.json"; rc=1; }
    return "$rc"
}
second_outage() {
    local limit=$((FAILURE_THRESHOLD * CHECK_INTERVAL + 3)) lines died down_ms
    sleep $((CHECK_INTERVAL + 1))   # a healthy check first
    primary_down
    wait_for $((limit + 15)) served ||
        { WHY="first outage not served: $BACKUP $(active_state $BACKUP), tunnel $(tunnel_status)"; return 1; }
    primary_up
    wait_for 45 is_inactive $BACKUP || { WHY="no failback within 45 s of the primary's return"; return 1; }
    sleep 5
    lines=$(log_lines)
    primary_down
    died=$(fake GET "/tunnels/$TUNNEL_ID" | jq -r .conns_inactive_at)
    if ! wait_for $((limit + 15)) served; then
        WHY="not served again $(secs "$WAITED_MS") s after the second death ($BACKUP $(active_state $BACKUP), tunnel $(tunnel_status))"
        return 1
    fi
    # The downtime by the fake's own clock: from the primary's death to the backup connector's registration.
    down_ms=$(fake GET "/tunnels/$TUNNEL_ID" | jq -r --arg d "$died" "$JQ_MS"' (.conns_active_at | ms) - ($d | ms)') ||
        { WHY="cannot read conns_active_at/conns_inactive_at from the fake"; return 1; }
    MEASURED=$(secs "$down_ms")
    ((down_ms <= limit * 1000)) || { WHY="served again ${MEASURED}s after the second death > limit ${limit}s"; return 1; }
    ! log_since "$lines" | grep -q 'flap guard' || { WHY="a 'flap guard' line after the second death: $(log_since "$lines" | grep -m1 'flap guard')"; return 1; }
}

scenario_purge_removes_config_and_log() {
    # Last: --purge removes the program, the unit, tunnels.json, the log and the state.
    SBX_TIMEOUT=10 sbx cat "$LOG" > "$ARTIFACTS/failover_monitor.log" 2>&1 || true
    SBX_TIMEOUT=60 sbx bash -c "cd /run/e2e/stage/repo && ./install.sh --purge" >"$WORK/install-purge.log" 2>&1 ||
        { WHY="install.sh --purge failed: $(tail -n 2 "$WORK/install-purge.log" | tr '\n' ' ')"; return 1; }
    local p left
    for p in /etc/systemd/system/$UNIT /opt/failover-monitor/tunnels.json /opt/failover-monitor/failover-monitor "$LOG" /run/failover-monitor; do
        ! sbx test -e "$p" || { WHY="$p still there after --purge"; return 1; }
    done
    # Only what install.sh did not install may stay (upgrade-from-python-original's script).
    left=$(sbx find /opt/failover-monitor -mindepth 1 ! -name failover_monitor.py 2>/dev/null || true)
    [[ -z $left ]] || { WHY="left in /opt/failover-monitor after --purge: $(head -n 3 <<<"$left" | tr '\n' ' ')"; return 1; }
    grep -q -- '--purge: removed the configuration' "$WORK/install-purge.log" ||
        { WHY="install.sh --purge did not say what it removed"; return 1; }
    is_inactive $UNIT || { WHY="monitor still $(active_state $UNIT)"; return 1; }
}

# The log file's disk fills up (a real 64 KiB tmpfs): monitoring and failover go on, one line
# on journald says so, SIGHUP and SIGTERM do not crash; once there is room, lines are written again.
scenario_log_disk_full_monitoring_goes_on() {
    baseline || return 1
    local c pid r0 n rc=0
    sbx_sh "mkdir -p $FULL_LOG_DIR && mount -t tmpfs -o size=64k,mode=0755 failover-e2e-full $FULL_LOG_DIR &&
            : > $FULL_LOG_DIR/failover_monitor.log" || { WHY="cannot mount the tmpfs"; return 1; }
    c=$(jcursor)
    if ! use_config tunnels-log-full.json; then
        WHY="monitor does not run with log_file on the tmpfs"; rc=1
    else
        pid=$(prop $UNIT MainPID) r0=$(prop $UNIT NRestarts)
        # Fill the disk, then the slack of the log file's last page (tmpfs allocates whole pages).
        sbx_sh "dd if=/dev/zero of=$FULL_LOG_DIR/fill bs=4k >/dev/null 2>&1;
                head -c 8192 /dev/zero | tr '\\0' ' ' >> $FULL_LOG_DIR/failover_monitor.log 2>/dev/null; true"
        primary_down
        if ! wait_for $((FAILURE_THRESHOLD * CHECK_INTERVAL + 15)) is_active $BACKUP; then
            WHY="no failover with the log disk full ($BACKUP $(active_state $BACKUP))"; rc=1
        fi
        SBX_TIMEOUT=30 sbx systemctl reload $UNIT || { WHY="systemctl reload failed"; rc=1; }
        sleep $((3 * CHECK_INTERVAL))
        n=$(jsince "$c" $UNIT 4 | grep -c "Log file $FULL_LOG_DIR/failover_monitor.log cannot be written (No space left on device" || true)
        if ((rc == 0)) && ! { monitor_running && [[ $(prop $UNIT MainPID) == "$pid" && $(prop $UNIT NRestarts) == "$r0" ]]; }; then
            WHY="the monitor did not survive the full disk (MainPID $pid -> $(prop $UNIT MainPID), NRestarts $r0 -> $(prop $UNIT NRestarts))"; rc=1
        elif ((rc == 0 && n != 1)); then
            WHY="$n journal lines (warning) say the log file cannot be written, want exactly 1"; rc=1
        fi
        # Room again: the next lines reach the file, and journald hears so once.
        sbx rm -f $FULL_LOG_DIR/fill
        primary_up
        if ((rc == 0)) && ! wait_for 20 sbx grep -q "Tunnel web primary connector is back" $FULL_LOG_DIR/failover_monitor.log; then
            WHY="no line reached the log file once the disk had room"; rc=1
        elif ((rc == 0)) && ! jsince "$c" $UNIT | grep -q "Log file $FULL_LOG_DIR/failover_monitor.log is written again"; then
            WHY="journald was not told the log file is written again"; rc=1
        fi
    fi
    wait_for 20 is_inactive $BACKUP
    use_config tunnels.json || { WHY="${WHY:+$WHY; }monitor does not restart on tunnels.json"; rc=1; }
    sbx umount $FULL_LOG_DIR || true
    return "$rc"
}

# log_file /dev/full (every write fails with ENOSPC): SIGHUP reopens the file without killing the
# daemon (it used to abort in the signal handler, exit 134), SIGTERM ends it with exit 0 (it used to
# end with exit 1 and "Unhandled exception").
scenario_log_file_dev_full_reload_and_stop() {
    baseline || return 1
    local c pid status result rc=0
    c=$(jcursor)
    use_config tunnels-dev-full.json || { WHY="monitor does not run with log_file /dev/full"; use_config tunnels.json; return 1; }
    pid=$(prop $UNIT MainPID)
    wait_for 10 eval 'jsince "$c" $UNIT 4 | grep -q "Log file /dev/full cannot be written (No space left on device"' ||
        { WHY="no journal line says /dev/full cannot be written: was it written to?"; rc=1; }
    SBX_TIMEOUT=30 sbx systemctl reload $UNIT || { WHY="systemctl reload failed"; rc=1; }
    sleep $((3 * CHECK_INTERVAL))
    if ((rc == 0)) && ! { monitor_running && [[ $(prop $UNIT MainPID) == "$pid" ]]; }; then
        WHY="SIGHUP with log_file /dev/full ended the daemon (ExecMainStatus $(prop $UNIT ExecMainStatus))"; rc=1
    fi
    SBX_TIMEOUT=60 sbx systemctl stop $UNIT
    status=$(prop $UNIT ExecMainStatus) result=$(prop $UNIT Result)
    if ((rc == 0)) && [[ $status != 0 || $result != success ]]; then
        WHY="SIGTERM with log_file /dev/full: exit status $status, result $result (want 0, success)"; rc=1
    fi
    use_config tunnels.json || { WHY="${WHY:+$WHY; }monitor does not restart on tunnels.json"; rc=1; }
    return "$rc"
}

# Failback while the backup's ExecStop= takes 15 s (longer than WatchdogSec=5): the stop is queued,
# the loop keeps its 1 s rhythm, the watchdog is not tripped, and the unit is stopped once.
STOP_DROPIN=/etc/systemd/system/$BACKUP.d/90-e2e-slow-stop.conf
scenario_backup_stop_hangs_loop_keeps_rhythm() {
    baseline || return 1
    local c pid r0 t0 gap n rc=0
    sbx_sh "mkdir -p ${STOP_DROPIN%/*} && printf '[Service]\nExecStop=/bin/sleep 15\nTimeoutStopSec=40\n' > $STOP_DROPIN" ||
        { WHY="cannot install the slow ExecStop= drop-in"; return 1; }
    watchdog_dropin 5
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT && wait_for 10 monitor_running || { WHY="monitor does not run with WatchdogSec=5"; rc=1; }
    if ((rc == 0)); then
        primary_down
        wait_for $((FAILURE_THRESHOLD * CHECK_INTERVAL + 15)) is_active $BACKUP || { WHY="precondition: no failover"; rc=1; }
    fi
    if ((rc == 0)); then
        pid=$(prop $UNIT MainPID) r0=$(prop $UNIT NRestarts)
        c=$(jcursor)
        primary_up
        wait_for $((RECOVERY_THRESHOLD * CHECK_INTERVAL + 15)) unit_state_is $BACKUP deactivating ||
            { WHY="the failback did not begin stopping $BACKUP ($(active_state $BACKUP))"; rc=1; }
    fi
    if ((rc == 0)); then
        fake DELETE /requests >/dev/null
        t0=$(ms)
        sleep 10   # inside the 15 s ExecStop=, twice WatchdogSec
        gap=$(api_requests | jq --argjson t "$t0" "$JQ_MS"' [.[] | (.at | ms) | select(. >= $t)] | sort
              | [$t] + . + [now * 1000 | floor] | [range(1; length) as $i | .[$i] - .[$i - 1]] | max')
        MEASURED=$(secs "$gap") UNIT_OF_MEASURE=" s longest gap between checks"
        if [[ $(prop $UNIT MainPID) != "$pid" || $(prop $UNIT NRestarts) != "$r0" ]]; then
            WHY="the monitor was restarted while $BACKUP was stopping (watchdog tripped?)"; rc=1
        elif ((gap > 2500 * CHECK_INTERVAL)); then
            WHY="the loop lost its rhythm while $BACKUP was stopping: ${MEASURED}s without an API check"; rc=1
        elif ! jsince "$c" $UNIT | grep -q "stop of local service $SERVICE queued, it is still deactivating"; then
            WHY="no line says $BACKUP is still deactivating"; rc=1
        fi
    fi
    if ((rc == 0)); then
        wait_for 30 is_inactive $BACKUP || { WHY="$BACKUP never stopped ($(active_state $BACKUP))"; rc=1; }
        n=$(jobs_since "$c" $BACKUP stop)
        ((rc != 0 || n == 1)) || { WHY="$n stop jobs for $BACKUP (want 1)"; rc=1; }
        n=$(jobs_since "$c" $BACKUP start)
        ((rc != 0 || n == 0)) || { WHY="$n start jobs for $BACKUP while it stopped"; rc=1; }
    fi
    sbx_sh "rm -f $STOP_DROPIN && rmdir ${STOP_DROPIN%/*} 2>/dev/null; systemctl daemon-reload"
    wait_for 30 is_inactive $BACKUP
    watchdog_dropin_remove
    SBX_TIMEOUT=90 sbx systemctl restart $UNIT || { WHY="${WHY:+$WHY; }restart without the drop-ins failed"; rc=1; }
    return "$rc"
}

# ------------------------------------------------------------------ the Debian package
# deb-*: the .deb installed with apt (as the README says) and dpkg in the sandbox; in order, from a
# host without FailoverMonitor. The host runs the Python original before the second one.
deb_file() { echo "/run/e2e/stage/deb/failover-monitor_${1}_$DEB_ARCH.deb"; } # VERSION
deb_status() { sbx dpkg-query -W -f '${db:Status-Abbrev}${Version}' failover-monitor 2>/dev/null || true; }
deb_run() { # LOGNAME COMMAND...: a package command in the sandbox, unattended, stdin closed
    SBX_TIMEOUT=240 sbx env DEBIAN_FRONTEND=noninteractive "${@:2}" </dev/null >"$WORK/$1.log" 2>&1 ||
        { WHY="${*:2} failed: $(grep -m1 -E '^(E|dpkg): ' "$WORK/$1.log" || tail -n 1 "$WORK/$1.log")"; return 1; }
}
# Two differences of the sandbox from a real host, undone here: the host's policy-rc.d (a container's,
# exit 101) would keep deb-systemd-invoke from starting or stopping anything; and with / read-only
# rmdir("/opt") fails with EROFS (a real host gives ENOTEMPTY or removes it), which breaks a purge, so
# /opt is given an owner (base-files) in the sandbox's dpkg database, and dpkg leaves it.
deb_sandbox() {
    sbx_sh "rm -f /usr/sbin/policy-rc.d
        grep -qx /opt /var/lib/dpkg/info/base-files.list || echo /opt >> /var/lib/dpkg/info/base-files.list
        dpkg --purge failover-monitor >/dev/null 2>&1 || true"
}
deb_unit_enabled() { # the enable link points at the package's unit, and no /etc unit hides it
    [[ $(sbx systemctl is-enabled $UNIT 2>/dev/null) == enabled ]] || { WHY="$UNIT not enabled"; return 1; }
    [[ $(sbx readlink /etc/systemd/system/multi-user.target.wants/$UNIT) == /lib/systemd/system/$UNIT ]] ||
        { WHY="the enable link does not point at /lib/systemd/system/$UNIT"; return 1; }
    [[ $(prop $UNIT FragmentPath) == */lib/systemd/system/$UNIT ]] ||
        { WHY="systemd loads $UNIT from $(prop $UNIT FragmentPath)"; return 1; }
}

scenario_deb_fresh_install_waits_for_config() {
    [[ -z $DEB_WHY ]] || { WHY=$DEB_WHY; return 1; }
    deb_sandbox
    sbx_sh "systemctl disable --now --quiet $UNIT 2>/dev/null
        cd /run/e2e/stage/repo && ./install.sh --purge >/dev/null 2>&1
        rm -rf /opt/failover-monitor /etc/systemd/system/failover-monitor-python.service; systemctl daemon-reload"
    local t0 out
    t0=$(ms)
    deb_run deb-fresh apt install -y "$(deb_file "$DEB_VERSION")" || return 1
    MEASURED=$(secs $(($(ms) - t0)))
    [[ $(deb_status) == "ii $DEB_VERSION" ]] || { WHY="dpkg status '$(deb_status)', want 'ii $DEB_VERSION'"; return 1; }
    deb_unit_enabled || return 1
    is_inactive $UNIT || { WHY="started on the example configuration"; return 1; }
    grep -q 'still the example' "$WORK/deb-fresh.log" || { WHY="the install did not say the config is the example"; return 1; }
    sbx cmp -s /opt/failover-monitor/tunnels.example.json /opt/failover-monitor/tunnels.json ||
        { WHY="tunnels.json is not the example"; return 1; }
    [[ $(sbx stat -c %a /opt/failover-monitor/tunnels.json) == 600 ]] || { WHY="tunnels.json not mode 600"; return 1; }
    # On PATH, as the README writes it.
    out=$(sbx env PATH=/usr/sbin:/usr/bin:/sbin:/bin failover-monitor version 2>&1) ||
        { WHY="failover-monitor version (on PATH) failed: $out"; return 1; }
    [[ $out == "failover-monitor "* ]] || { WHY="failover-monitor version printed: $out"; return 1; }
}

scenario_deb_install_over_python_original() {
    [[ -z $DEB_WHY ]] || { WHY=$DEB_WHY; return 1; }
    deb_sandbox
    python_original_host || return 1
    baseline || return 1
    local t0 lines
    lines=$(log_lines) t0=$(ms)
    deb_run deb-over-python apt install -y "$(deb_file "$DEB_VERSION")" || return 1
    monitor_running || { WHY="monitor not running after the install"; return 1; }
    MEASURED=$(secs $(($(ms) - t0)))
    [[ $(sbx readlink "/proc/$(prop $UNIT MainPID)/exe") == /opt/failover-monitor/failover-monitor ]] ||
        { WHY="the running main process is not the package's monitor"; return 1; }
    python_original_kept || return 1
    grep -q "kept the existing /opt/failover-monitor/tunnels.json" "$WORK/deb-over-python.log" ||
        { WHY="the install did not say it kept tunnels.json"; return 1; }
    deb_unit_enabled || return 1
    sbx test -e /opt/failover-monitor/failover_monitor.py || { WHY="the Python script was removed"; return 1; }
    wait_for 15 has_log_line_since "$lines" 'status: healthy' ||
        { WHY="no 'status: healthy' from the package's monitor with the original config"; return 1; }
}

scenario_deb_upgrade_restarts_monitor() {
    [[ $(deb_status) == "ii $DEB_VERSION" ]] && monitor_running || { WHY="precondition: $DEB_VERSION installed and running"; return 1; }
    local pid lines left
    pid=$(prop $UNIT MainPID) lines=$(log_lines)
    deb_run deb-upgrade dpkg -i "$(deb_file "$DEB_NEXT")" || return 1
    [[ $(deb_status) == "ii $DEB_NEXT" ]] || { WHY="dpkg status '$(deb_status)', want 'ii $DEB_NEXT'"; return 1; }
    wait_for 15 restarted_from "$pid" || { WHY="the monitor was not restarted by the upgrade"; return 1; }
    wait_for 15 has_log_line_since "$lines" 'status: healthy' || { WHY="no 'status: healthy' after the upgrade"; return 1; }
    sbx cmp -s /run/e2e/stage/tunnels-original.json /opt/failover-monitor/tunnels.json ||
        { WHY="the upgrade changed tunnels.json"; return 1; }
    left=$(sbx find /opt/failover-monitor -name '*.dpkg-*' -o -name '.dpkg-install')
    [[ -z $left ]] || { WHY="left after the upgrade: $(tr '\n' ' ' <<<"$left")"; return 1; }
    deb_unit_enabled
}

scenario_deb_remove_keeps_config_and_log() {
    local backup_was conf_was
    backup_was=$(active_state $BACKUP)
    conf_was=$(sbx sha256sum /opt/failover-monitor/tunnels.json)
    deb_run deb-remove apt remove -y failover-monitor || return 1
    [[ $(deb_status) == "rc $DEB_NEXT" ]] || { WHY="dpkg status '$(deb_status)', want 'rc $DEB_NEXT'"; return 1; }
    is_inactive $UNIT || { WHY="monitor still $(active_state $UNIT)"; return 1; }
    [[ $(prop $UNIT LoadState) == not-found ]] || { WHY="systemd still loads $UNIT ($(prop $UNIT LoadState))"; return 1; }
    local p
    for p in /opt/failover-monitor/failover-monitor /usr/bin/failover-monitor /lib/systemd/system/$UNIT; do
        ! sbx test -e "$p" -o -L "$p" || { WHY="$p still there after remove"; return 1; }
    done
    [[ $(sbx sha256sum /opt/failover-monitor/tunnels.json 2>/dev/null) == "$conf_was" ]] || { WHY="tunnels.json not kept"; return 1; }
    sbx test -s $LOG || { WHY="$LOG not kept"; return 1; }
    [[ $(active_state $BACKUP) == "$backup_was" ]] || { WHY="remove changed $BACKUP"; return 1; }
}

scenario_deb_purge_removes_config_and_log() {
    [[ $(deb_status) == "rc "* ]] || { WHY="precondition: removed, config-files kept (status '$(deb_status)')"; return 1; }
    SBX_TIMEOUT=10 sbx cat "$LOG" > "$ARTIFACTS/failover_monitor.deb.log" 2>&1 || true
    deb_run deb-purge apt purge -y failover-monitor || return 1
    [[ -z $(sbx dpkg-query -W -f '${db:Status-Abbrev}' failover-monitor 2>/dev/null | tr -d ' ' | grep -v '^[pu]n$') ]] ||
        { WHY="dpkg still knows failover-monitor: $(deb_status)"; return 1; }
    local p left
    for p in /opt/failover-monitor/tunnels.json "$LOG" /run/failover-monitor /etc/systemd/system/multi-user.target.wants/$UNIT; do
        ! sbx test -e "$p" -o -L "$p" || { WHY="$p still there after purge"; return 1; }
    done
    # What the package did not install stays: the Python original's script and unit.
    left=$(sbx find /opt/failover-monitor -mindepth 1 ! -name failover_monitor.py 2>/dev/null || true)
    [[ -z $left ]] || { WHY="left in /opt/failover-monitor after purge: $(head -n 3 <<<"$left" | tr '\n' ' ')"; return 1; }
    sbx test -e /etc/systemd/system/failover-monitor-python.service || { WHY="purge removed the kept Python unit"; return 1; }
}

# ------------------------------------------------------------------ run
suite_t0=$(ms)
for s in "${SCENARIOS[@]}"; do
    run_scenario "$s"
done
note "scenarios took $(secs $(($(ms) - suite_t0))) s; logs in $ARTIFACTS"
if [[ ${E2E_HOLD:-} =~ ^[0-9]+$ ]] && ((E2E_HOLD > 0)); then
    : > "$WORK/hold"
    note "holding the sandbox for up to $E2E_HOLD s: PID 1 is $SBX_PID1; rm $WORK/hold to end"
    for ((i = 0; i < E2E_HOLD && ${#WORK} > 0; i++)); do
        [[ -e $WORK/hold ]] || break
        sleep 1
    done
fi
if ((skipped)); then
    say "$passed passed, $failed failed, $skipped skipped"
else
    say "$passed passed, $failed failed"
fi
((failed == 0))
