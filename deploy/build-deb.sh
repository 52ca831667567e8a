#!/usr/bin/env bash
# Build the Debian package of FailoverMonitor's native (NativeAOT) executable with dpkg-deb.
# See usage below; the package's maintainer scripts and texts are in deploy/deb/.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
readonly HERE REPO
readonly PROJECT=src/FailoverMonitor/FailoverMonitor.csproj
readonly PREFIX=opt/failover-monitor

usage() {
    cat <<EOF
Usage: deploy/build-deb.sh [--prebuilt DIR] [--version V] [--output DIR] [amd64|arm64]

Writes artifacts/failover-monitor_<version>_<arch>.deb (default arch: amd64). The version is
the project's <Version>.

  (default)        publish with NativeAOT for the architecture (.NET 10 SDK, clang, lld;
                   for arm64 also the aarch64 cross toolchain and zlib1g-dev:arm64)
  --prebuilt DIR   package DIR/failover-monitor, a NativeAOT executable published earlier
  --version V      package version instead of the project's (e.g. to test an upgrade)
  --output DIR     write the .deb there instead of artifacts/
  -h, --help       this text
EOF
}
die() { printf 'build-deb.sh: error: %s\n' "$*" >&2; exit 1; }

arch=amd64 prebuilt='' version='' output=$REPO/artifacts
while (($#)); do
    case $1 in
        --prebuilt) (($# >= 2)) || die "--prebuilt needs a directory"; prebuilt=$2; shift ;;
        --version) (($# >= 2)) || die "--version needs a value"; version=$2; shift ;;
        --output) (($# >= 2)) || die "--output needs a directory"; output=$2; shift ;;
        amd64 | arm64) arch=$1 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done
case $arch in
    amd64) rid=linux-x64 machine='X86-64' ;;
    arm64) rid=linux-arm64 machine='AArch64' ;;
esac

if [[ -z $version ]]; then
    version=$(sed -n 's:.*<Version>\([^<]*\)</Version>.*:\1:p' "$REPO/$PROJECT" | head -n 1)
    [[ -n $version ]] || die "no <Version> in $PROJECT"
fi
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "'$version' is not a Debian version without a revision"
for tool in dpkg-deb gzip readelf; do command -v "$tool" >/dev/null || die "'$tool' not found"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- the executable
if [[ -z $prebuilt ]]; then
    publish=(dotnet publish "$REPO/$PROJECT" -c Release -r "$rid" -p:PublishAot=true -p:NuGetAudit=false
        --artifacts-path "$work/build" -o "$work/publish" --nologo)
    # For arm64 on x64 the SDK cross-compiles by itself (clang --target, the aarch64 binutils and
    # crt files of gcc-aarch64-linux-gnu, the libraries of libc6-dev:arm64 and zlib1g-dev:arm64).
    echo "build-deb.sh: ${publish[*]}"
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 "${publish[@]}" >"$work/publish.log" 2>&1 || {
        tail -n 30 "$work/publish.log" >&2
        die "dotnet publish failed (output above)"
    }
    prebuilt=$work/publish
fi
exe=$prebuilt/failover-monitor
[[ -f $exe ]] || die "no failover-monitor executable in $prebuilt"
[[ ! -e $prebuilt/failover-monitor.dll ]] ||
    die "$prebuilt is a framework-dependent build (failover-monitor.dll): publish with NativeAOT (-p:PublishAot=true -r $rid)"
readelf -h "$exe" 2>/dev/null | grep -q "Machine:.*$machine" ||
    die "$exe is not an ELF executable for $arch ($machine): $(readelf -h "$exe" 2>&1 | grep -m1 -E 'Machine|Error' || true)"

# ---------------------------------------------------------------- the tree
root=$work/root
doc=$root/usr/share/doc/failover-monitor
install -d "$root/$PREFIX" "$root/usr/bin" "$root/lib/systemd/system" "$doc" "$root/usr/share/man/man1" \
    "$root/usr/share/lintian/overrides" "$root/DEBIAN"
install -m 755 "$exe" "$root/$PREFIX/failover-monitor"
install -m 644 "$REPO/tunnels.example.json" "$root/$PREFIX/tunnels.example.json"
# The conffile starts as the example; it holds API tokens once edited.
install -m 600 "$REPO/tunnels.example.json" "$root/$PREFIX/tunnels.json"
ln -s "/$PREFIX/failover-monitor" "$root/usr/bin/failover-monitor"
install -m 644 "$REPO/deploy/failover-monitor.service" "$root/lib/systemd/system/failover-monitor.service"
install -m 644 "$HERE/deb/copyright" "$doc/copyright"
install -m 644 "$HERE/deb/lintian-overrides" "$root/usr/share/lintian/overrides/failover-monitor"

# Dates from the last commit, so the same commit gives the same package.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer="${DEBFULLNAME:-FailoverMonitor maintainers} <${DEBEMAIL:-maintainers@users.noreply.b-seed-c192350e.example}>"
sed "s/^\.TH \(.*\) \"\" /.TH \1 \"$(date -u -d "@$epoch" +%Y-%m-%d)\" /" "$HERE/deb/failover-monitor.1" |
    gzip -9n > "$root/usr/share/man/man1/failover-monitor.1.gz"
# A native package (the version has no Debian revision): its changelog is changelog.gz.
{
    printf 'failover-monitor (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Release %s of FailoverMonitor, built from its repository.\n\n' "$version"
    printf ' -- %s  %s\n' "$maintainer" "$(LC_ALL=C date -u -R -d "@$epoch")"
} | gzip -9n > "$doc/changelog.gz"

# ---------------------------------------------------------------- control
for s in preinst postinst prerm postrm; do install -m 755 "$HERE/deb/$s" "$root/DEBIAN/$s"; done
echo "/$PREFIX/tunnels.json" > "$root/DEBIAN/conffiles"
glibc=$(readelf -W --dyn-syms "$exe" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
cat > "$root/DEBIAN/control" <<EOF
Package: failover-monitor
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libc6 (>= ${glibc:-2.34}), libssl3 | libssl3t64, ca-certificates
Section: admin
Priority: optional
Description: Cloudflare Tunnel failover monitor for a standby host
 Runs as a systemd service on a standby host. It pings the gateway, reads each
 configured Cloudflare Tunnel's status and connectors from the Cloudflare API
 and, when a tunnel is down, starts a local backup cloudflared unit; when the
 primary connector is back it stops the backup again. An API failure never
 starts or stops anything.
 .
 It replaces the Python failover_monitor.py script and keeps its configuration
 (/opt/failover-monitor/tunnels.json), log file and unit name.
EOF
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
    > "$root/DEBIAN/md5sums"

mkdir -p "$output"
deb=$output/failover-monitor_${version}_${arch}.deb
find "$root" -exec touch -h -d "@$epoch" {} +
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb.sh: wrote $deb ($(du -h "$deb" | cut -f1))"
