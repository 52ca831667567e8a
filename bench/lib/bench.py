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
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "bench" / ".work"
MONITOR_DIR = WORK / "monitor"
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
    "resource_sizes": [int(x) for x in os.environ.get("BENCH_RESOURCE_SIZES", "10 1000").split()],
    "cpu_start": _env("BENCH_CPU_START_S", 10 if QUICK else 30, float),
    "cpu_window": _env("BENCH_CPU_WINDOW_S", 15 if QUICK else 60, float),
    "steady": _env("BENCH_STEADY_S", 20 if QUICK else 60, float),
    "ready_sizes": [int(x) for x in os.environ.get("BENCH_READY_SIZES", "10 1000").split()],
    "ready_runs": _env("BENCH_READY_RUNS", 2 if QUICK else 5, int),
    "phases": os.environ.get("BENCH_PHASES", "cycles,failover,resources,ready").replace(",", " ").split(),
    "seed": _env("BENCH_SEED", 4, int),
    "monitor_env": os.environ.get("BENCH_MONITOR_ENV", "").split(),
    "failover_config": json.loads(os.environ.get("BENCH_FAILOVER_CONFIG", "")
                                  or '{"min_action_interval": 0, "max_actions_per_hour": 1000}'),
}
# Issue 4's default confirm_delay (the target formula uses it even while the monitor has no such key yet).
CONFIRM_DELAY = _env("BENCH_CONFIRM_DELAY", 1.0, float)


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
            self.url = f"http://127.0.0.1:{port}"
            self.argv = [str(FAKE_DIR / "fake-cloudflare-api"), "serve", "--urls", self.url,
                         "--latency-ms", str(latency_ms), "--seed", str(seed_path)]
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
        with urllib.request.urlopen(req, timeout=timeout) as resp:
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

    def write_config(self, api_url, extra=None):
        config = {"gateway_ip": "127.0.0.1", "check_interval": self.interval, "log_file": str(self.monitor_log),
                  "api_base_url": f"{api_url}/client/v4/", **(extra or {}), "tunnels": self.config_tunnels}
        self.config_path.write_text(json.dumps(config, indent=1))
        os.chmod(self.config_path, 0o600)

    def calls_per_cycle_per_token(self):
        """Steady-state calls the batched design needs per account/token and cycle: one single-tunnel call for a
        lone tunnel, else one list call per page of PAGE_SIZE."""
        per_account = math.ceil(self.tunnels / self.accounts)
        return 1 if per_account == 1 else math.ceil(per_account / PAGE_SIZE)


class Monitor:
    """The published monitor with the fake systemctl first on its PATH; console output to a file."""

    CYCLE = re.compile(rb"Cycle finished in ([0-9.]+) ms")

    def __init__(self, scenario, fake, debug, label, notify_socket=None):
        self.scenario = scenario
        self.console = scenario.dir / f"{label}.console.log"
        self.console.write_bytes(b"")
        env = dotnet_env()
        env["PATH"] = f"{WORK / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
        env["BENCH_UNIT_DIR"] = str(scenario.unit_dir)
        env["BENCH_SYSTEMCTL_LOG"] = str(scenario.systemctl_log)
        env["BENCH_FAKE_URL"] = fake.url
        shown = [f"PATH={rel(WORK / 'bin')}:$PATH"]
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
        self.argv = [str(MONITOR_DIR / "failover-monitor"), "--config", str(scenario.config_path)]
        self.command = " ".join(shown + [rel(a) for a in self.argv])
        self.env = env
        self.started_ns = time.monotonic_ns()
        self.proc = PROCS.start(self.argv, env, self.console)
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

    def stop(self):
        return PROCS.stop(self.proc, grace=15)


def proc_stat(pid):
    """(utime+stime, cutime+cstime) in seconds from /proc/PID/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): utime is field 14 -> index 11
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / CLK_TCK, (cutime + cstime) / CLK_TCK


def proc_status(pid):
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem", "Threads"):
            values[key] = int(value.split()[0])
    return values


def log_problems(paths, expected_events=()):
    """WARNING-and-worse console lines (warn/fail/crit), grouped by message with the time stripped."""
    counts = {}
    pattern = re.compile(r"^\S+ \S+ (warn|fail|crit): (\S+?)\[(\d+)\] (.*)$")
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
            level, _, event, message = m.groups()
            if int(event) in expected_events:
                continue
            message = re.sub(r"bench-backup-\d{4}", "bench-backup-NNNN", message)
            message = re.sub(r"bench-\d{4}", "bench-NNNN", message)
            message = re.sub(r"bench-NNNN(, bench-NNNN)+", lambda m: f"bench-NNNN x{m.group(0).count(',') + 1}", message)
            message = re.sub(r"\d{2}:\d{2}:\d{2}", "hh:mm:ss", message)
            key = (f"{level}[{event}]", message[:300])
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
            ctl_lines = ctl_text.count("\n")
            rss = proc_status(mon.pid).get("VmRSS")
            load = loadavg()
        finally:
            code = mon.stop()
            fake.stop()
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
        spans = call_spans(ctl_text, S["interval"] / 2)
        r.line(f"   systemctl calls: {ctl_lines / n:.0f} per cycle (one process each), spanning {dist(spans, 'ms')} of a cycle; "
               f"load average (1 min) at the end {load}")
        r.line(f"   "
               f"VmRSS at the end {rss / 1024 if rss else float('nan'):.1f} MiB (Debug console logging on); "
               f"exit code after SIGTERM {code}")
        self.results[f"cycle {tunnels}/{accounts}"] = {
            "p50": percentile(times, 50), "p95": percentile(times, 95), "n": len(times),
            "per_cycle": per_cycle, "per_account": per_cycle / accounts, "kinds": kinds,
            "per5min_token_measured": median(rate5.values()) if rate5 else float("nan"),
            "per5min_token_max": max(rate5.values()) if rate5 else float("nan"),
            "per5min_token_computed": computed, "systemctl_per_cycle": ctl_lines / n, "tunnels": tunnels,
            "accounts": accounts, "load": load}
        self.note_problems(name, [mon.console])

    # --- failover latency ----------------------------------------------------------------------------------
    def failover(self):
        r = self.r
        r.line("")
        r.line(f"== Failover latency: primary connector removed in the fake API -> fake systemctl 'start' "
               f"({S['trials']} trials, 1 tunnel, failure_threshold 2, recovery_threshold 3, check_interval {S['interval']} s, "
               f"latency {S['latency_ms']} ms) ==")
        sc = Scenario(self.run_dir, "failover", 1, 1, S["interval"])
        fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
        # The flap guard (min_action_interval, default 30 s) and the hold (max_actions_per_hour, default 10) are there
        # for a flapping tunnel; back-to-back trials are one, so both are opened up here. A first outage is held by
        # neither, so the latency measured is that of a first outage. A key this monitor does not know is dropped.
        extra = dict(S["failover_config"])
        sc.write_config(fake.url, extra)
        mon = Monitor(sc, fake, debug=True, label="monitor")
        for attempt in range(len(extra) + 1):
            wait_until(lambda: mon.proc.poll() is not None or b"Cycle finished" in mon.console.read_bytes(), 60,
                       "the monitor's first cycle")
            if mon.proc.poll() != 78:
                break
            console = mon.console.read_text(errors="replace")
            unknown = [k for k in extra if re.search(rf"\$\.{re.escape(k)}: unknown key", console)]
            if not unknown:
                raise RuntimeError(f"the monitor refused the config (exit 78); see {rel(mon.console)}:\n{console[-2000:]}")
            r.progress(f"this monitor has no {', '.join(unknown)} key: running without it")
            PROCS.stop(mon.proc)
            for k in unknown:
                extra.pop(k)
            sc.write_config(fake.url, extra)
            mon = Monitor(sc, fake, debug=True, label=f"monitor{attempt + 2}")
        r.line(f"   $ {fake.command}")
        r.line(f"   $ {mon.command}")
        r.line(f"   config: {json.dumps(extra) if extra else 'defaults'} besides gateway_ip, check_interval, log_file, api_base_url")
        r.line(f"   each trial: sleep U(0.5, {S['interval'] + 0.5:.1f}) s (random phase against the cycle), "
               f"DELETE /_fake/tunnels/T/connectors/primary, wait for 'start'; then PUT it back and wait for the "
               f"monitor's failback ('stop')")
        tunnel_id, unit = sc.ids[0]
        rng = random.Random(S["seed"])
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
        finally:
            code = mon.stop()
            fake.stop()
        target = S["interval"] + CONFIRM_DELAY + 0.5
        r.line(f"   failover latency: {dist(latencies, 's', 2)}; load average (1 min) at the end {loadavg()}")
        r.line(f"   failback (primary back -> 'stop', recovery_threshold 3; informative): {dist(failbacks, 's', 2)}")
        r.line(f"   (down time = the fake's conns_inactive_at; it lay {median(skew):.1f} ms after the bench sent DELETE, median; "
               f"monitor exit code after SIGTERM {code})")
        self.results["failover"] = {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                                    "n": len(latencies), "target": target, "failure": failure,
                                    "failback_p50": percentile(failbacks, 50)}
        # ERROR 20 (starting the backup) and WARNING 21 (failed over) are the expected lines of every trial.
        self.note_problems("failover", list(sc.dir.glob("monitor*.console.log")), expected=(20, 21))

    def trial(self, sc, fake, mon, rng, latencies, failbacks, skew):
        """One outage: remove the primary, wait for 'start'; put it back, wait for the monitor's own failback."""
        tunnel_id, unit = sc.ids[0]
        time.sleep(rng.uniform(0.5, S["interval"] + 0.5))
        offset = sc.systemctl_log.stat().st_size
        before = time.time_ns()
        snap = fake.admin("DELETE", f"/tunnels/{tunnel_id}/connectors/primary")
        after = time.time_ns()
        down_ns = iso_ns(snap["conns_inactive_at"]) if snap.get("conns_inactive_at") else (before + after) // 2
        skew.append((down_ns - before) / 1e6)
        start_ns = self.wait_verb(sc, offset, "start", unit, 60, mon)
        latencies.append((start_ns - down_ns) / 1e9)
        offset = sc.systemctl_log.stat().st_size
        console_at = mon.console.stat().st_size
        fake.admin("PUT", f"/tunnels/{tunnel_id}/connectors/primary?connections=4")
        back_ns = time.time_ns()
        stop_ns = self.wait_verb(sc, offset, "stop", unit, 120, mon)
        failbacks.append((stop_ns - back_ns) / 1e9)
        # Let the monitor read the unit back after the stop before the next trial starts.
        wait_until(lambda: b"restored" in mon.console.read_bytes()[console_at:] or mon.proc.poll() is not None,
                   15, "the monitor's failback line (event 24)")

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
        r.line("")
        end = max(S["cpu_start"] + S["cpu_window"], S["steady"])
        r.line(f"== Steady RSS and CPU of the monitor process (default logging, check_interval {S['interval']} s, "
               f"latency {S['latency_ms']} ms; CPU over [{S['cpu_start']:.0f} s, {S['cpu_start'] + S['cpu_window']:.0f} s] "
               f"after start, RSS median of 5-s samples from {S['steady']:.0f} s to {end:.0f} s) ==")
        for tunnels in S["resource_sizes"]:
            accounts = max(1, tunnels // 20) if tunnels > 10 else 1
            sc = Scenario(self.run_dir, f"resources-{tunnels}", tunnels, accounts, S["interval"])
            fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
            sc.write_config(fake.url)
            mon = Monitor(sc, fake, debug=False, label="monitor")
            r.line("")
            r.line(f"-- {tunnels} tunnels / {accounts} account(s)")
            r.line(f"   $ {fake.command}")
            r.line(f"   $ {mon.command}")
            t_start = time.monotonic()
            samples = []
            try:
                def at(seconds):
                    delay = t_start + seconds - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    if mon.proc.poll() is not None:
                        raise RuntimeError(f"the monitor exited with code {mon.proc.returncode}; see {rel(mon.console)}")
                at(S["cpu_start"])
                cpu0, child0 = proc_stat(mon.pid)
                w0 = time.monotonic()
                marks = sorted({S["cpu_start"] + S["cpu_window"]} | {x for x in frange(S["steady"], end, 5.0)})
                cpu1 = child1 = w1 = None
                for mark in marks:
                    at(mark)
                    if mark >= S["steady"]:
                        samples.append(proc_status(mon.pid))
                    if cpu1 is None and mark >= S["cpu_start"] + S["cpu_window"]:
                        cpu1, child1 = proc_stat(mon.pid)
                        w1 = time.monotonic()
                ctl = sc.systemctl_log.read_bytes().count(b"\n")
            finally:
                code = mon.stop()
                fake.stop()
            per_hour = (cpu1 - cpu0) / (w1 - w0) * 3600
            child_hour = (child1 - child0) / (w1 - w0) * 3600
            rss = median([s["VmRSS"] for s in samples]) / 1024
            last = samples[-1]
            r.line(f"   steady VmRSS: {rss:.1f} MiB (median of {len(samples)} samples; last: RssAnon {last.get('RssAnon', 0) / 1024:.1f}, "
                   f"RssFile {last.get('RssFile', 0) / 1024:.1f}, RssShmem {last.get('RssShmem', 0) / 1024:.1f} MiB; "
                   f"VmHWM {last.get('VmHWM', 0) / 1024:.1f} MiB; {last.get('Threads')} threads)")
            r.line(f"   CPU: {per_hour:.1f} s per hour (utime+stime {cpu1 - cpu0:.2f} s over {w1 - w0:.1f} s); "
                   f"its child processes (fake systemctl, waited for): {child_hour:.1f} s per hour")
            r.line(f"   systemctl calls since start: {ctl}; monitor exit code after SIGTERM {code}; "
                   f"load average (1 min) at the end {loadavg()}")
            self.results[f"resources {tunnels}"] = {"rss": rss, "cpu_h": per_hour, "child_h": child_hour,
                                                    "samples": len(samples), "window": w1 - w0}
            self.note_problems(f"resources-{tunnels}", [mon.console])

    # --- start-up to READY=1 -------------------------------------------------------------------------------
    def ready(self):
        r = self.r
        r.line("")
        r.line(f"== Process start to first READY=1 on NOTIFY_SOCKET ({S['ready_runs']} runs per size after one "
               f"discarded warm-up run; time from just before fork/exec to the datagram) ==")
        for tunnels in S["ready_sizes"]:
            accounts = max(1, tunnels // 20) if tunnels > 10 else 1
            sc = Scenario(self.run_dir, f"ready-{tunnels}", tunnels, accounts, S["interval"])
            fake = Fake(sc.dir, "api", sc.seed_path, S["latency_ms"])
            sc.write_config(fake.url)
            sock_path = sc.dir / "notify.sock"
            r.line("")
            r.line(f"-- {tunnels} tunnels / {accounts} account(s)")
            times, exits, command, phases = [], [], None, []
            try:
                for run in range(S["ready_runs"] + 1):
                    if sock_path.exists():
                        sock_path.unlink()
                    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    listener.bind(str(sock_path))
                    try:
                        ctl_offset = sc.systemctl_log.stat().st_size
                        t0_epoch = time.time_ns()
                        t0 = time.monotonic_ns()
                        mon = Monitor(sc, fake, debug=False, label=f"ready{run}", notify_socket=sock_path)
                        command = mon.command
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
                        ms = (ready_ns - t0) / 1e6
                        ready_epoch = t0_epoch + (ready_ns - t0)
                        exits.append(mon.stop())
                        calls = [int(line.split()[0]) for line in
                                 sc.systemctl_log.read_bytes()[ctl_offset:].decode().splitlines() if line.strip()]
                        calls = [c for c in calls if c <= ready_epoch]
                        if calls and run > 0:
                            phases.append(((calls[0] - t0_epoch) / 1e6, (calls[-1] - calls[0]) / 1e6,
                                           (ready_epoch - calls[-1]) / 1e6, len(calls)))
                        for unit_file in sc.unit_dir.glob("*.active"):
                            unit_file.unlink()
                        if run == 0:
                            r.progress(f"warm-up run: {ms:.0f} ms (discarded)")
                        else:
                            times.append(ms)
                            r.progress(f"run {run}: {ms:.0f} ms")
                    finally:
                        listener.close()
            finally:
                fake.stop()
            r.line(f"   $ {command}")
            r.line(f"   start to READY=1: median {median(times):.0f} ms; {dist(times, 'ms', 0)}; exit codes after SIGTERM "
                   f"{sorted(set(exits), key=str)}; load average (1 min) at the end {loadavg()}")
            if phases:
                r.line(f"   of which (medians): exec -> first systemctl call {median([p[0] for p in phases]):.0f} ms "
                       f"(runtime start, host, config, token check); {median([p[3] for p in phases]):.0f} systemctl calls "
                       f"(show + is-active per unit) {median([p[1] for p in phases]):.0f} ms; last call -> READY=1 "
                       f"{median([p[2] for p in phases]):.0f} ms")
            self.results[f"ready {tunnels}"] = {"median": median(times), "n": len(times),
                                                "p95": percentile(times, 95)}
            self.note_problems(f"ready-{tunnels}", list(sc.dir.glob("ready*.console.log")))

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
        if "failover" in res:
            v = res["failover"]
            row("failover latency p50/p95", f"{v['p50']:.2f} / {v['p95']:.2f} s (n={v['n']}"
                f"{', series stopped early' if v['failure'] else ''})",
                f"p95 <= {v['target']:.1f} s ({S['interval']} + {CONFIRM_DELAY:g} + 0.5)", v["p95"] <= v["target"])
        targets = {10: (30, 20), 1000: (60, 120)}
        for key, v in res.items():
            if key.startswith("resources "):
                n = int(key.split()[1])
                rss_t, cpu_t = targets.get(n, (None, None))
                row(f"steady RSS, {n} tunnels", f"{v['rss']:.1f} MiB", f"<= {rss_t} MiB" if rss_t else "-",
                    (v["rss"] <= rss_t) if rss_t else None)
                row(f"CPU per hour, {n} tunnels", f"{v['cpu_h']:.1f} s (+{v['child_h']:.1f} s in systemctl children)",
                    f"<= {cpu_t} s" if cpu_t else "-", (v["cpu_h"] <= cpu_t) if cpu_t else None)
        for key, v in res.items():
            if key.startswith("ready "):
                n = int(key.split()[1])
                row(f"start to READY=1, {n} tunnels", f"{v['median']:.0f} ms median (n={v['n']})",
                    "<= 300 ms" if n <= 10 else "-", (v["median"] <= 300) if n <= 10 else None)

        r.line("")
        r.line("== Summary (targets from issue 4) ==")
        widths = [max(len(x[i]) for x in rows + [("figure", "measured", "target", "verdict")]) for i in range(4)]
        for cells in [("figure", "measured", "target", "verdict")] + rows:
            r.line("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
        r.line("")
        if self.problems:
            r.line("== Warnings and errors in the monitor's console output (expected failover lines 20/21 left out) ==")
            for phase, found in self.problems.items():
                for (level, message), count in sorted(found.items(), key=lambda x: -x[1]):
                    r.line(f"  {phase}: {count} x {level} {message}")
        else:
            r.line("== No warnings or errors in the monitor's console output (expected failover lines 20/21 left out) ==")
        r.line("")
        r.line(f"Bench time {elapsed / 60:.1f} min. Work files: {rel(self.run_dir)}; this report: {rel(r.path)}")


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
    report = Report(results_dir / f"{stamp}.txt")
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
        report.line("Settings: " + ", ".join(f"{k}={' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in S.items()))
        for phase in S["phases"]:
            if phase not in ("cycles", "failover", "resources", "ready"):
                sys.exit(f"bench: unknown phase {phase!r} in BENCH_PHASES (cycles, failover, resources, ready)")
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
