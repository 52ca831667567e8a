#!/usr/bin/env python3
"""Driver of bench/run.sh: runs the published monitor and fake Cloudflare API out of process on loopback and
prints the figures of issue 4. Standard library only. Started by run.sh after it has published both programs.

Every process this script starts is tracked by PID and stopped by PID (SIGTERM, then SIGKILL after a bound);
every wait has a deadline. Network traffic goes to 127.0.0.1 only.
"""

import calendar
import json
import math
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
FAKE_DIR = WORK / "fake"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = 100  # CloudflareTunnelClient.PageSize: tunnels per list call


# ----------------------------------------------------------------------------------------------- settings

def _env(name, default, cast):
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return cast(text)
    except ValueError:
        sys.exit(f"bench: {name}={text!r} is not a valid {cast.__name__}")


QUICK = os.environ.get("BENCH_QUICK", "") == "1"
S = {
    "latency_ms": _env("BENCH_LATENCY_MS", 50, int),
    "interval": _env("BENCH_INTERVAL", 3, int),
    "scenarios": os.environ.get("BENCH_SCENARIOS", "10/1 200/10 1000/50").split(),
    "cycle_warmup": _env("BENCH_CYCLE_WARMUP", 2, int),
    "cycles": _env("BENCH_CYCLES", 4 if QUICK else 15, int),
    "trials": _env("BENCH_TRIALS", 3 if QUICK else 20, int),
    "resource_sizes": os.environ.get("BENCH_RESOURCE_SIZES", "10/10 1000/50").split(),
    "resource_runs": _env("BENCH_RESOURCE_RUNS", 1 if QUICK else 3, int),
    "cpu_start": _env("BENCH_CPU_START_S", 10 if QUICK else 30, float),
    "cpu_window": _env("BENCH_CPU_WINDOW_S", 15 if QUICK else 60, float),
    "steady": _env("BENCH_STEADY_S", 20 if QUICK else 60, float),
    "ready_sizes": os.environ.get("BENCH_READY_SIZES", "10/10 1000/50").split(),
    "ready_runs": _env("BENCH_READY_RUNS", 2 if QUICK else 5, int),
    "phases": os.environ.get("BENCH_PHASES", "cycles,failover,resources,ready").replace(",", " ").split(),
    "builds": os.environ.get("BENCH_BUILDS", "default").split(),
    "tls": bool(os.environ.get("BENCH_PKI")),
    "first_down": os.environ.get("BENCH_FIRST_DOWN", "1") != "0",
    "outage2_trials": _env("BENCH_OUTAGE2_TRIALS", 1 if QUICK else 3, int),
    "soak_cycles": _env("BENCH_SOAK_CYCLES", 2000, int),
    "seed": _env("BENCH_SEED", 4, int),
    "unit_states": os.environ.get("BENCH_UNIT_STATES", "").strip() or "dbus",
    "monitor_env": os.environ.get("BENCH_MONITOR_ENV", "").split(),
    "failover_config": json.loads(os.environ.get("BENCH_FAILOVER_CONFIG", "")
                                  or '{"min_action_interval": 0, "max_actions_per_hour": 1000}'),
}
if S["unit_states"] not in ("dbus", "systemctl"):
    sys.exit(f"bench: BENCH_UNIT_STATES={S['unit_states']!r}: dbus (the default) or systemctl")
DBUS = S["unit_states"] == "dbus"
UNIT_STATES = ("over D-Bus: ListUnitsByNames to a fake systemd on a dbus-daemon of the bench's own, as in production"
               if DBUS else "through the systemctl fallback: one fake 'systemctl show' process per read (BENCH_UNIT_STATES=systemctl)")
# Issue 4's default confirm_delay (the target formula uses it even while the monitor has no such key yet).
CONFIRM_DELAY = _env("BENCH_CONFIRM_DELAY", 1.0, float)




class Build:
    """One published monitor (run.sh's BENCH_BUILDS): bench/.work/monitor-<name>, JIT or NativeAOT."""

    def __init__(self, name):
        self.name = name
        self.dir = WORK / f"monitor-{name}"
        self.exe = self.dir / "failover-monitor"
        args_file = self.dir / ".bench-build-args"
        self.args = args_file.read_text().strip() if args_file.exists() else ""
        # A framework-dependent publish carries the managed assembly beside the app host; NativeAOT does not.
        self.native = not (self.dir / "failover-monitor.dll").exists()
        self.kind = "NativeAOT" if self.native else "JIT"
        self.label = self.kind if name in ("jit", "aot") else f"{name} ({self.kind})"

    def sizes(self):
        """(executable bytes, bytes of everything installed: the folder without symbol files and bench marks)."""
        total = sum(f.stat().st_size for f in self.dir.rglob("*")
                    if f.is_file() and f.suffix not in (".pdb", ".dbg", ".xml") and not f.name.startswith(".bench"))
        return self.exe.stat().st_size, total


BUILDS = [Build(name) for name in S["builds"]]
PKI = Path(os.environ["BENCH_PKI"]) if S["tls"] else None


def tls_context():
    """urllib's context for the fake's admin API: trusts the run's throwaway CA only."""
    return ssl.create_default_context(cafile=str(PKI / "ca.pem")) if PKI else None


# ----------------------------------------------------------------------------------------------- output

class Report:
    """Progress lines go to stdout as they happen; the figures are collected and printed again at the end."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "w", encoding="utf-8")
        self.summary = []

    def line(self, text=""):
        print(text, flush=True)
        self.file.write(text + "\n")
        self.file.flush()

    def progress(self, text):
        self.line(f"  .. {text}")

    def close(self):
        self.file.close()


def rel(path):
    try:
        return str(Path(path).relative_to(REPO))
    except ValueError:
        return str(path)


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def percentile(values, p):
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def median(values):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def dist(values, unit, digits=1):
    if not values:
        return "no samples"
    f = f"{{:.{digits}f}}"
    return (f"p50 {f.format(percentile(values, 50))} {unit}, p95 {f.format(percentile(values, 95))} {unit} "
            f"(n={len(values)}, min {f.format(min(values))}, max {f.format(max(values))})")


_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def iso_ns(text):
    """ISO 8601 time (as System.Text.Json writes it, up to 7 fraction digits) to epoch nanoseconds."""
    m = _ISO.match(text)
    if not m:
        raise ValueError(f"not an ISO time: {text!r}")
    y, mo, d, h, mi, s, frac, zone = m.groups()
    seconds = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s)))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * 1_000_000_000 + int(((frac or "") + "000000000")[:9])


# ----------------------------------------------------------------------------------------------- processes

class Processes:
    """Every child this script starts, so each can be stopped by its own PID and no other."""

    def __init__(self):
        self.children = []

    def start(self, argv, env, log_path, **kw):
        log = open(log_path, "ab")
        try:
            proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    cwd=kw.pop("cwd", WORK), **kw)
        finally:
            log.close()
        self.children.append(proc)
        return proc

    def stop(self, proc, grace=15.0):
        """SIGTERM, wait up to grace seconds, then SIGKILL. Returns the exit code (None if it had to be killed)."""
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
                code = None
            else:
                code = proc.returncode
        else:
            code = proc.returncode
        if proc in self.children:
            self.children.remove(proc)
        return code

    def stop_all(self):
        for proc in list(reversed(self.children)):
            try:
                self.stop(proc, grace=5.0)
            except Exception as e:  # keep stopping the others
                print(f"bench: could not stop PID {proc.pid}: {e}", file=sys.stderr)


PROCS = Processes()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, step=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def dotnet_env():
    """The environment for the published app hosts: DOTNET_ROOT set when dotnet is not in a default location."""
    env = dict(os.environ)
    env.pop("JOURNAL_STREAM", None)  # plain console lines, not journald's format
    env.pop("NOTIFY_SOCKET", None)
    env.pop("Logging__LogLevel__Default", None)
    env["DOTNET_NOLOGO"] = "1"
    env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1"
    if not env.get("DOTNET_ROOT") and os.environ.get("BENCH_DOTNET_ROOT"):
        env["DOTNET_ROOT"] = os.environ["BENCH_DOTNET_ROOT"]
    return env


# ----------------------------------------------------------------------------------------------- the fake API

class Fake:
    def __init__(self, run_dir, name, seed_path, latency_ms):
        self.log_path = run_dir / f"{name}.fake.log"
        self.argv = None
        for _ in range(3):  # a free port can be taken between probing and binding: retry with another
            port = free_port()
            self.url = f"{'https' if PKI else 'http'}://127.0.0.1:{port}"
            self.argv = [str(FAKE_DIR / "fake-cloudflare-api"), "serve", "--urls", self.url,
                         "--latency-ms", str(latency_ms), "--seed", str(seed_path)]
            if PKI:
                self.argv += ["--cert", str(PKI / "server.pem"), "--key", str(PKI / "server.key")]
            self.log_path.write_bytes(b"")
            self.proc = PROCS.start(self.argv, dotnet_env(), self.log_path)
            try:
                wait_until(lambda: self.proc.poll() is not None or b"listening" in self.log_path.read_bytes(),
                           30, "the fake API to listen")
            except TimeoutError:
                PROCS.stop(self.proc)
                raise
            if self.proc.poll() is None:
                return
            PROCS.stop(self.proc)
        raise RuntimeError(f"the fake API did not start; see {rel(self.log_path)}:\n{self.log_path.read_text()[-2000:]}")

    @property
    def command(self):
        return " ".join(rel(a) if a.startswith("/") else a for a in self.argv)

    def admin(self, method, path, body=None, timeout=10):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/_fake" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout, context=tls_context()) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def requests(self):
        return self.admin("GET", "/requests", timeout=30)

    def clear_requests(self):
        self.admin("DELETE", "/requests")

    def stop(self):
        PROCS.stop(self.proc, grace=10)


# ----------------------------------------------------------------------------------------------- scenarios

class Scenario:
    """Seed file for the fake, monitor config, and the fake systemctl's unit directory for T tunnels over A accounts."""

    def __init__(self, run_dir, name, tunnels, accounts, interval):
        self.dir = run_dir / name
        self.dir.mkdir(parents=True)
        self.name, self.tunnels, self.accounts, self.interval = name, tunnels, accounts, interval
        self.unit_dir = self.dir / "units"
        self.unit_dir.mkdir()
        self.systemctl_log = self.dir / "systemctl.log"
        self.systemctl_log.write_bytes(b"")
        self.monitor_log = self.dir / "monitor.log"  # the monitor's own file log (INFO)
        self.ids = []
        seed, config_tunnels = [], []
        for i in range(tunnels):
            a = i % accounts
            account = f"{0xbe0c0000 + a:032x}"
            tunnel_id = f"00000000-0000-4000-8000-{i + 1:012x}"
            token = f"bench-token-{a:03d}"
            unit = f"bench-backup-{i + 1:04d}"
            self.ids.append((tunnel_id, unit))
            seed.append({"account_id": account, "tunnel_id": tunnel_id, "name": f"bench-{i + 1:04d}",
                         "token": token, "connectors": ["primary"]})
            config_tunnels.append({"name": f"bench-{i + 1:04d}", "account_id": account, "tunnel_id": tunnel_id,
                                   "token": token, "service": unit})
            (self.unit_dir / f"{unit}.tunnel").write_text(tunnel_id)
        self.seed_path = self.dir / "seed.json"
        self.seed_path.write_text(json.dumps({"tunnels": seed}))
        self.config_tunnels = config_tunnels
        self.config_path = self.dir / "tunnels.json"
        # With BENCH_UNIT_STATES=systemctl the monitor is pointed at a socket no one listens on, so it falls back to
        # systemctl even on a host whose systemd would answer (and know nothing of the bench's units).
        self.bus = SystemdBus(self) if DBUS else None
        self.bus_address = self.bus.address if self.bus else f"unix:path={self.dir / 'no-bus'}"

    def close(self):
        """Stops the scenario's bus and fake systemd (the monitor and the fake API are stopped by their owners)."""
        if self.bus:
            self.bus.stop()

    def write_config(self, api_url, extra=None):
        config = {"gateway_ip": "127.0.0.1", "check_interval": self.interval, "log_file": str(self.monitor_log),
                  "state_file": str(self.dir / "state.json"),
                  "api_base_url": f"{api_url}/client/v4/", **(extra or {}), "tunnels": self.config_tunnels}
        self.config_path.write_text(json.dumps(config, indent=1))
        os.chmod(self.config_path, 0o600)

    def calls_per_cycle_per_token(self):
        """Steady-state calls the batched design needs per account/token and cycle: one single-tunnel call for a
        lone tunnel, else one list call per page of PAGE_SIZE."""
        per_account = math.ceil(self.tunnels / self.accounts)
        return 1 if per_account == 1 else math.ceil(per_account / PAGE_SIZE)


class SystemdBus:
    """A private D-Bus bus (dbus-daemon --session) with the fake systemd on it (fake-cloudflare-api fake-systemd): it
    answers ListUnitsByNames from the scenario's unit directory, the one the fake systemctl keeps, and appends
    "<epoch ns> ListUnitsByNames <units>" to the scenario's systemctl log per call. Both are started by this script,
    outside the monitor's cgroup, as PID 1 and the system bus are outside the unit in production."""

    SOCKET_MAX = 107  # sockaddr_un.sun_path, less the terminating NUL

    def __init__(self, sc):
        socket_path = sc.dir / "bus"
        if len(bytes(socket_path)) > self.SOCKET_MAX:  # a deep checkout: a shorter name under bench/.work
            socket_path = WORK / "bus" / f"{os.getpid()}-{sc.name}"
            socket_path.parent.mkdir(exist_ok=True)
            if len(bytes(socket_path)) > self.SOCKET_MAX:
                raise RuntimeError(f"the bus socket path {socket_path} is longer than {self.SOCKET_MAX} bytes: move "
                                   f"the checkout, or BENCH_UNIT_STATES=systemctl")
        self.address = f"unix:path={socket_path}"
        self.daemon_log, self.systemd_log = sc.dir / "dbus-daemon.log", sc.dir / "fake-systemd.log"
        self.daemon = PROCS.start(["dbus-daemon", "--session", "--nofork", "--nopidfile", f"--address={self.address}",
                                   "--print-address"], dict(os.environ), self.daemon_log)
        self.systemd = None
        self._wait(self.daemon, self.daemon_log, b"unix:path=", "dbus-daemon to listen")
        self.systemd = PROCS.start([str(FAKE_DIR / "fake-cloudflare-api"), "fake-systemd", "--bus", self.address,
                                    "--unit-dir", str(sc.unit_dir), "--log", str(sc.systemctl_log)],
                                   dotnet_env(), self.systemd_log)
        self._wait(self.systemd, self.systemd_log, b"listening", "the fake systemd to own org.freedesktop.systemd1")

    def _wait(self, proc, log, marker, what):
        try:
            wait_until(lambda: proc.poll() is not None or marker in log.read_bytes(), 30, what)
        except TimeoutError:
            self.stop()
            raise
        if proc.poll() is not None:
            self.stop()
            raise RuntimeError(f"waiting for {what}: it exited with code {proc.returncode}; see {rel(log)}:\n"
                               + log.read_text(errors="replace")[-2000:])

    def cpu_s(self):
        """CPU seconds (utime+stime) so far of the fake systemd and of dbus-daemon."""
        return proc_stat(self.systemd.pid)[0], proc_stat(self.daemon.pid)[0]

    def stop(self):
        for proc in (self.systemd, self.daemon):
            if proc:
                PROCS.stop(proc, grace=10)


DBUS_CALL = "ListUnitsByNames"


def unit_state_calls(log_text):
    """(systemctl processes, D-Bus ListUnitsByNames calls) among the lines of a scenario's systemctl log."""
    verbs = [line.split()[1] for line in log_text.splitlines() if len(line.split()) >= 3]
    dbus = verbs.count(DBUS_CALL)
    return len(verbs) - dbus, dbus


class Monitor:
    """The published monitor with the fake systemctl first on its PATH; console output to a file."""

    CYCLE = re.compile(rb"Cycle finished in ([0-9.]+) ms")

    def __init__(self, scenario, fake, debug, label, notify_socket=None, build=None, cgroup=False):
        self.scenario = scenario
        self.build = build or BUILDS[0]
        self.console = scenario.dir / f"{label}.console.log"
        self.console.write_bytes(b"")
        env = dotnet_env()
        env["PATH"] = f"{WORK / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
        env["BENCH_UNIT_DIR"] = str(scenario.unit_dir)
        env["BENCH_SYSTEMCTL_LOG"] = str(scenario.systemctl_log)
        env["BENCH_FAKE_URL"] = fake.url
        env["FAILOVER_MONITOR_DBUS_ADDRESS"] = scenario.bus_address
        shown = [f"PATH={rel(WORK / 'bin')}:$PATH", f"FAILOVER_MONITOR_DBUS_ADDRESS=unix:path={rel(scenario.bus_address[len('unix:path='):])}"]
        if PKI:
            env["SSL_CERT_FILE"] = str(PKI / "trust.pem")
            if os.environ.get("BENCH_TRUST_SYSTEM") == "0":
                env["SSL_CERT_DIR"] = str(PKI / "no-system-roots")  # an empty directory: the run's CA only
            env["BENCH_FAKE_CA"] = str(PKI / "ca.pem")  # for the fake systemctl's curl
            shown.append("SSL_CERT_FILE=<system bundle + the run's CA>")
        if debug:
            env["Logging__LogLevel__Default"] = "Debug"
            shown.append("Logging__LogLevel__Default=Debug")
        for pair in S["monitor_env"]:
            name, _, value = pair.partition("=")
            env[name] = value
            shown.append(pair)
        if notify_socket:
            env["NOTIFY_SOCKET"] = str(notify_socket)
            shown.append(f"NOTIFY_SOCKET={rel(notify_socket)}")
        self.argv = [str(self.build.exe), "--config", str(scenario.config_path)]
        self.command = " ".join(shown + [rel(a) for a in self.argv])
        self.env = env
        self.started_ns = time.monotonic_ns()
        # Its own cgroup, entered before exec: the CPU of everything it starts is counted, waited for or not.
        self.cgroup = CpuGroup.create(f"{label}-{scenario.name}") if cgroup else None
        self.proc = PROCS.start(self.argv, env, self.console,
                                **({"preexec_fn": self.cgroup.enter} if self.cgroup else {}))
        self._offset = 0
        self._partial = b""
        self.cycles = []  # (monotonic ns when seen, ms)

    @property
    def pid(self):
        return self.proc.pid

    def poll_console(self):
        """Reads new console output; returns the number of cycle lines seen so far."""
        with open(self.console, "rb") as f:
            f.seek(self._offset)
            chunk = f.read()
        if chunk:
            self._offset += len(chunk)
            data = self._partial + chunk
            lines = data.split(b"\n")
            self._partial = lines.pop()
            now = time.monotonic_ns()
            for line in lines:
                m = self.CYCLE.search(line)
                if m:
                    self.cycles.append((now, float(m.group(1))))
        if self.proc.poll() is not None:
            raise RuntimeError(f"the monitor exited with code {self.proc.returncode}; see {rel(self.console)}:\n"
                               + self.console.read_text(errors="replace")[-3000:])
        return len(self.cycles)

    def wait_cycles(self, count, timeout):
        wait_until(lambda: self.poll_console() >= count, timeout, f"{count} finished cycles (Debug line 43)")

    # The monitor's own word on how it reads unit states (Log.UnitStates: events 220 bus, 221 fallback from the
    # start, 222 bus failed, 223 bus back); the console shows the message without the event id.
    UNIT_STATES_BUS = re.compile(r"Unit states: read through D-Bus [^\n]*")
    UNIT_STATES_FALLBACK = re.compile(r"Unit states: read with [^\n]*")
    UNIT_STATES_FAILED = re.compile(r"Unit states: D-Bus [^\n]* failed [^\n]*")

    def check_unit_states(self, timeout=10):
        """Waits for the monitor's line on how it reads unit states and returns it; raises when it is not the path
        this run means to measure (BENCH_UNIT_STATES), or when the bus failed later on: no silent fallback."""
        want, other = ((self.UNIT_STATES_BUS, self.UNIT_STATES_FALLBACK) if DBUS
                       else (self.UNIT_STATES_FALLBACK, self.UNIT_STATES_BUS))

        def seen():
            text = self.console.read_text(errors="replace")
            return (want.search(text) or other.search(text), self.UNIT_STATES_FAILED.search(text))
        try:
            wait_until(lambda: seen()[0], timeout, "the monitor's line on how it reads unit states")
        except TimeoutError:
            raise RuntimeError(f"the monitor did not say how it reads unit states (Log.UnitStates); see {rel(self.console)}") from None
        line, failed = seen()
        if not want.match(line.group(0)) or failed:
            raise RuntimeError(f"BENCH_UNIT_STATES={S['unit_states']}, but the monitor says: "
                               f"{(failed or line).group(0)}; see {rel(self.console)}")
        return line.group(0)

    def stop(self):
        code = PROCS.stop(self.proc, grace=15)
        if self.cgroup:
            self.cgroup.remove()
        return code


class CpuGroup:
    """A cgroup v2 directory under this script's own cgroup (bench-<our pid>-<name>): cpu.stat's usage_usec counts
    the CPU of every process in it, children included whether or not they were waited for, as systemd counts a
    unit's CPUUsageNSec. None where no writable cgroup2 hierarchy is mounted (not root, or cgroup v1 only)."""

    @staticmethod
    def create(name):
        try:
            mnt = next(line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
                       if line.split(" - ")[1].split()[0] == "cgroup2")
            own = next(line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::"))
            path = Path(mnt + own.rstrip("/")) / f"bench-{os.getpid()}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"
            path.mkdir()
            return CpuGroup(path)
        except (StopIteration, OSError, IndexError):
            return None

    def __init__(self, path):
        self.path = path

    def enter(self):
        """Runs in the child between fork and exec."""
        (self.path / "cgroup.procs").write_text("0")

    def usage_s(self):
        for line in (self.path / "cpu.stat").read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
        return float("nan")

    def remove(self):
        for _ in range(50):  # children (a systemctl started late) may still be leaving
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)


def proc_stat(pid):
    """(utime+stime, cutime+cstime) in seconds from /proc/PID/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): utime is field 14 -> index 11
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / CLK_TCK, (cutime + cstime) / CLK_TCK


def proc_status(pid):
    """VmRSS, VmHWM, RssAnon, RssFile, RssShmem (KiB), Threads from /proc/PID/status, and FDs (open descriptors)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "Threads"):
            values[key] = int(value.split()[0])
    values["FDs"] = len(os.listdir(f"/proc/{pid}/fd"))
    return values


def smaps_top(pid, count=8):
    """The biggest mappings by resident size from /proc/PID/smaps: [(name, KiB)], file mappings by file name,
    anonymous ones as [anon] (GC heap, native heap, thread stacks), [heap], [stack]."""
    sizes, name = {}, None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if head and re.match(r"^[0-9a-f]+-[0-9a-f]+$", head[0]):
            name = os.path.basename(head[5]) if len(head) > 5 and head[5].startswith("/") else (
                head[5] if len(head) > 5 else "[anon]")
        elif head and head[0] == "Rss:" and name is not None:
            sizes[name] = sizes.get(name, 0) + int(head[1])
    return sorted(sizes.items(), key=lambda x: -x[1])[:count]


# What every failover trial logs on purpose: the monitor's ERROR "Tunnel X is down. Starting local service Y (...)"
# and WARNING "Tunnel X failed over: local service Y is active".
FAILOVER_LINES = (r"^Tunnel \S+ is down\. Starting local service ", r"^Tunnel \S+ failed over: local service ")


def log_problems(paths, expected=()):
    """WARNING-and-worse console lines ([WARNING], [ERROR], [CRITICAL], as the monitor's console and log file write
    them), grouped by message with the time stripped; lines matching one of the regular expressions in `expected`
    are left out."""
    counts = {}
    pattern = re.compile(r"^\S+ \S+ \[(WARNING|ERROR|CRITICAL)\] (.*)$")
    for path in paths:
        try:
            text = Path(path).read_text(errors="replace")
        except FileNotFoundError:
            continue
        for line in text.splitlines():
            m = pattern.match(line)
            if m is None:
                if re.search(r"\b(Unhandled exception|Exception:)", line):
                    counts[("exception", line.strip()[:200])] = counts.get(("exception", line.strip()[:200]), 0) + 1
                continue
            level, message = m.groups()
            if any(re.search(e, message) for e in expected):
                continue
            message = re.sub(r"bench-backup-\d{4}", "bench-backup-NNNN", message)
            message = re.sub(r"bench-\d{4}", "bench-NNNN", message)
            message = re.sub(r"bench-NNNN(, bench-NNNN)+", lambda m: f"bench-NNNN x{m.group(0).count(',') + 1}", message)
            message = re.sub(r"\d{2}:\d{2}:\d{2}", "hh:mm:ss", message)
            key = (level, message[:300])
            counts[key] = counts.get(key, 0) + 1
    return counts


# ----------------------------------------------------------------------------------------------- phases

class Bench:
    def __init__(self, report, run_dir):
        self.r = report
        self.run_dir = run_dir
        self.results = {}
        self.problems = {}

    def note_problems(self, phase, paths, expected=()):
        found = log_problems(paths, expected)
        if found:
            self.problems[phase] = found

    # --- cycle time and requests per cycle -----------------------------------------------------------------
    def cycles(self):
        r = self.r
        r.line("")
        r.line(f"== Cycle wall time and API requests per cycle (latency {S['latency_ms']} ms, "
               f"check_interval {S['interval']} s, {S['cycles']} cycles measured after {S['cycle_warmup']} warm-up) ==")
        for spec in S["scenarios"]:
            tunnels, accounts = (int(x) for x in spec.split("/"))
            self.cycle_scenario(tunnels, accounts)

    def cycle_scenario(self, tunnels, accounts):
        r = self.r
        name = f"cycles-{tunnels}x{accounts}"
        sc = Scenario(self.run_dir, name, tunnels, accounts, S["interval"])
        fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
        sc.write_config(fake.url)
        mon = Monitor(sc, fake, debug=True, label="monitor")
        r.line("")
        r.line(f"-- {tunnels} tunnels / {accounts} account(s)")
        r.line(f"   $ {fake.command}")
        r.line(f"   $ {mon.command}")
        try:
            warm = S["cycle_warmup"]
            # Generous bounds: a cycle that overruns the interval is a finding, not a reason to hang.
            mon.wait_cycles(warm, 60 + warm * max(S["interval"], 20))
            # The window opens right after cycle `warm` finished and closes right after cycle warm+N finished, so the
            # requests recorded in between belong to exactly N cycles.
            fake.clear_requests()
            ctl_start = sc.systemctl_log.stat().st_size
            t0 = time.monotonic()
            mon.wait_cycles(warm + S["cycles"], 60 + S["cycles"] * max(S["interval"], 20))
            requests = fake.requests()
            t1 = time.monotonic()
            ctl_text = sc.systemctl_log.read_bytes()[ctl_start:].decode()
            ctl_lines, dbus_calls = unit_state_calls(ctl_text)
            rss = proc_status(mon.pid).get("VmRSS")
            load = loadavg()
            how = mon.check_unit_states()
        finally:
            code = mon.stop()
            fake.stop()
            sc.close()
        window = t1 - t0
        n = S["cycles"]
        times = [ms for _, ms in mon.cycles[warm:warm + n]]
        first = mon.cycles[0][1] if mon.cycles else float("nan")
        kinds = {}
        per_token = {}
        for q in requests:
            path = q["path"]
            kind = ("connections" if path.endswith("/connections") else
                    "list" if path.endswith("/cfd_tunnel") else
                    "single-tunnel" if "/cfd_tunnel/" in path else "other")
            kinds[kind] = kinds.get(kind, 0) + 1
            per_token[q.get("token")] = per_token.get(q.get("token"), 0) + 1
        per_cycle = len(requests) / n
        rate5 = {t: c / window * 300 for t, c in per_token.items()}
        computed = sc.calls_per_cycle_per_token() * 300 / S["interval"]
        r.line(f"   cycle wall time: {dist(times, 'ms')}; first (cold) cycle {first:.1f} ms")
        r.line(f"   API requests: {len(requests)} in {n} cycles = {per_cycle:.2f} per cycle, "
               f"{per_cycle / accounts:.2f} per account per cycle "
               f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
        r.line(f"   requests per 5 min per token: measured {median(rate5.values()):.0f} (median of {len(rate5)} token(s),"
               f" max {max(rate5.values()) if rate5 else float('nan'):.0f}) over a {window:.1f} s window; "
               f"computed {computed:.0f} (= {sc.calls_per_cycle_per_token()} call(s) per cycle x 300 s / {S['interval']} s); "
               f"one call per tunnel would be {math.ceil(tunnels / accounts) * 300 / S['interval']:.0f}")
        spans = call_spans("\n".join(x for x in ctl_text.splitlines() if DBUS_CALL not in x), S["interval"] / 2)
        span_text = f", spanning {dist(spans, 'ms')} of a cycle" if ctl_lines else ""
        r.line(f"   the monitor logged: {how}")
        r.line(f"   systemctl calls: {ctl_lines / n:.1f} per cycle (one process each){span_text}; D-Bus ListUnitsByNames "
               f"calls: {dbus_calls / n:.1f} per cycle; load average (1 min) at the end {load}")
        r.line(f"   "
               f"VmRSS at the end {rss / 1024 if rss else float('nan'):.1f} MiB (Debug console logging on); "
               f"exit code after SIGTERM {code}")
        self.results[f"cycle {tunnels}/{accounts}"] = {
            "p50": percentile(times, 50), "p95": percentile(times, 95), "n": len(times),
            "per_cycle": per_cycle, "per_account": per_cycle / accounts, "kinds": kinds,
            "per5min_token_measured": median(rate5.values()) if rate5 else float("nan"),
            "per5min_token_max": max(rate5.values()) if rate5 else float("nan"),
            "per5min_token_computed": computed, "systemctl_per_cycle": ctl_lines / n,
            "dbus_per_cycle": dbus_calls / n, "tunnels": tunnels,
            "accounts": accounts, "load": load}
        self.note_problems(name, [mon.console])

    # --- failover latency ----------------------------------------------------------------------------------
    def failover(self):
        r = self.r
        r.line("")
        r.line(f"== Failover latency: primary connector removed in the fake API -> fake systemctl 'start' "
               f"({S['trials']} trials per series, 1 tunnel, check_interval {S['interval']} s, latency {S['latency_ms']} ms, "
               f"{'HTTPS' if PKI else 'plain HTTP'}, build {BUILDS[0].label}) ==")
        # The flap guard (min_action_interval, default 30 s) and the hold (max_actions_per_hour, default 10) are there
        # for a flapping tunnel; back-to-back trials are one, so both are opened up here. A first outage is held by
        # neither, so the latency measured is that of a first outage. A key this monitor does not know is dropped.
        base = dict(S["failover_config"])
        series = [("default thresholds", "failover", base)]
        if S["first_down"]:
            # The Python original's rule, measured with the same monitor: act on the first 'down' seen.
            series.append(("first-down rule (failure_threshold 1, confirm_delay 0)", "failover-first-down",
                           dict(base, failure_threshold=1, confirm_delay=0)))
        for label, name, extra in series if S["trials"] > 0 else []:
            self.failover_series(label, name, extra)
        self.failover_comparison()
        if S["outage2_trials"] > 0:
            self.second_outage()

    def start_monitor(self, sc, fake, extra, label="monitor"):
        """Starts the monitor with the extra config keys, dropping (and saying so) the ones it rejects as unknown.
        Returns (monitor, the keys kept) once its first cycle finished."""
        sc.write_config(fake.url, extra)
        mon = Monitor(sc, fake, debug=True, label=label)
        for attempt in range(len(extra) + 1):
            wait_until(lambda: mon.proc.poll() is not None or b"Cycle finished" in mon.console.read_bytes(), 60,
                       "the monitor's first cycle")
            if mon.proc.poll() != 78:
                break
            console = mon.console.read_text(errors="replace")
            unknown = [k for k in extra if re.search(rf"\$\.{re.escape(k)}: unknown key", console)]
            if not unknown:
                raise RuntimeError(f"the monitor refused the config (exit 78); see {rel(mon.console)}:\n{console[-2000:]}")
            self.r.progress(f"this monitor has no {', '.join(unknown)} key: running without it")
            PROCS.stop(mon.proc)
            extra = {k: v for k, v in extra.items() if k not in unknown}
            sc.write_config(fake.url, extra)
            mon = Monitor(sc, fake, debug=True, label=f"{label}{attempt + 2}")
        return mon, extra

    def failover_series(self, label, name, extra):
        r = self.r
        sc = Scenario(self.run_dir, name, 1, 1, S["interval"])
        fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
        mon, extra = self.start_monitor(sc, fake, extra)
        r.line("")
        r.line(f"-- {label}")
        r.line(f"   $ {fake.command}")
        r.line(f"   $ {mon.command}")
        r.line(f"   config: {json.dumps(extra) if extra else 'defaults'} besides gateway_ip, check_interval, log_file, api_base_url")
        r.line(f"   each trial: sleep U(0.5, {S['interval'] + 0.5:.1f}) s (random phase against the cycle), "
               f"DELETE /_fake/tunnels/T/connectors/primary, wait for 'start'; then PUT it back and wait for the "
               f"monitor's failback ('stop')")
        rng = random.Random(S["seed"])  # the same phases in every series
        latencies, failbacks, skew = [], [], []
        failure = None
        try:
            mon.wait_cycles(2, 60)
            for trial in range(S["trials"]):
                try:
                    self.trial(sc, fake, mon, rng, latencies, failbacks, skew)
                except TimeoutError as e:
                    failure = f"trial {trial + 1} stopped the series: {e}; see {rel(mon.console)}"
                    r.line(f"   !! {failure}")
                    break
                r.progress(f"trial {trial + 1}/{S['trials']}: failover {latencies[-1]:.2f} s, failback {failbacks[-1]:.2f} s")
            r.line(f"   the monitor logged: {mon.check_unit_states()}")
        finally:
            code = mon.stop()
            fake.stop()
            sc.close()
        r.line(f"   failover latency: {dist(latencies, 's', 2)}; load average (1 min) at the end {loadavg()}")
        r.line(f"   failback (primary back -> 'stop', recovery_threshold 3; informative): {dist(failbacks, 's', 2)}")
        r.line(f"   (down time = the fake's conns_inactive_at; it lay {median(skew):.1f} ms after the bench sent DELETE, median; "
               f"monitor exit code after SIGTERM {code})")
        self.results[name] = {"label": label, "p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                              "n": len(latencies), "failure": failure, "failback_p50": percentile(failbacks, 50),
                              "confirm_delay": extra.get("confirm_delay", CONFIRM_DELAY), "load": loadavg()}
        # The ERROR "is down. Starting" and the WARNING "failed over" are the expected lines of every trial.
        self.note_problems(name, list(sc.dir.glob("monitor*.console.log")), expected=FAILOVER_LINES)

    def failover_comparison(self):
        r, res = self.r, self.results
        if "failover" not in res:
            return
        d = res["failover"]
        target = S["interval"] + CONFIRM_DELAY + 0.5
        r.line("")
        r.line(f"   target: p95 <= check_interval + confirm_delay + 0.5 s = {target:.1f} s: "
               f"{'meets' if d['p95'] <= target else 'MISSES'} ({d['p95']:.2f} s)")
        if "failover-first-down" in res:
            f = res["failover-first-down"]
            loss50, loss95 = d["p50"] - f["p50"], d["p95"] - f["p95"]
            ok = max(loss50, loss95) <= CONFIRM_DELAY
            r.line(f"   against the first-down rule at the same interval (measured, same trial phases): p50 {f['p50']:.2f} s, "
                   f"p95 {f['p95']:.2f} s; loss of the default thresholds p50 {loss50:+.2f} s, p95 {loss95:+.2f} s; "
                   f"target: no loss beyond confirm_delay {CONFIRM_DELAY:g} s: {'meets' if ok else 'MISSES'}")

    def second_outage(self):
        """Failover, failback, then the primary dies again 5 s after the failback: the time the tunnel is dark."""
        r = self.r
        sc = Scenario(self.run_dir, "second-outage", 1, 1, S["interval"])
        fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
        # Default flap guard (min_action_interval 30 s): it is what a second outage meets. Only the hourly cap is
        # opened up, so that several trials (4 actions each) do not put the tunnel on hold.
        mon, extra = self.start_monitor(sc, fake, {"max_actions_per_hour": 1000})
        tunnel_id, unit = sc.ids[0]
        r.line("")
        r.line(f"-- second outage ({S['outage2_trials']} trial(s)): primary down -> 'start'; primary back -> the monitor's "
               f"'stop'; 5 s later the primary dies again -> 'start' (the downtime)")
        r.line(f"   $ {mon.command}")
        r.line(f"   config: {json.dumps(extra)} besides gateway_ip, check_interval, log_file, api_base_url "
               f"(default thresholds and flap guard)")
        downs, firsts, failure = [], [], None
        try:
            mon.wait_cycles(2, 60)
            for trial in range(S["outage2_trials"]):
                try:
                    first = self.outage(sc, fake, mon)
                    self.restore(sc, fake, mon, 120)
                    time.sleep(5)
                    second = self.outage(sc, fake, mon)
                    self.restore(sc, fake, mon, 120)
                except TimeoutError as e:
                    failure = f"trial {trial + 1} stopped: {e}; see {rel(mon.console)}"
                    r.line(f"   !! {failure}")
                    break
                firsts.append(first)
                downs.append(second)
                r.progress(f"trial {trial + 1}: first outage {first:.2f} s, second outage {second:.2f} s dark")
            r.line(f"   the monitor logged: {mon.check_unit_states()}")
        finally:
            code = mon.stop()
            fake.stop()
            sc.close()
        bound = 2 * S["interval"] + 3  # the e2e's bound: failure_threshold x check_interval + 3 s
        r.line(f"   second outage dark for: {dist(downs, 's', 2)} (first outage: {dist(firsts, 's', 2)}); bound "
               f"failure_threshold x check_interval + 3 s = {bound:.0f} s: "
               f"{'meets' if downs and max(downs) <= bound else 'MISSES'}; load average (1 min) {loadavg()}; exit code {code}")
        self.results["second-outage"] = {"median": median(downs), "max": max(downs) if downs else float("nan"),
                                         "n": len(downs), "bound": bound, "first": median(firsts), "failure": failure}
        self.note_problems("second-outage", list(sc.dir.glob("monitor*.console.log")), expected=FAILOVER_LINES)

    def outage(self, sc, fake, mon, timeout=90, skew=None):
        """Removes the primary and waits for 'start': seconds from the fake's down time (conns_inactive_at) to the
        start. skew, when given, gets the ms from sending DELETE to that down time."""
        tunnel_id, unit = sc.ids[0]
        offset = sc.systemctl_log.stat().st_size
        before = time.time_ns()
        snap = fake.admin("DELETE", f"/tunnels/{tunnel_id}/connectors/primary")
        down_ns = iso_ns(snap["conns_inactive_at"]) if snap.get("conns_inactive_at") else before
        if skew is not None:
            skew.append((down_ns - before) / 1e6)
        return (self.wait_verb(sc, offset, "start", unit, timeout, mon) - down_ns) / 1e9

    def restore(self, sc, fake, mon, timeout):
        """Puts the primary back and waits for the monitor's failback ('stop'); seconds from back to the stop."""
        tunnel_id, unit = sc.ids[0]
        offset = sc.systemctl_log.stat().st_size
        console_at = mon.console.stat().st_size
        fake.admin("PUT", f"/tunnels/{tunnel_id}/connectors/primary?connections=4")
        back_ns = time.time_ns()
        stop_ns = self.wait_verb(sc, offset, "stop", unit, timeout, mon)
        # Let the monitor read the unit back after the stop before anything else happens.
        wait_until(lambda: b"restored" in mon.console.read_bytes()[console_at:] or mon.proc.poll() is not None,
                   15, "the monitor's failback line (event 24)")
        return (stop_ns - back_ns) / 1e9

    def trial(self, sc, fake, mon, rng, latencies, failbacks, skew):
        """One outage at a random phase: remove the primary, wait for 'start'; put it back, wait for the failback."""
        time.sleep(rng.uniform(0.5, S["interval"] + 0.5))
        latencies.append(self.outage(sc, fake, mon, 60, skew))
        failbacks.append(self.restore(sc, fake, mon, 120))

    @staticmethod
    def wait_verb(sc, offset, verb, unit, timeout, mon):
        def find():
            mon.poll_console()
            with open(sc.systemctl_log, "rb") as f:
                f.seek(offset)
                for line in f.read().decode().splitlines():
                    parts = line.split()
                    if len(parts) >= 3 and parts[1] == verb and parts[2] == unit:
                        return int(parts[0])
            return None
        return wait_until(find, timeout, f"fake systemctl '{verb} {unit}'")

    # --- steady RSS and CPU --------------------------------------------------------------------------------
    def resources(self):
        r = self.r
        end = max(S["cpu_start"] + S["cpu_window"], S["steady"])
        r.line("")
        r.line(f"== Steady RSS and CPU of the whole monitor ({'HTTPS' if PKI else 'plain HTTP'}, default logging, "
               f"check_interval {S['interval']} s, latency {S['latency_ms']} ms; {' and '.join(b.label for b in BUILDS)} "
               f"started together, each with its own fake; {S['resource_runs']} run(s) per size, medians over the runs; "
               f"CPU over [{S['cpu_start']:.0f} s, {S['cpu_start'] + S['cpu_window']:.0f} s] after start; RSS the median of "
               f"5-s samples from {S['steady']:.0f} s to {end:.0f} s) ==")
        for spec in S["resource_sizes"]:
            tunnels, accounts = parse_size(spec)
            r.line("")
            r.line(f"-- {tunnels} tunnels / {accounts} account(s)")
            runs = {b.name: [] for b in BUILDS}
            for run in range(S["resource_runs"]):
                for name, figures in self.resource_run(tunnels, accounts, run).items():
                    runs[name].append(figures)
            for b in BUILDS:
                agg = {k: median([x[k] for x in runs[b.name]]) for k in runs[b.name][0] if k != "maps"}
                r.line(f"   {b.label}: steady VmRSS {agg['rss']:.1f} MiB = RssAnon {agg['anon']:.1f} + RssFile "
                       f"{agg['file']:.1f} + RssShmem {agg['shmem']:.1f} MiB (VmHWM {agg['hwm']:.1f} MiB); "
                       f"{agg['threads']:.0f} threads, {agg['fds']:.0f} fds")
                r.line(f"   {b.label}: biggest resident mappings at the end of the last run: "
                       + ", ".join(f"{n} {kib / 1024:.1f}" for n, kib in runs[b.name][-1]["maps"]) + " MiB")
                r.line(f"   {b.label}: CPU of the whole unit {agg['unit_h']:.1f} s per hour (the daemon {agg['self_h']:.1f} s, "
                       f"the child processes it waited for {agg['child_h']:.1f} s; {agg['ctl_per_cycle']:.1f} systemctl "
                       f"process(es) and {agg['dbus_per_cycle']:.1f} D-Bus ListUnitsByNames call(s) per cycle)")
                if DBUS:
                    r.line(f"   {b.label}: outside the unit, as PID 1 and the system bus are in production (not in the "
                           f"figure above): fake systemd {agg['systemd_h']:.1f} s + dbus-daemon {agg['bus_h']:.1f} s "
                           f"per hour (the fake is a JIT .NET process: no measure of what PID 1 spends)")
                self.results[f"resources {tunnels}/{accounts} {b.name}"] = dict(agg, runs=len(runs[b.name]),
                                                                              tunnels=tunnels, accounts=accounts)

    def resource_run(self, tunnels, accounts, run):
        """One run per build, all started together: {build name: figures}."""
        r = self.r
        end = max(S["cpu_start"] + S["cpu_window"], S["steady"])
        started = []
        try:
            for b in BUILDS:
                sc = Scenario(self.run_dir, f"resources-{tunnels}x{accounts}-{b.name}-{run + 1}", tunnels, accounts,
                              S["interval"])
                fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
                started.append((b, sc, fake, None))
                sc.write_config(fake.url)
                mon = Monitor(sc, fake, debug=False, label="monitor", build=b, cgroup=True)
                started[-1] = (b, sc, fake, mon)
                if run == 0:
                    r.line(f"   $ {fake.command}")
                    if sc.bus:
                        r.line(f"   $ dbus-daemon --session --nofork --nopidfile --address={sc.bus.address} --print-address; "
                               f"{rel(FAKE_DIR / 'fake-cloudflare-api')} fake-systemd --bus {sc.bus.address} "
                               f"--unit-dir {rel(sc.unit_dir)} --log {rel(sc.systemctl_log)}")
                    r.line(f"   $ {mon.command}")
            t_start = time.monotonic()

            def at(seconds):
                delay = t_start + seconds - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                for _, _, _, mon in started:
                    if mon.proc.poll() is not None:
                        raise RuntimeError(f"the monitor exited with code {mon.proc.returncode}; see {rel(mon.console)}")

            def cpu(sc, mon):
                own, children = proc_stat(mon.pid)
                outside = sc.bus.cpu_s() if sc.bus else (0.0, 0.0)
                return own, children, mon.cgroup.usage_s() if mon.cgroup else own + children, time.monotonic(), outside

            def calls(sc):
                return unit_state_calls(sc.systemctl_log.read_text())

            at(S["cpu_start"])
            hows = {b.name: mon.check_unit_states() for b, _, _, mon in started}
            cpu0 = {b.name: cpu(sc, mon) for b, sc, _, mon in started}
            ctl0 = {b.name: calls(sc) for b, sc, _, _ in started}
            cpu1, ctl1, samples = {}, {}, {b.name: [] for b in BUILDS}
            for mark in sorted({S["cpu_start"] + S["cpu_window"]} | set(frange(S["steady"], end, 5.0))):
                at(mark)
                for b, sc, _, mon in started:
                    if mark >= S["steady"]:
                        samples[b.name].append(proc_status(mon.pid))
                    if b.name not in cpu1 and mark >= S["cpu_start"] + S["cpu_window"]:
                        cpu1[b.name] = cpu(sc, mon)
                        ctl1[b.name] = calls(sc)
            for b, _, _, mon in started:  # no fallback since the first check either
                mon.check_unit_states()
            maps = {b.name: smaps_top(mon.pid) for b, _, _, mon in started}
        finally:
            codes = {}
            for b, sc, fake, mon in started:
                codes[b.name] = mon.stop() if mon else None
                fake.stop()
                sc.close()
        figures, shown = {}, []
        for b, sc, _, mon in started:
            (o0, c0, u0, w0, (s0, d0)), (o1, c1, u1, w1, (s1, d1)) = cpu0[b.name], cpu1[b.name]
            per_h = 3600 / (w1 - w0)
            cycles = (w1 - w0) / S["interval"]
            last = samples[b.name][-1]
            figures[b.name] = {
                "rss": median([x["VmRSS"] for x in samples[b.name]]) / 1024,
                "anon": last.get("RssAnon", 0) / 1024, "file": last.get("RssFile", 0) / 1024,
                "shmem": last.get("RssShmem", 0) / 1024, "hwm": last.get("VmHWM", 0) / 1024,
                "threads": last["Threads"], "fds": last["FDs"],
                "self_h": (o1 - o0) * per_h, "child_h": (c1 - c0) * per_h, "unit_h": (u1 - u0) * per_h,
                "ctl_per_cycle": (ctl1[b.name][0] - ctl0[b.name][0]) / cycles,
                "dbus_per_cycle": (ctl1[b.name][1] - ctl0[b.name][1]) / cycles,
                "systemd_h": (s1 - s0) * per_h, "bus_h": (d1 - d0) * per_h, "maps": maps[b.name]}
            f = figures[b.name]
            shown.append(f"{b.label} RSS {f['rss']:.1f} MiB, unit CPU {f['unit_h']:.1f} s/h"
                         f"{'' if mon.cgroup else ' (no cgroup: /proc self + waited-for children)'}, exit {codes[b.name]}")
            self.note_problems(f"resources-{tunnels}x{accounts}-{b.name}", [mon.console])
        r.progress(f"run {run + 1}: {'; '.join(shown)}; load average {loadavg()}")
        if run == 0:
            for b in BUILDS:
                r.line(f"   {b.label}: the monitor logged: {hows[b.name]}")
        return figures

    # --- start-up to READY=1 -------------------------------------------------------------------------------
    def ready(self):
        r = self.r
        r.line("")
        r.line(f"== Process start to first READY=1 on NOTIFY_SOCKET ({'HTTPS' if PKI else 'plain HTTP'}; {S['ready_runs']} "
               f"runs per size and build after one discarded warm-up run, the builds taking turns; time from just before "
               f"fork/exec to the datagram) ==")
        for spec in S["ready_sizes"]:
            tunnels, accounts = parse_size(spec)
            scs = {b.name: Scenario(self.run_dir, f"ready-{tunnels}x{accounts}-{b.name}", tunnels, accounts,
                                    S["interval"]) for b in BUILDS}
            first = scs[BUILDS[0].name]
            fake = Fake(first.dir, "api", first.seed_path, S["latency_ms"])
            for sc in scs.values():
                sc.write_config(fake.url)
            r.line("")
            r.line(f"-- {tunnels} tunnels / {accounts} account(s)")
            times = {b.name: [] for b in BUILDS}
            exits, phases, commands, hows = {b.name: [] for b in BUILDS}, {b.name: [] for b in BUILDS}, {}, {}
            try:
                for run in range(S["ready_runs"] + 1):
                    shown = []
                    for b in BUILDS:
                        ms, code, phase, commands[b.name], hows[b.name] = self.ready_once(scs[b.name], fake, b, run)
                        exits[b.name].append(code)
                        if run > 0:
                            times[b.name].append(ms)
                            if phase:
                                phases[b.name].append(phase)
                        shown.append(f"{b.label} {ms:.0f} ms")
                    r.progress(f"{'warm-up run (discarded)' if run == 0 else f'run {run}'}: {', '.join(shown)}")
            finally:
                fake.stop()
                for sc in scs.values():
                    sc.close()
            for b in BUILDS:
                t, ph = times[b.name], phases[b.name]
                r.line(f"   $ {commands[b.name]}")
                r.line(f"   {b.label}: start to READY=1 median {median(t):.0f} ms; {dist(t, 'ms', 0)}; exit codes after "
                       f"SIGTERM {sorted(set(exits[b.name]), key=str)}; load average (1 min) {loadavg()}")
                r.line(f"   {b.label}: the monitor logged: {hows[b.name]}")
                if ph:
                    # The calls are the unit-state reads before READY=1: D-Bus calls as the fake systemd got them, or
                    # systemctl processes as they started; the first D-Bus call includes connecting to the bus.
                    what = "D-Bus ListUnitsByNames call(s)" if DBUS else "systemctl call(s)"
                    r.line(f"   {b.label}, of which (medians): exec -> first unit-state read {median([p[0] for p in ph]):.0f} ms "
                           f"(runtime start, host, config{', connecting to the bus' if DBUS else ''}); "
                           f"{median([p[3] for p in ph]):.0f} {what} {median([p[1] for p in ph]):.0f} ms from first to last; "
                           f"last read -> READY=1 {median([p[2] for p in ph]):.0f} ms")
                self.results[f"ready {tunnels}/{accounts} {b.name}"] = {"median": median(t), "n": len(t),
                                                                       "p95": percentile(t, 95), "tunnels": tunnels}
                self.note_problems(f"ready-{tunnels}x{accounts}-{b.name}", list(scs[b.name].dir.glob("ready*.console.log")))

    def ready_once(self, sc, fake, build, run):
        """One start of the monitor: (ms to READY=1, exit code after SIGTERM, unit-state read phases or None, command,
        the monitor's line on how it reads unit states)."""
        sock_path = sc.dir / "notify.sock"
        if sock_path.exists():
            sock_path.unlink()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(sock_path))
        try:
            ctl_offset = sc.systemctl_log.stat().st_size
            t0_epoch = time.time_ns()
            t0 = time.monotonic_ns()
            mon = Monitor(sc, fake, debug=False, label=f"ready{run}", notify_socket=sock_path, build=build)
            deadline = time.monotonic() + 60
            ready_ns = None
            while ready_ns is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no READY=1 within 60 s; see {rel(mon.console)}")
                if mon.proc.poll() is not None:
                    raise RuntimeError(f"the monitor exited with code {mon.proc.returncode} before READY=1; "
                                       f"see {rel(mon.console)}")
                listener.settimeout(min(remaining, 0.5))
                try:
                    data = listener.recv(65536)
                except socket.timeout:
                    continue
                if b"READY=1" in data.split(b"\n"):
                    ready_ns = time.monotonic_ns()
            ready_epoch = t0_epoch + (ready_ns - t0)
            how = mon.check_unit_states()
            code = mon.stop()
        finally:
            listener.close()
        # The unit-state reads: ListUnitsByNames lines over D-Bus, every systemctl line otherwise.
        calls = [int(p[0]) for p in (line.split() for line in sc.systemctl_log.read_bytes()[ctl_offset:].decode().splitlines())
                 if len(p) >= 3 and (p[1] == DBUS_CALL) == DBUS]
        calls = [c for c in calls if c <= ready_epoch]
        phase = ((calls[0] - t0_epoch) / 1e6, (calls[-1] - calls[0]) / 1e6, (ready_epoch - calls[-1]) / 1e6,
                 len(calls)) if calls else None
        for unit_file in sc.unit_dir.glob("*.active"):
            unit_file.unlink()
        return (ready_ns - t0) / 1e6, code, phase, mon.command, how

    # --- soak: faults cycling for many cycles ----------------------------------------------------------------
    def soak(self):
        r = self.r
        target = S["soak_cycles"]
        interval = 1
        # T1 (account 0) gets the outages; T2 (account 1) and T3 (account 0) stay healthy throughout.
        sc = Scenario(self.run_dir, "soak", 3, 2, interval)
        fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
        gateway = os.environ.get("BENCH_PRIVATE_NETNS") == "1" and self.nft("add table inet bench_soak") and self.nft(
            "add chain inet bench_soak input { type filter hook input priority 0 ; policy accept ; }")
        extra = {"max_actions_per_hour": 1000, "api_timeout": 2}
        mon, extra = self.start_monitor(sc, fake, extra)
        tunnel_id, unit = sc.ids[0]
        token0 = sc.config_tunnels[0]["token"]
        r.line("")
        r.line(f"== Soak: {target} cycles at check_interval {interval} s with faults cycling ({'HTTPS' if PKI else 'plain HTTP'}, "
               f"latency {S['latency_ms']} ms, 3 tunnels / 2 accounts, build {BUILDS[0].label}) ==")
        r.line(f"   $ {fake.command}")
        r.line(f"   $ {mon.command}")
        r.line(f"   config: {json.dumps(extra)} besides gateway_ip, check_interval, log_file, api_base_url; the rest default "
               f"(failure_threshold 2, confirm_delay 1, recovery_threshold 3, min_action_interval 30)")
        r.line("   one round: API 500 for 6 s; API hangs for 6 s; one 429 with Retry-After 3 s; a 0.4 s primary blip; "
               + ("gateway loss for 6 s (ICMP echo dropped by nftables in the bench's private network namespace); "
                  if gateway else "(no gateway loss: needs root and the private network namespace run.sh makes); ")
               + "an outage (primary gone until 'start' + 3 s, then back until 'stop'); a flapping primary (outage, "
               "failback, the primary dies again 5 s after the 'stop', back again). Each step is followed by 2 s of quiet.")
        r.line("   expected: no action for a fault or a blip; 'start' then 'stop' for an outage; start, stop, start, stop "
               "for the flap. An action no step expects is a false action; an expected 'start' not seen within 60 s a "
               "missed failover.")
        soak = Soak(sc, mon, fake, self.r, target)
        steps = [
            ("api-500", lambda: soak.fault({"kind": "status", "status_code": 500}, 6), []),
            ("api-hang", lambda: soak.fault({"kind": "hang"}, 6), []),
            ("api-429", lambda: soak.fault({"kind": "too_many_requests", "retry_after_seconds": 3, "times": 1,
                                            "token": token0}, 6), []),
            ("blip", lambda: soak.blip(tunnel_id, 0.4), []),
        ]
        if gateway:
            steps.append(("gateway-loss", lambda: soak.gateway_loss(self.nft, 6), []))
        steps += [
            ("outage", lambda: soak.outage(tunnel_id, unit), ["start", "stop"]),
            ("flap", lambda: soak.flap(tunnel_id, unit), ["start", "stop", "start", "stop"]),
        ]
        started = time.monotonic()
        try:
            mon.wait_cycles(2, 60)
            soak.begin()
            while soak.cycles() < target:
                for name, action, expected in steps:
                    soak.step(name, action, expected)
                    soak.wait(2)
                    if soak.cycles() >= target:
                        break
            r.line(f"   the monitor logged: {mon.check_unit_states()}")
        except (TimeoutError, RuntimeError) as e:
            r.line(f"   !! the soak stopped early: {e}")
        finally:
            soak.sample(force=True)
            code = mon.stop()
            fake.stop()
            sc.close()
            if gateway:
                self.nft("delete table inet bench_soak")
        elapsed = time.monotonic() - started
        self.results["soak"] = soak.report(elapsed, code)
        self.note_problems("soak", [mon.console], expected=(20, 21))

    @staticmethod
    def nft(command):
        """Runs nft in the bench's own network namespace (run.sh makes one as root); True when it worked."""
        try:
            return subprocess.run(["nft"] + command.split(), capture_output=True, timeout=10).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    # --- closing summary -----------------------------------------------------------------------------------
    def summary(self, elapsed):
        r, res = self.r, self.results
        rows = []

        def row(figure, measured, target, ok):
            rows.append((figure, measured, target, "-" if ok is None else ("meets" if ok else "MISSES")))

        for key, v in res.items():
            if key.startswith("cycle "):
                big = v["tunnels"] >= 1000
                row(f"cycle p50/p95, {v['tunnels']}/{v['accounts']} @ {S['latency_ms']} ms",
                    f"{v['p50']:.0f} / {v['p95']:.0f} ms (n={v['n']})",
                    "p95 <= 300 ms" if big else "-", (v["p95"] <= 300) if big else None)
                row(f"API requests per cycle, {v['tunnels']}/{v['accounts']}",
                    f"{v['per_cycle']:.2f} ({v['per_account']:.2f} per account)",
                    "<= 1 per account" if big else "-", (v["per_account"] <= 1.0) if big else None)
                row(f"requests / 5 min / token, {v['tunnels']}/{v['accounts']}, {S['interval']} s",
                    f"{v['per5min_token_measured']:.0f} measured (max {v['per5min_token_max']:.0f}), {v['per5min_token_computed']:.0f} computed",
                    "<= 600 (half of 1,200)", v["per5min_token_max"] <= 600)
        target = S["interval"] + CONFIRM_DELAY + 0.5
        for name in ("failover", "failover-first-down"):
            if name in res:
                v = res[name]
                default = name == "failover"
                row(f"failover p50/p95, {v['label']}", f"{v['p50']:.2f} / {v['p95']:.2f} s (n={v['n']}"
                    f"{', series stopped early' if v['failure'] else ''}; load {v['load']})",
                    f"p95 <= {target:.1f} s ({S['interval']} + {CONFIRM_DELAY:g} + 0.5)" if default else "-",
                    v["p95"] <= target if default else None)
        if "failover" in res and "failover-first-down" in res:
            loss = max(res["failover"]["p50"] - res["failover-first-down"]["p50"],
                       res["failover"]["p95"] - res["failover-first-down"]["p95"])
            row("loss against the first-down rule", f"{loss:+.2f} s (worse of p50, p95)",
                f"<= confirm_delay {CONFIRM_DELAY:g} s", loss <= CONFIRM_DELAY)
        if "second-outage" in res:
            v = res["second-outage"]
            row("second outage 5 s after a failback, dark for", f"{v['median']:.2f} s median, max {v['max']:.2f} s "
                f"(n={v['n']})", f"<= {v['bound']:.0f} s", v["n"] > 0 and v["max"] <= v["bound"])
        if "soak" in res:
            v = res["soak"]
            row("soak: false actions / missed failovers", f"{v['false']} / {v['missed']} ({v['cycles']} cycles, "
                f"{v['minutes']:.1f} min; actions expected {v['expected']}, seen {v['observed']})",
                "0 / 0", v["false"] == 0 and v["missed"] == 0)
            row("soak: VmRSS / threads / fds after warm-up, first-last (max)",
                " / ".join(f"{a:.0f}-{b:.0f} ({c:.0f})" if k != "rss" else f"{a:.1f}-{b:.1f} ({c:.1f}) MiB"
                           for k, (a, b, c) in ((k, v[k]) for k in ("rss", "threads", "fds"))),
                "flat", v["flat"])
        if rows:
            r.line("")
            r.line("== Summary (targets from issues 4 and 9) ==")
            self.table([("figure", "measured", "target", "verdict")] + rows)
        self.build_table()
        r.line("")
        if self.problems:
            r.line("== Warnings and errors in the monitor's console output (the expected failover lines of the trials left out) ==")
            for phase, found in self.problems.items():
                for (level, message), count in sorted(found.items(), key=lambda x: -x[1]):
                    r.line(f"  {phase}: {count} x {level} {message}")
        else:
            r.line("== No warnings or errors in the monitor's console output (the expected failover lines of the trials left out) ==")
        r.line("")
        r.line(f"Bench time {elapsed / 60:.1f} min. Work files: {rel(self.run_dir)}; this report: {rel(r.path)}")

    def table(self, rows):
        widths = [max(len(x[i]) for x in rows) for i in range(len(rows[0]))]
        for cells in rows:
            self.r.line("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())

    def build_table(self):
        """Issue 8's figures, one column per build, the ratio between two builds and the target beside."""
        res = self.results
        if not any(k.startswith(("resources ", "ready ")) for k in res):
            return
        names = [b.name for b in BUILDS]
        jit = [b for b in BUILDS if not b.native]
        aot = [b for b in BUILDS if b.native]
        pair = (jit[0], aot[0]) if jit and aot else (BUILDS[0], BUILDS[1]) if len(BUILDS) > 1 else None
        header = ["figure"] + [b.label for b in BUILDS] + ([f"{pair[0].label} / {pair[1].label}"] if pair else []) + ["target"]
        rows = [header]

        def add(figure, values, fmt, target=None, limit=None, ratio=True):
            cells = [figure]
            for name in names:
                v = values.get(name)
                if v is None or v != v:
                    cells.append("-")
                else:
                    cells.append(fmt.format(v) + ("" if limit is None else (" ok" if v <= limit else " MISSES")))
            if pair:
                a, b = values.get(pair[0].name), values.get(pair[1].name)
                cells.append(f"{a / b:.2f}x" if a and b and ratio else "-")
            cells.append(target or "-")
            rows.append(cells)

        rss_targets = {(10, 10): 24, (1000, 50): 40}
        for spec in S["resource_sizes"]:
            t, a = parse_size(spec)
            got = {n: res.get(f"resources {t}/{a} {n}") for n in names}
            if not any(got.values()):
                continue
            limit = rss_targets.get((t, a)) if PKI else None
            pick = lambda k: {n: (v or {}).get(k) for n, v in got.items()}  # noqa: E731
            add(f"steady RSS, {t} tunnels / {a} accounts", pick("rss"), "{:.1f} MiB",
                f"<= {limit} MiB" if limit else "-", limit)
            add("  of which RssAnon", pick("anon"), "{:.1f} MiB")
            add("  of which RssFile", pick("file"), "{:.1f} MiB")
            add("  threads", pick("threads"), "{:.0f}")
            cpu_limit = 18 if (t, a) == (10, 10) else None
            add(f"CPU per hour, whole unit, {t}/{a}", pick("unit_h"), "{:.1f} s",
                f"<= {cpu_limit} s" if cpu_limit else "-", cpu_limit)
            add("  of which child processes", pick("child_h"), "{:.1f} s")
            add("  the daemon alone", pick("self_h"), "{:.1f} s")
            add("  systemctl processes per cycle", pick("ctl_per_cycle"), "{:.1f}", ratio=False)
            if DBUS:
                add("  outside the unit: fake systemd + dbus-daemon",
                    {n: (v or {}).get("systemd_h", 0) + (v or {}).get("bus_h", 0) for n, v in got.items() if v},
                    "{:.1f} s", ratio=False)
        for spec in S["ready_sizes"]:
            t, a = parse_size(spec)
            got = {n: (res.get(f"ready {t}/{a} {n}") or {}).get("median") for n in names}
            if any(v is not None for v in got.values()):
                limit = 50 if t <= 10 else None
                add(f"start to READY=1, {t} tunnels (median)", got, "{:.0f} ms", f"<= {limit} ms" if limit else "-", limit)
        sizes = {b.name: b.sizes() for b in BUILDS}
        # A JIT build's executable is only the app host: its ratio would mean nothing; the footprint row compares.
        add("executable size", {n: s[0] / 1e6 for n, s in sizes.items()}, "{:.1f} MB", "<= 20 MB", 20, ratio=False)
        add("  installed folder (no symbols)", {n: s[1] / 1e6 for n, s in sizes.items()}, "{:.1f} MB")
        runtime = dotnet_runtime_size()
        if runtime and jit:
            add("  with the shared .NET runtime a JIT build needs",
                {b.name: (sizes[b.name][1] + (0 if b.native else runtime)) / 1e6 for b in BUILDS}, "{:.1f} MB")
        self.r.line("")
        self.r.line(f"== Builds side by side (issue 8 targets; {'HTTPS' if PKI else 'plain HTTP: the RSS targets are for HTTPS'}; "
                    f"unit states {'over D-Bus' if DBUS else 'through the systemctl fallback'}; "
                    f"medians; load average (1 min) now {loadavg()}) ==")
        for b in BUILDS:
            self.r.line(f"  {b.label}: dotnet publish src/FailoverMonitor -c Release {b.args}".rstrip())
        self.table(rows)


class Soak:
    """Book-keeping of the soak phase: the steps, the actions expected and seen, and resource samples."""

    ACTIONS = ("start", "stop", "restart")

    def __init__(self, sc, mon, fake, report, target):
        self.sc, self.mon, self.fake, self.r, self.target = sc, mon, fake, report, target
        self.expected = self.observed = self.false = self.missed = self.missed_failback = 0
        self.latencies, self.samples, self.by_step = [], [], {}
        self.last_sample = self.last_progress = 0.0
        self.progress_every = max(50, target // 20)
        self.next_progress = self.progress_every
        self.t0 = time.monotonic()

    def begin(self):
        self.t0 = time.monotonic()
        self.offset = self.sc.systemctl_log.stat().st_size
        self.sample(force=True)

    def cycles(self):
        return self.mon.poll_console()

    def sample(self, force=False):
        now = time.monotonic()
        if not force and now - self.last_sample < 10:
            return
        self.last_sample = now
        st = proc_status(self.mon.pid)
        self.samples.append((now - self.t0, self.cycles(), st["VmRSS"] / 1024, st.get("RssAnon", 0) / 1024,
                             st["Threads"], st["FDs"]))
        if self.cycles() >= self.next_progress:
            self.next_progress += self.progress_every
            _, n, rss, anon, threads, fds = self.samples[-1]
            self.r.progress(f"{now - self.t0:5.0f} s, {n} cycles: actions expected {self.expected}, seen {self.observed}, "
                            f"false {self.false}, missed failovers {self.missed}; VmRSS {rss:.1f} MiB (RssAnon {anon:.1f}), "
                            f"{threads} threads, {fds} fds; load average {loadavg()}")

    def wait(self, seconds, until=None):
        """Sleeps up to seconds while sampling; returns until()'s first truthy value (None at the deadline)."""
        deadline = time.monotonic() + seconds
        while True:
            self.cycles()
            self.sample()
            value = until() if until else None
            if value or time.monotonic() >= deadline:
                return value
            time.sleep(0.02)

    def actions_since(self, offset, end=None):
        """(epoch ns, verb) of the fake systemctl's start/stop/restart calls between two log offsets (end: now)."""
        with open(self.sc.systemctl_log, "rb") as f:
            f.seek(offset)
            lines = f.read(-1 if end is None else end - offset).decode().splitlines()
        return [(int(p[0]), p[1]) for p in (line.split() for line in lines) if len(p) >= 3 and p[1] in self.ACTIONS]

    def step(self, name, action, expected):
        """Runs one step; the actions counted are all since the end of the previous step (its quiet time too)."""
        action()
        self.wait(0.5)  # a late answer to the step's last check
        end = self.sc.systemctl_log.stat().st_size
        seen = [verb for _, verb in self.actions_since(self.offset, end)]
        self.offset = end
        unmatched = list(expected)
        false = 0
        for verb in seen:
            if verb in unmatched:
                unmatched.remove(verb)
            else:
                false += 1
        self.expected += len(expected)
        self.observed += len(seen)
        self.false += false
        self.missed += unmatched.count("start")
        self.missed_failback += unmatched.count("stop")
        counts = self.by_step.setdefault(name, [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += len(expected)
        counts[2] += len(seen)
        counts[3] += false
        if false or unmatched:
            self.r.line(f"   !! step {name} at {time.monotonic() - self.t0:.0f} s: expected {expected}, seen {seen}; "
                        f"see {rel(self.mon.console)}")

    def fault(self, body, seconds):
        self.fake.admin("POST", "/faults", body)
        try:
            self.wait(seconds)
        finally:
            self.fake.admin("DELETE", "/faults")

    def blip(self, tunnel_id, seconds):
        self.fake.admin("DELETE", f"/tunnels/{tunnel_id}/connectors/primary")
        time.sleep(seconds)
        self.fake.admin("PUT", f"/tunnels/{tunnel_id}/connectors/primary?connections=4")
        self.wait(3)

    def gateway_loss(self, nft, seconds):
        if not nft("add rule inet bench_soak input ip daddr 127.0.0.1 icmp type echo-request drop"):
            raise RuntimeError("nft could not add the gateway-loss rule")
        try:
            self.wait(seconds)
        finally:
            nft("flush chain inet bench_soak input")

    def wait_action(self, offset, verb, seconds):
        """Epoch ns of the first 'verb' call after the offset, or None after seconds."""
        return self.wait(seconds, lambda: next((t for t, v in self.actions_since(offset) if v == verb), None))

    def outage(self, tunnel_id, unit, hold=3):
        offset = self.sc.systemctl_log.stat().st_size
        snap = self.fake.admin("DELETE", f"/tunnels/{tunnel_id}/connectors/primary")
        down_ns = iso_ns(snap["conns_inactive_at"]) if snap.get("conns_inactive_at") else time.time_ns()
        start_ns = self.wait_action(offset, "start", 60)
        if start_ns:
            self.latencies.append((start_ns - down_ns) / 1e9)
        self.wait(hold)
        offset = self.sc.systemctl_log.stat().st_size
        self.fake.admin("PUT", f"/tunnels/{tunnel_id}/connectors/primary?connections=4")
        # min_action_interval (30 s) after the start, then recovery_threshold checks: a minute is ample.
        self.wait_action(offset, "stop", 60)

    def flap(self, tunnel_id, unit):
        self.outage(tunnel_id, unit)
        self.wait(5)
        self.outage(tunnel_id, unit)

    def report(self, elapsed, code):
        r = self.r
        cycles = len(self.mon.cycles)  # the monitor has stopped: no more polling
        r.line(f"   duration {elapsed / 60:.1f} min for {cycles} cycles (target {self.target}); monitor exit code after "
               f"SIGTERM {code}; load average (1 min) at the end {loadavg()}")
        r.line(f"   actions: expected {self.expected}, seen {self.observed}; false actions {self.false}; missed failovers "
               f"{self.missed}; missed failbacks {self.missed_failback}")
        r.line("   per step: " + "; ".join(f"{name} x{n}: expected {e}, seen {s}, false {f}"
                                           for name, (n, e, s, f) in self.by_step.items()))
        r.line(f"   failover latency in the soak (outage -> 'start'): {dist(self.latencies, 's', 2)}")
        warm = [x for x in self.samples if x[1] >= min(200, self.target // 10)] or self.samples
        flat = {}
        # Flat: the last sample within a tolerance of the first after warm-up (descriptors come and go with the
        # connections and processes of the moment, so a few more are allowed).
        for label, i, unit, fmt, slack in (("VmRSS", 2, "MiB", "{:.1f}", 2.0), ("RssAnon", 3, "MiB", "{:.1f}", 2.0),
                                           ("threads", 4, "", "{:.0f}", 2), ("open fds", 5, "", "{:.0f}", 10)):
            values = [x[i] for x in warm]
            if values:
                flat[label] = values[-1] <= values[0] + slack
                r.line(f"   {label} after warm-up (from cycle {warm[0][1]}, {len(values)} samples every 10 s): first "
                       f"{fmt.format(values[0])}, last {fmt.format(values[-1])}, max {fmt.format(max(values))}"
                       f"{' ' + unit if unit else ''}; flat (last <= first + {slack:g}): "
                       f"{'yes' if flat[label] else 'NO'} (before warm-up, at cycle {self.samples[0][1]}: "
                       f"{fmt.format(self.samples[0][i])})")
        first, last = (warm[0], warm[-1]) if warm else ((0,) * 6, (0,) * 6)
        return {"false": self.false, "missed": self.missed, "cycles": cycles, "expected": self.expected,
                "observed": self.observed, "minutes": elapsed / 60, "flat": all(flat.values()),
                "rss": (first[2], last[2], max((x[2] for x in warm), default=0)),
                "threads": (first[4], last[4], max((x[4] for x in warm), default=0)),
                "fds": (first[5], last[5], max((x[5] for x in warm), default=0))}


def call_spans(ctl_text, gap_s):
    """Per burst of systemctl calls, ms from its first to its last call. A burst ends at a gap above gap_s or when a
    (verb, unit) pair repeats (a cycle that overran the interval runs straight into the next)."""
    spans, first, last, seen = [], None, None, set()
    for line in ctl_text.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        t, key = int(parts[0]), (parts[1], parts[2])
        if last is not None and (t - last > gap_s * 1e9 or key in seen):
            spans.append((last - first) / 1e6)
            first, seen = None, set()
        seen.add(key)
        first = t if first is None else first
        last = t
    if first is not None:
        spans.append((last - first) / 1e6)
    return spans


def dotnet_runtime_size():
    """Bytes of the newest Microsoft.NETCore.App 10.x folder a JIT build runs on, or None where none is found."""
    roots = [os.environ.get("DOTNET_ROOT"), os.environ.get("BENCH_DOTNET_ROOT"), "/usr/share/dotnet", "/usr/lib/dotnet"]
    for root in filter(None, roots):
        versions = sorted(Path(root, "shared", "Microsoft.NETCore.App").glob("10.*"))
        if versions:
            return sum(f.stat().st_size for f in versions[-1].rglob("*") if f.is_file())
    return None


def parse_size(spec):
    """'T/A' (tunnels over accounts) -> (T, A); a bare 'T' means one account."""
    tunnels, _, accounts = spec.partition("/")
    try:
        return int(tunnels), int(accounts or 1)
    except ValueError:
        sys.exit(f"bench: size {spec!r} is not TUNNELS/ACCOUNTS")


def frange(start, stop, step):
    x = start
    while x <= stop + 1e-9:
        yield x
        x += step


def main():
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = WORK / "runs" / f"{stamp}-{os.getpid()}"
    run_dir.mkdir(parents=True)
    results_dir = REPO / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    report = Report(results_dir / f"{stamp}-{'-'.join(S['phases']) or 'none'}.txt")
    bench = Bench(report, run_dir)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = time.monotonic()
    status = 0
    try:
        head = os.environ.get("BENCH_HEADER", "")
        if head:
            report.line(head)
        report.line(f"FailoverMonitor bench, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, {os.cpu_count()} CPU(s)"
                    f"{' (BENCH_QUICK=1: too few samples for real figures)' if QUICK else ''}")
        report.line(f"Load average (1 min) at start: {loadavg()} (timing figures assume an otherwise idle machine)")
        report.line(f"Unit states: {UNIT_STATES}")
        report.line("Settings: " + ", ".join(f"{k}={' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in S.items()))
        for phase in S["phases"]:
            if phase not in ("cycles", "failover", "resources", "ready", "soak"):
                sys.exit(f"bench: unknown phase {phase!r} in BENCH_PHASES (cycles, failover, resources, ready, soak)")
            try:
                getattr(bench, phase)()
            except (TimeoutError, RuntimeError, urllib.error.URLError, OSError) as e:
                status = 1
                report.line(f"   !! phase {phase} failed: {e}")
        bench.summary(time.monotonic() - started)
    except KeyboardInterrupt as e:
        status = 130
        report.line(f"bench: interrupted ({e}); stopping the processes it started")
    finally:
        PROCS.stop_all()
        report.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
