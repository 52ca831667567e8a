using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;
using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Status;
using FailoverMonitor.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using NotifyState = Microsoft.Extensions.Hosting.Systemd.ServiceState;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The check loop: every <c>check_interval</c> seconds one <see cref="RunCycleAsync(CancellationToken)"/>
/// (gateway, unit states, API, decisions, actions), confirmation checks <c>confirm_delay</c> apart for tunnels
/// whose count has started, <c>WATCHDOG=1</c> after each. It owns the per-tunnel state and all side effects; the
/// deciding is <see cref="FailoverPolicy"/>'s. Stopping the monitor never stops a backup.
/// </summary>
public sealed class MonitorWorker : BackgroundService
{
    private readonly ConfigurationSource _source;
    private readonly IGatewayProbe _gateway;
    private readonly TunnelObserver _observer;
    private readonly IServiceController _services;
    private readonly StartupChecks _startupChecks;
    private readonly ISystemdNotifier _notifier;
    private readonly StatusPublisher _status;
    private readonly IEnumerable<IMonitorObserver> _observers;
    private readonly TimeProvider _time;
    private readonly ILogger<MonitorWorker> _logger;
    private readonly object _reloadLock = new();
    private readonly CycleHealth _health;
    private bool _stateFileFailing;
    private MonitorOptions _options;
    private FailoverPolicy _policy;
    private Dictionary<TunnelOptions, TunnelRuntime> _tunnels;
    private CancellationTokenSource _wake = new();
    private bool _reloadRequested;
    private GatewayProbeResult? _lastGateway;
    private readonly Reminder _gatewayDown;
    private Instant _nextHeartbeat;

    /// <summary>Creates the worker; <paramref name="options"/> must be validated (loaded from <paramref name="source"/>).</summary>
    public MonitorWorker(MonitorOptions options, ConfigurationSource source, IGatewayProbe gateway, TunnelObserver observer,
        IServiceController services, StartupChecks startupChecks, ISystemdNotifier notifier, StatusPublisher status, IEnumerable<IMonitorObserver> observers, TimeProvider time, ILogger<MonitorWorker> logger)
    {
        _options = options;
        _source = source;
        _gateway = gateway;
        _observer = observer;
        _services = services;
        _startupChecks = startupChecks;
        _notifier = notifier;
        _status = status;
        _observers = observers;
        _time = time;
        _logger = logger;
        _health = new CycleHealth(time);
        _gatewayDown = new Reminder(time, Reminder.DefaultInterval);
        _policy = new FailoverPolicy(PolicySettings.From(options));
        _tunnels = options.Tunnels.ToDictionary(t => t, t => new TunnelRuntime(t, time));
    }

    /// <summary>The current state of each tunnel, by tunnel id (widened for tests and status output).</summary>
    public IReadOnlyDictionary<string, TunnelState> States =>
        _tunnels.Values.ToDictionary(t => t.Options.TunnelId!, t => t.State);

    private TimeSpan Interval => TimeSpan.FromSeconds(_options.CheckInterval);

    /// <summary>
    /// Start-up as the host runs it, widened for tests: <see cref="StartAsync"/>'s part, then the start-up checks
    /// that begin the loop.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        await _startupChecks.RunAsync(_options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Start-up, before the host counts as started: the systemd lifetime sends READY=1 once every hosted service's
    /// StartAsync has returned, so READY=1 comes only once the unit states are read. The start-up checks (token
    /// verification, unit existence) come after READY, at the start of the loop, so that a slow or unreachable API at
    /// boot does not hold up systemd.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Logs the summary, reads every unit's real state, publishes the status (state file, STATUS=).</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        Log.MonitorStarted(_logger);
        Log.GatewayIp(_logger, _options.GatewayIp!);
        Log.TunnelCount(_logger, _options.Tunnels.Count);
        Log.CheckInterval(_logger, _options.CheckInterval);
        Log.Settings(_logger, _options.FailureThreshold, _options.RecoveryThreshold, string.Join(",", _options.FailoverOn), _options.Failback);
        await ReadUnitStatesAsync(_tunnels.Values, atStartup: true, cancellationToken).ConfigureAwait(false);
        _nextHeartbeat = Instant.Now(_time) + TimeSpan.FromSeconds(_options.HeartbeatInterval);
        PublishStatus();
        _notifier.Notify(new NotifyState("STATUS=" + Summary(brief: true)));
    }

    /// <summary>Asks for the configuration to be re-read before the next check (SIGHUP, <c>systemctl reload</c>).</summary>
    public void RequestReload()
    {
        lock (_reloadLock)
        {
            _reloadRequested = true;
            _wake.Cancel();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _startupChecks.RunAsync(_options, stoppingToken).ConfigureAwait(false);
        var next = Instant.Now(_time);
        while (!stoppingToken.IsCancellationRequested)
        {
            ApplyPendingReload();
            await RunTimedAsync(null, stoppingToken).ConfigureAwait(false);
            next += Interval;

            // Confirmation checks fit between regular cycles; each is one more API call (counted like any other).
            var confirm = TimeSpan.FromSeconds(_options.ConfirmDelay);
            while (confirm > TimeSpan.Zero && PendingConfirmation() is { Count: > 0 } pending && next - Instant.Now(_time) > confirm)
            {
                if (!await WaitAsync(confirm, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }

                await RunTimedAsync(pending, stoppingToken).ConfigureAwait(false);
            }

            // Fixed rhythm: a slow cycle shortens the wait instead of pushing every later cycle back.
            var now = Instant.Now(_time);
            if (next < now)
            {
                next = now;
            }

            await WaitAsync(next - now, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Log.MonitorStopping(_logger);
        _status.Withdraw();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One full check cycle over every tunnel. Public so tests drive cycles one at a time.</summary>
    public Task RunCycleAsync(CancellationToken cancellationToken) => RunCycleAsync(null, cancellationToken);

    /// <summary>Runs a pending reload now (the loop does this before each cycle). Widened for tests.</summary>
    public void ApplyPendingReload()
    {
        lock (_reloadLock)
        {
            if (!_reloadRequested)
            {
                return;
            }

            _reloadRequested = false;
            _wake.Dispose();
            _wake = new CancellationTokenSource();
        }

        // A reload must never end the process: whatever goes wrong, the running configuration stays.
        try
        {
            Reconfigure(_source.Load());
        }
        catch (ConfigurationException e)
        {
            Log.ReloadFailed(_logger, e.Message);
        }
        catch (Exception e)
        {
            Log.ReloadFailedUnexpectedly(_logger, _source.Path, e.Message, e);
        }
    }

    private async Task RunTimedAsync(IReadOnlyCollection<TunnelRuntime>? subset, CancellationToken stoppingToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            await RunCycleAsync(subset, stoppingToken).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            Log.CycleFinished(_logger, Math.Round(elapsed.TotalMilliseconds, 1));
            if (_health.Completed() is > 0 and var failed)
            {
                Log.CycleRecovered(_logger, failed);
            }

            Notify(o => o.OnCycleCompleted(elapsed));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The first failure (or a new reason) with its stack trace; the same one again only as a reminder.
            switch (_health.Failed(e.Message))
            {
                case ReminderCue.First:
                    Log.CycleFailed(_logger, e.Message, e);
                    break;
                case ReminderCue.Again:
                    Log.CycleStillFailing(_logger, _health.FailingSince!.Value.Wall, _health.ConsecutiveFailures, e.Message);
                    break;
            }
        }

        PublishStatus();
        NotifyProgress("\nSTATUS=" + Summary(brief: true));
    }

    /// <summary>
    /// WATCHDOG=1 (with <paramref name="more"/>) while cycles run to their end; once they have failed for too long
    /// (<see cref="CycleHealth"/>) only <paramref name="more"/>, so systemd's watchdog restarts the daemon.
    /// </summary>
    private void NotifyProgress(string more)
    {
        if (_health.MayFeedWatchdog(Interval, out var newlyWithheld))
        {
            _notifier.Notify(new NotifyState("WATCHDOG=1" + more));
            return;
        }

        if (newlyWithheld)
        {
            Log.WatchdogWithheld(_logger, _health.FailingSince!.Value.Wall, _health.ConsecutiveFailures);
        }

        if (more.Length > 0)
        {
            _notifier.Notify(new NotifyState(more.TrimStart('\n')));
        }
    }

    private void PublishStatus()
    {
        var cycles = new CycleStatus(_health.LastCompleted?.Wall, _health.ConsecutiveFailures, _health.LastError);
        if (_status.Publish(_options, _source.Path, _lastGateway?.Reachable, _tunnels.Values.Select(t => t.ToStatus()).ToList(), cycles) is { } error)
        {
            Log.StateFileUnwritable(_logger, _options.StateFile, error);
        }
        else if (_stateFileFailing && _status.LastError is null)
        {
            Log.StateFileWritable(_logger, _options.StateFile);
        }

        _stateFileFailing = _status.LastError is not null;
    }

    /// <summary>Waits on the injected clock; a reload request ends the wait early. False when woken by a reload.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        CancellationToken wake;
        lock (_reloadLock)
        {
            if (_reloadRequested)
            {
                return false;
            }

            wake = _wake.Token;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, wake);
        try
        {
            await Task.Delay(delay, _time, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task RunCycleAsync(IReadOnlyCollection<TunnelRuntime>? subset, CancellationToken cancellationToken)
    {
        if (!await ProbeGatewayAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        IReadOnlyCollection<TunnelRuntime> tunnels = subset ?? _tunnels.Values;
        await ReadUnitStatesAsync(tunnels, atStartup: false, cancellationToken).ConfigureAwait(false);
        var known = tunnels.Where(t => t.UnitKnown).ToList();
        var observations = await _observer.ObserveAsync(
            known.Select(t => t.Options).ToList(),
            t => _policy.NeedsConnectors(_tunnels[t].State),
            cancellationToken).ConfigureAwait(false);
        foreach (var tunnel in known)
        {
            await ApplyAsync(tunnel, observations[tunnel.Options], cancellationToken).ConfigureAwait(false);
        }

        if (subset is null && Instant.Now(_time) >= _nextHeartbeat)
        {
            Log.Heartbeat(_logger, Summary(brief: false));
            _nextHeartbeat = Instant.Now(_time) + TimeSpan.FromSeconds(_options.HeartbeatInterval);
        }
    }

    private List<TunnelRuntime> PendingConfirmation() =>
        _tunnels.Values.Where(t => t.UnitKnown && !t.Unknown.IsActive && _policy.AwaitsConfirmation(t.State)).ToList();

    private async Task<bool> ProbeGatewayAsync(CancellationToken cancellationToken)
    {
        var result = await _gateway.ProbeAsync(cancellationToken).ConfigureAwait(false);
        _lastGateway = result;
        if (result.Reachable)
        {
            if (_gatewayDown.Clear())
            {
                Log.GatewayReachable(_logger, _options.GatewayIp!);
            }

            return true;
        }

        // One line when it goes away (or the kind of problem changes, which starts it anew), then a reminder every few minutes.
        var kind = result.IsProbeError ? "probe error" : "unreachable";
        if (_gatewayDown.Key != kind)
        {
            _gatewayDown.Clear();
        }

        switch (_gatewayDown.Report(kind))
        {
            case ReminderCue.First when result.IsProbeError:
                Log.GatewayProbeError(_logger, _options.GatewayIp!, result.Problem ?? "unknown error");
                break;
            case ReminderCue.First:
                Log.GatewayUnreachable(_logger, _options.GatewayIp!, result.Problem ?? "no reply");
                break;
            case ReminderCue.Again:
                Log.GatewayStillUnreachable(_logger, _options.GatewayIp!, _gatewayDown.Since!.Value.Wall, result.Problem ?? "no reply");
                break;
        }

        return false;
    }

    private async Task ReadUnitStatesAsync(IReadOnlyCollection<TunnelRuntime> tunnels, bool atStartup, CancellationToken cancellationToken)
    {
        // One read for every unit (one D-Bus call, or one systemctl show): one per unit costs seconds at a thousand tunnels.
        IReadOnlyDictionary<string, UnitState> states;
        try
        {
            states = await _services.GetStatesAsync(tunnels.Select(t => t.Service).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceControlException e)
        {
            foreach (var tunnel in tunnels)
            {
                if (tunnel.LastUnitError != e.Message)
                {
                    Log.UnitStateUnreadable(_logger, tunnel.Name, tunnel.Service, e.Message);
                }

                tunnel.UnitKnown = false;
                tunnel.LastUnitError = e.Message;
            }

            return;
        }

        foreach (var tunnel in tunnels)
        {
            var active = states[tunnel.Service].IsActive;
            if (atStartup)
            {
                Log.UnitStateAtStartup(_logger, tunnel.Name, tunnel.Service, active ? "active (failed over)" : "inactive");
            }
            else if (tunnel.UnitKnown && active != tunnel.State.BackupActive)
            {
                Log.UnitStateChanged(_logger, tunnel.Name, tunnel.Service, UnitWord(active), UnitWord(tunnel.State.BackupActive));
            }

            // A stop that was still running when asked for: its end is the failback's "restored" line.
            if (tunnel.StopPending && states[tunnel.Service].ActiveState != "deactivating")
            {
                tunnel.StopPending = false;
                if (!active)
                {
                    Log.FailedBack(_logger, tunnel.Name, tunnel.Service);
                }
            }

            tunnel.State = tunnel.State.WithUnitState(active, Instant.Now(_time));
            tunnel.UnitKnown = true;
            tunnel.LastUnitError = null;
        }
    }

    private async Task ApplyAsync(TunnelRuntime tunnel, TunnelObservation observation, CancellationToken cancellationToken)
    {
        LogObservation(tunnel, observation);
        var before = tunnel.State;
        var decision = _policy.Decide(before, observation, Instant.Now(_time));
        tunnel.State = decision.State;
        if (before.HeldSince is not null && decision.State.HeldSince is null)
        {
            Log.HoldReleased(_logger, tunnel.Name);
        }

        switch (decision.Kind)
        {
            case DecisionKind.StartBackup:
                Log.FailoverStarting(_logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, _services.StartAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.StopBackup:
                Log.FailbackStopping(_logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, _services.StopAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.RestartBackup:
                Log.RestartingBackup(_logger, tunnel.Name, tunnel.Service, decision.Reason);
                await ActAsync(tunnel, decision, _services.RestartAsync, cancellationToken).ConfigureAwait(false);
                break;
            case DecisionKind.Hold:
                Log.Hold(_logger, tunnel.Name, decision.Reason, tunnel.Service, UnitWord(decision.State.BackupActive),
                    FailoverPolicy.DescribeHold((decision.State.HeldSince!.Value + PolicySettings.HoldWindow).Wall));
                Notify(o => o.OnHold(tunnel.Options, decision.Reason));
                break;
            default:
                // INFO while a count climbs to its threshold; past it (flap guard, back-off, hold) only the first
                // line is INFO, so a wait does not print a line every cycle.
                if (_policy.IsCounting(before, decision.State))
                {
                    Log.CountingTowardAction(_logger, tunnel.Name, decision.Reason);
                }
                else
                {
                    Log.TunnelChecked(_logger, tunnel.Name, observation.Status?.ToApiString() ?? "unknown", decision.Reason);
                }

                break;
        }
    }

    private async Task ActAsync(TunnelRuntime tunnel, Decision decision, Func<string, CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        string? error = null;
        try
        {
            await action(tunnel.Service, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceControlException e)
        {
            error = e.Message;
            if (e.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase))
            {
                Log.UnitMissing(_logger, tunnel.Name, tunnel.Service, "not-found");
            }
        }

        // Verify rather than trust the exit code: only the unit's state read back counts. A stop is only asked for
        // (a long ExecStop= must not stall the loop): a unit still deactivating counts as stopped, and each
        // later check reads its real state.
        var starting = decision.Kind != DecisionKind.StopBackup;
        bool activeNow;
        var stillStopping = false;
        try
        {
            var state = (await _services.GetStatesAsync([tunnel.Service], cancellationToken).ConfigureAwait(false))[tunnel.Service];
            activeNow = state.IsActive;
            stillStopping = state.ActiveState == "deactivating";
        }
        catch (ServiceControlException e)
        {
            activeNow = !starting;
            error ??= e.Message;
        }

        tunnel.State = _policy.AfterAction(decision.State, decision.Kind, activeNow, decision.Reason, Instant.Now(_time));
        NotifyProgress("");
        var took = starting == activeNow;
        Notify(o => o.OnAction(tunnel.Options, decision.Kind, took, error ?? decision.Reason));
        var retrySeconds = tunnel.State.RetryAt is { } retryAt ? Math.Round((retryAt - Instant.Now(_time)).TotalSeconds) : 0;
        var why = error ?? $"unit is {UnitWord(activeNow)} afterwards";
        switch (decision.Kind, took)
        {
            case (DecisionKind.StartBackup, true):
                Log.FailedOver(_logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StartBackup, false):
                Log.StartFailed(_logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
            case (DecisionKind.StopBackup, true) when stillStopping:
                tunnel.StopPending = true;
                Log.BackupStillStopping(_logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StopBackup, true):
                Log.FailedBack(_logger, tunnel.Name, tunnel.Service);
                break;
            case (DecisionKind.StopBackup, false):
                Log.StopFailed(_logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
            case (_, false):
                Log.RestartFailed(_logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
        }
    }

    private void LogObservation(TunnelRuntime tunnel, TunnelObservation observation)
    {
        tunnel.LastObservation = observation;
        if (observation.Status is not { } status)
        {
            var failure = observation.Failure!;

            // A lock-out's "no request sent" only says why nothing was asked this time: not a new problem.
            var cue = tunnel.Unknown.Report($"{failure.Kind}: {failure.Message}", changeIsNews: !failure.Message.Contains("no request sent", StringComparison.Ordinal));
            tunnel.LastFailureMessage = failure.Message;
            switch (cue)
            {
                case ReminderCue.First when failure.IsConfigurationProblem:
                    Log.TunnelConfigurationProblem(_logger, tunnel.Name, failure.Message);
                    Notify(o => o.OnConfigurationProblem(tunnel.Options, failure.Message));
                    break;
                case ReminderCue.First:
                    Log.TunnelUnknown(_logger, tunnel.Name, failure.Message);
                    break;
                case ReminderCue.Again when failure.IsConfigurationProblem:
                    Log.TunnelStillConfigurationProblem(_logger, tunnel.Name, tunnel.Unknown.Since!.Value.Wall, failure.Message);
                    break;
                case ReminderCue.Again:
                    Log.TunnelStillUnknown(_logger, tunnel.Name, tunnel.Unknown.Since!.Value.Wall, failure.Message);
                    break;
            }

            return;
        }

        if (tunnel.Unknown.Clear())
        {
            Log.TunnelKnownAgain(_logger, tunnel.Name);
        }

        if (tunnel.LastStatus != status)
        {
            Log.TunnelStatusChanged(_logger, tunnel.Name, status.ToApiString());
            tunnel.LastStatus = status;
        }
    }

    /// <summary>
    /// Adopts a newly loaded configuration. Tunnels whose id, account, token and unit are unchanged keep their
    /// state (holds are released: a reload is the operator's word); new tunnels have their unit read next cycle.
    /// Settings bound at start (gateway, API endpoint and timeout, log and state files, metrics, alerts) need a
    /// restart and say so.
    /// </summary>
    private void Reconfigure(MonitorOptions loaded)
    {
        foreach (var (key, changed) in new (string, bool)[]
        {
            ("gateway_ip", loaded.GatewayIp != _options.GatewayIp),
            ("gateway_timeout", loaded.GatewayTimeout != _options.GatewayTimeout),
            ("api_base_url", loaded.ApiBaseUrl != _options.ApiBaseUrl),
            ("api_timeout", loaded.ApiTimeout != _options.ApiTimeout),
            ("log_file", loaded.LogFile != _options.LogFile),
            ("state_file", loaded.StateFile != _options.StateFile),
            ("metrics_listen", loaded.MetricsListen != _options.MetricsListen),
            ("otlp_endpoint", loaded.OtlpEndpoint != _options.OtlpEndpoint),
            ("alerts", !loaded.Alerts.Select(a => (a.Url, a.Format)).SequenceEqual(_options.Alerts.Select(a => (a.Url, a.Format)))),
        })
        {
            if (changed)
            {
                Log.ReloadNeedsRestart(_logger, key);
            }
        }

        loaded.GatewayIp = _options.GatewayIp;
        loaded.GatewayTimeout = _options.GatewayTimeout;
        loaded.ApiBaseUrl = _options.ApiBaseUrl;
        loaded.ApiTimeout = _options.ApiTimeout;
        loaded.LogFile = _options.LogFile;
        loaded.StateFile = _options.StateFile;
        loaded.MetricsListen = _options.MetricsListen;
        loaded.OtlpEndpoint = _options.OtlpEndpoint;
        loaded.Alerts = _options.Alerts;

        var old = _tunnels.Values.ToList();
        var tunnels = new Dictionary<TunnelOptions, TunnelRuntime>();
        var kept = 0;
        foreach (var options in loaded.Tunnels)
        {
            var match = old.FirstOrDefault(r => r.IsSameTunnel(options));
            if (match is not null)
            {
                old.Remove(match);
                kept++;
                if (match.State.HeldSince is not null)
                {
                    Log.HoldReleased(_logger, match.Name);
                }
            }

            tunnels[options] = match?.WithOptions(options) ?? new TunnelRuntime(options, _time);
        }

        foreach (var removed in old)
        {
            Log.TunnelRemoved(_logger, removed.Name, removed.Service);
        }

        foreach (var warning in loaded.Warnings)
        {
            Log.ConfigurationWarning(_logger, warning);
        }

        _options = loaded;
        _policy = new FailoverPolicy(PolicySettings.From(loaded));
        _tunnels = tunnels;
        Log.Reloaded(_logger, _source.Path, kept, loaded.Tunnels.Count - kept, old.Count);
    }

    private string Summary(bool brief)
    {
        var tunnels = _tunnels.Values;
        if (brief)
        {
            // A loop that fails every time must not read like a healthy one in `systemctl status`.
            var failing = _health.FailingSince is { } failingSince
                ? $"CHECKS FAILING since {failingSince:HH:mm:ss}Z ({_health.ConsecutiveFailures} in a row: {SafeText.Clean(_health.LastError, 120)}); "
                : "";

            // e.g. "3 tunnels: 2 healthy, 1 failed over (web → cloudflared-backup since 03:12)"
            var parts = tunnels.Where(t => !t.State.BackupActive && !t.Unknown.IsActive && t.LastStatus is not null)
                .GroupBy(t => t.LastStatus!.Value.ToApiString())
                .Select(g => $"{g.Count()} {g.Key}")
                .ToList();
            var failedOver = tunnels.Where(t => t.State.BackupActive).ToList();
            if (failedOver.Count > 0)
            {
                parts.Add($"{failedOver.Count} failed over ({string.Join(", ", failedOver.Select(t => $"{t.Name} → {t.Service}{(t.State.BackupActiveSince is { } since ? $" since {since:HH:mm}" : "")}"))})");
            }

            var unknown = tunnels.Count(t => !t.State.BackupActive && (t.Unknown.IsActive || !t.UnitKnown));
            if (unknown > 0)
            {
                parts.Add($"{unknown} unknown");
            }

            var held = tunnels.Count(t => t.State.HeldSince is not null);
            if (held > 0)
            {
                parts.Add($"{held} on hold");
            }

            return $"{failing}{tunnels.Count} tunnel{(tunnels.Count == 1 ? "" : "s")}: {(parts.Count == 0 ? "not checked yet" : string.Join(", ", parts))}";
        }

        return $"{tunnels.Count} tunnel(s): " + string.Join("; ", tunnels.Select(t =>
            $"{t.Name} {(!t.Unknown.IsActive ? t.LastStatus?.ToApiString() ?? "not checked" : "unknown")}, "
            + $"{t.Service} {(t.UnitKnown ? UnitWord(t.State.BackupActive) : "state unreadable")}"
            + (t.State.HeldSince is { } held ? $", ON HOLD since {held:HH:mm:ss}Z" : "")
            + (t.State.LastActionAt is { } at ? $", last action {at:yyyy-MM-dd HH:mm:ss}Z: {t.State.LastAction}" : "")));
    }

    private void Notify(Action<IMonitorObserver> call)
    {
        foreach (var observer in _observers)
        {
            call(observer);
        }
    }

    private static string UnitWord(bool active) => active ? "active" : "inactive";
}
