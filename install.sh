#!/usr/bin/env bash
# Install FailoverMonitor as a systemd service (see --help).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly PREFIX=${FAILOVER_MONITOR_PREFIX:-/opt/failover-monitor}
readonly DEFAULT_PREFIX=/opt/failover-monitor
readonly UNIT_NAME=failover-monitor.service
readonly UNIT_DIR=/etc/systemd/system
readonly UNIT_FILE=$UNIT_DIR/$UNIT_NAME
readonly DROPIN_DIR=$UNIT_DIR/$UNIT_NAME.d
# Written by versions that installed a framework-dependent build; removed when found.
readonly DROPIN_DOTNET=$DROPIN_DIR/50-install-dotnet-root.conf
readonly COMMAND_LINK=/usr/local/bin/failover-monitor
readonly CONFIG=$PREFIX/tunnels.json
readonly MANIFEST=$PREFIX/.install-manifest
readonly LOG_FILE=/var/log/failover_monitor.log
readonly PROJECT=src/FailoverMonitor/FailoverMonitor.csproj

usage() {
    cat <<EOF
Usage: sudo ./install.sh [--prebuilt DIR] [--no-start]
       sudo ./install.sh --uninstall | --purge

Installs FailoverMonitor (one native executable) to $PREFIX, the command
$COMMAND_LINK and the systemd unit $UNIT_FILE, enables the unit and
starts it (restarts it when a running copy was changed).

  (default)        build with 'dotnet publish' (NativeAOT: needs the .NET 10 SDK,
                   clang and zlib1g-dev), then install
  --prebuilt DIR   install a folder published earlier with
                   'dotnet publish src/FailoverMonitor -c Release -o DIR'
                   (this host needs no .NET at all)
  --no-start       install and enable, but do not start or restart the service
  --uninstall      stop, disable and remove the service, the command and the program;
                   keeps $CONFIG and $LOG_FILE
  --purge          as --uninstall, and also removes $CONFIG (with its API
                   tokens), $LOG_FILE (and rotated copies) and the state
                   directory /run/failover-monitor
  -h, --help       this text

An existing $CONFIG is never overwritten; a new one is made from
tunnels.example.json (mode 600). Running the script again changes nothing that is
already up to date. Over an existing install, the new version checks $CONFIG
(check-config --no-verify); if it rejects a file the installed version accepts,
the installed version is put back (kept as $PREFIX.previous meanwhile) and
nothing else changes. Environment: FAILOVER_MONITOR_PREFIX (default $DEFAULT_PREFIX).
EOF
}

say() { printf 'install.sh: %s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

readonly ARGS="$*"
mode=install prebuilt='' start=1
while (($#)); do
    case $1 in
        --prebuilt) (($# >= 2)) || die "--prebuilt needs a directory"; prebuilt=$2; shift ;;
        --prebuilt=*) prebuilt=${1#*=} ;;
        --no-start) start=0 ;;
        --uninstall) mode=uninstall ;;
        --purge) mode=purge ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

[[ $PREFIX == /* && $PREFIX != / && $PREFIX != *[[:space:]]* ]] ||
    die "FAILOVER_MONITOR_PREFIX must be an absolute path without spaces (got '$PREFIX')"
[[ $(id -u) -eq 0 ]] || die "must be run as root (try: sudo $0${ARGS:+ $ARGS})"

# systemd is the service manager this installs for; without a running one (a container
# or a chroot) the files are still installed and the systemctl steps are skipped.
have_systemd() { [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; }

# The command on PATH: a link to the installed executable, only ever replacing our own link.
remove_command_link() {
    if [[ -L $COMMAND_LINK && $(readlink "$COMMAND_LINK") == "$PREFIX/failover-monitor" ]]; then
        rm -f "$COMMAND_LINK"
    fi
}

# ---------------------------------------------------------------- uninstall
uninstall() {
    if have_systemd; then
        if [[ -e $UNIT_FILE ]] || systemctl cat "$UNIT_NAME" >/dev/null 2>&1; then
            say "stopping and disabling $UNIT_NAME"
            systemctl disable --now "$UNIT_NAME" >/dev/null 2>&1 || true
        fi
    fi
    rm -f "$UNIT_FILE" "$DROPIN_DOTNET"
    rmdir "$DROPIN_DIR" 2>/dev/null || true
    remove_command_link
    if have_systemd; then
        systemctl daemon-reload
        systemctl reset-failed "$UNIT_NAME" >/dev/null 2>&1 || true
    fi
    if [[ -f $MANIFEST ]]; then
        local f
        while IFS= read -r f; do
            [[ -n $f && $f != *..* ]] || continue
            rm -f -- "$PREFIX/$f"
        done < "$MANIFEST"
        rm -f "$MANIFEST"
        find "$PREFIX" -mindepth 1 -depth -type d -empty -delete 2>/dev/null || true
    fi
    if [[ $mode == purge ]]; then
        local gone=()
        [[ -e $CONFIG ]] && gone+=("$CONFIG")
        for f in "$LOG_FILE" "$LOG_FILE".*; do [[ -e $f ]] && gone+=("$f"); done
        [[ -d /run/failover-monitor ]] && gone+=(/run/failover-monitor)
        if ((${#gone[@]})); then
            rm -rf -- "${gone[@]}"
            say "--purge: removed the configuration (API tokens), the log and the state: ${gone[*]}"
        else
            say "--purge: no configuration, log or state to remove"
        fi
    fi
    rmdir "$PREFIX" 2>/dev/null || true
    say "FailoverMonitor removed."
    [[ -d $PREFIX ]] && say "kept: $PREFIX (it holds files install.sh did not install)"
    [[ -e $CONFIG ]] && say "kept: $CONFIG (--purge removes it)"
    [[ -e $LOG_FILE ]] && say "kept: $LOG_FILE (--purge removes it)"
    say "backup units the monitor started were left as they are (systemctl status <service>)."
}

if [[ $mode == uninstall || $mode == purge ]]; then
    uninstall
    exit 0
fi

# ---------------------------------------------------------------- build or locate
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

if [[ -n $prebuilt ]]; then
    [[ -d $prebuilt ]] || die "--prebuilt: '$prebuilt' is not a directory"
    src=$(cd "$prebuilt" && pwd)
else
    [[ -f $SCRIPT_DIR/$PROJECT ]] ||
        die "$PROJECT not found next to install.sh; to install a published folder use --prebuilt DIR"
    # NativeAOT compiles with the SDK and links with clang against zlib: name everything missing at once.
    lacks=()
    if ! command -v dotnet >/dev/null; then
        lacks+=("the .NET 10 SDK ('dotnet' not found; Debian/Ubuntu package dotnet-sdk-10.0)")
    elif ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
        lacks+=("the .NET 10 SDK (found: $(dotnet --list-sdks 2>/dev/null | awk '{print $1}' | paste -sd' ' -))")
    fi
    command -v clang >/dev/null || lacks+=("clang (package clang), the linker NativeAOT uses")
    compgen -G '/usr/lib/*/libz.so' >/dev/null || [[ -e /usr/lib/libz.so || -e /usr/lib64/libz.so ]] ||
        lacks+=("zlib1g-dev (libz.so, linked into the executable)")
    if ((${#lacks[@]})); then
        printf 'install.sh: this build host lacks:\n' >&2
        printf '  - %s\n' "${lacks[@]}" >&2
        die "install them (Debian/Ubuntu: sudo apt-get install clang zlib1g-dev, and the .NET 10 SDK), or build elsewhere and install the folder with --prebuilt DIR"
    fi
    say "building: dotnet publish $PROJECT -c Release (NativeAOT, a few minutes)"
    src=$workdir/publish
    # NuGetAudit=false: the vulnerability check needs the package source online, and an
    # installer must also work on a host that has the packages cached but no network.
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        dotnet publish "$SCRIPT_DIR/$PROJECT" -c Release -o "$src" --nologo -v quiet -p:NuGetAudit=false \
        >"$workdir/build.log" 2>&1 || {
        tail -n 40 "$workdir/build.log" >&2
        die "dotnet publish failed (output above)"
    }
fi

[[ -f $src/failover-monitor && -x $src/failover-monitor ]] ||
    die "$src has no 'failover-monitor' executable (publish it on Linux: dotnet publish src/FailoverMonitor -c Release -o DIR)"
# The unit forbids writable executable memory (MemoryDenyWriteExecute=yes), which a JIT needs.
[[ ! -f $src/failover-monitor.dll ]] ||
    die "$src is a framework-dependent (JIT) build, which the unit's MemoryDenyWriteExecute=yes cannot run; publish the native one: dotnet publish src/FailoverMonitor -c Release -o DIR"
timeout 30 "$src/failover-monitor" version >"$workdir/version.out" 2>&1 ||
    die "$src/failover-monitor does not run on this host (built for another architecture?): $(head -c 300 "$workdir/version.out")"

# ---------------------------------------------------------------- upgrade safety
example=''
for e in "$src/tunnels.example.json" "$SCRIPT_DIR/tunnels.example.json"; do
    if [[ -f $e ]]; then example=$e; break; fi
done
# Over an existing install whose version accepts the configuration: keep that version in
# $PREFIX.previous until the new one has accepted the same file too.
check_config() { # BINARY: exit status of its check-config on $CONFIG (no API calls)
    local rc=0
    timeout 60 "$1" check-config --no-verify --config "$CONFIG" >"$workdir/check.out" 2>&1 || rc=$?
    return "$rc"
}
readonly PREVIOUS=$PREFIX.previous
old_accepts=0
if [[ -x $PREFIX/failover-monitor && -f $CONFIG && -f $MANIFEST ]] &&
    ! { [[ -n $example ]] && cmp -s "$example" "$CONFIG"; } &&
    ! cmp -s "$src/failover-monitor" "$PREFIX/failover-monitor"; then
    # 0: accepted; anything else (78 rejected, or a version without check-config): no check.
    if check_config "$PREFIX/failover-monitor"; then
        old_accepts=1
        rm -rf -- "$PREVIOUS"
        cp -a "$PREFIX" "$PREVIOUS"
    fi
fi

# ---------------------------------------------------------------- install files
changed=0
mkdir -p "$PREFIX"

# Copy one file through a temporary name and rename it, so a running monitor keeps its
# old files open and never sees a half-written one.
put_file() { # SRC DEST MODE
    local tmp
    mkdir -p "$(dirname "$2")"
    tmp=$(mktemp "$(dirname "$2")/.install.XXXXXX")
    cp "$1" "$tmp"
    chmod "$3" "$tmp"
    mv -f "$tmp" "$2"
}

# What gets installed: the published files (never a tunnels.json) plus
# tunnels.example.json for reference.
tree=$workdir/tree
mkdir -p "$tree"
cp -a "$src"/. "$tree"/
rm -f "$tree/tunnels.json" "$tree/.install-manifest"
[[ -n $example ]] && cp "$example" "$tree/tunnels.example.json"

# The manifest lists what we own, so an upgrade removes files that are gone and
# --uninstall removes only ours.
new_manifest=$workdir/manifest
(cd "$tree" && find . -type f -printf '%P\n' | LC_ALL=C sort) > "$new_manifest"
while IFS= read -r f; do
    mode_bits=644
    [[ -x $tree/$f ]] && mode_bits=755
    if ! cmp -s "$tree/$f" "$PREFIX/$f" || [[ $(stat -c %a "$PREFIX/$f") != "$mode_bits" ]]; then
        put_file "$tree/$f" "$PREFIX/$f" "$mode_bits"
        changed=1
    fi
done < "$new_manifest"
if [[ -f $MANIFEST ]]; then
    while IFS= read -r f; do
        [[ -n $f && $f != *..* ]] || continue
        rm -f -- "$PREFIX/$f"
        changed=1
    done < <(LC_ALL=C comm -23 <(LC_ALL=C sort "$MANIFEST") "$new_manifest")
    find "$PREFIX" -mindepth 1 -depth -type d -empty -delete 2>/dev/null || true
fi
if ! cmp -s "$new_manifest" "$MANIFEST"; then
    put_file "$new_manifest" "$MANIFEST" 644
fi
if ((old_accepts)); then
    rc=0
    check_config "$PREFIX/failover-monitor" || rc=$?
    if ((rc == 78)); then
        cat "$workdir/check.out" >&2
        # Put the previous version back: the new files out, the old folder's files in.
        while IFS= read -r f; do
            [[ -n $f && $f != *..* ]] && rm -f -- "$PREFIX/$f"
        done < "$new_manifest"
        cp -a "$PREVIOUS"/. "$PREFIX"/
        rm -rf -- "$PREVIOUS"
        die "the new version rejects $CONFIG (check-config exit 78, output above), which the installed version accepts: restored the installed version; the unit and the running service were not touched. Fix $CONFIG for the new version (see above), then run install.sh again"
    fi
    rm -rf -- "$PREVIOUS"
fi

# The configuration: created once, never overwritten; it holds API tokens.
config_created=0
if [[ -e $CONFIG ]]; then
    if (($(stat -c '0%a' "$CONFIG") & 077)); then
        chmod go-rwx "$CONFIG"
        say "$CONFIG was readable by other users; now mode $(stat -c %a "$CONFIG") (it holds API tokens)"
    fi
elif [[ -n $example ]]; then
    put_file "$example" "$CONFIG" 600
    config_created=1
else
    warn "no tunnels.example.json found; create $CONFIG yourself (mode 600)"
fi
config_is_example=0
if [[ -n $example && -f $CONFIG ]] && cmp -s "$example" "$CONFIG"; then config_is_example=1; fi

# The unit (paths rewritten when installing to another prefix).
unit_src=$SCRIPT_DIR/deploy/$UNIT_NAME
[[ -f $unit_src ]] || unit_src=$src/$UNIT_NAME
[[ -f $unit_src ]] || die "deploy/$UNIT_NAME not found next to install.sh"
sed "s#$DEFAULT_PREFIX#$PREFIX#g" "$unit_src" > "$workdir/unit"
mkdir -p "$UNIT_DIR"
# Moving over from the Python original: its unit has the same name. Keep it, disabled, under
# another name, so going back stays one command away; never overwrite an earlier copy.
readonly PYTHON_UNIT=$UNIT_DIR/failover-monitor-python.service
if [[ -f $UNIT_FILE ]] && ! grep -q "/failover-monitor --config" "$UNIT_FILE" && [[ ! -e $PYTHON_UNIT ]]; then
    cp -p "$UNIT_FILE" "$PYTHON_UNIT"
    sed -i '/^\[Install\]/,$d' "$PYTHON_UNIT" # no [Install]: it cannot be enabled by accident
    say "kept the previous (Python) unit as $PYTHON_UNIT, disabled; to go back: systemctl disable --now failover-monitor && systemctl start failover-monitor-python"
fi
if ! cmp -s "$workdir/unit" "$UNIT_FILE"; then
    put_file "$workdir/unit" "$UNIT_FILE" 644
    changed=1
fi
if [[ -e $DROPIN_DOTNET ]]; then
    rm -f "$DROPIN_DOTNET"
    rmdir "$DROPIN_DIR" 2>/dev/null || true
    changed=1
fi
if [[ $(readlink "$COMMAND_LINK" 2>/dev/null) != "$PREFIX/failover-monitor" ]]; then
    if [[ -e $COMMAND_LINK && ! -L $COMMAND_LINK ]]; then
        warn "$COMMAND_LINK exists and is not a link; left alone (the command is $PREFIX/failover-monitor)"
    else
        mkdir -p "${COMMAND_LINK%/*}"
        ln -sfn "$PREFIX/failover-monitor" "$COMMAND_LINK"
        say "command: $COMMAND_LINK -> $PREFIX/failover-monitor"
    fi
fi

if ((changed)); then
    say "installed to $PREFIX; unit $UNIT_FILE"
else
    say "$PREFIX and $UNIT_FILE already up to date"
fi
((config_created)) && say "created $CONFIG from tunnels.example.json (mode 600)"
((config_created)) || say "kept existing $CONFIG"

# ---------------------------------------------------------------- systemd
status=0
if ! have_systemd; then
    warn "systemd is not running here: files installed, service not enabled or started"
else
    systemctl daemon-reload
    systemctl enable --quiet "$UNIT_NAME"
    if ((!start)); then
        say "enabled $UNIT_NAME; not started (--no-start)"
    elif ((config_is_example)); then
        say "enabled $UNIT_NAME; not started: $CONFIG is still the example"
    else
        verb=start
        if systemctl is-active --quiet "$UNIT_NAME"; then
            if ((changed)); then verb=restart; else verb=; fi
        fi
        if [[ -z $verb ]]; then
            say "$UNIT_NAME is running and nothing changed"
        elif systemctl "$verb" "$UNIT_NAME"; then
            say "$UNIT_NAME ${verb}ed"
        else
            code=$(systemctl show -p ExecMainStatus --value "$UNIT_NAME" 2>/dev/null || echo '?')
            if [[ $code == 78 ]]; then
                warn "$UNIT_NAME stopped: $CONFIG is invalid (exit 78). What is wrong:"
            else
                warn "$UNIT_NAME did not start (exit status $code). Last lines:"
            fi
            journalctl -u "$UNIT_NAME" -n 15 --no-pager -o cat >&2 2>/dev/null || true
            status=1
        fi
    fi
fi

cat <<EOF

Next:
  1. Edit $CONFIG: for each tunnel its account_id, tunnel_id, API token
     (Account > Cloudflare Tunnel > Read) and the local backup service to start.
  2. Apply it:     sudo systemctl restart failover-monitor
Watch it:
  sudo tail -f $LOG_FILE
  sudo journalctl -u failover-monitor -f
  systemctl status failover-monitor
  failover-monitor status
EOF
exit "$status"
