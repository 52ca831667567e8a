using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;
using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The check loop: every <c>check_interval</c> seconds one <see cref="RunCycleAsync"/> (gateway, unit states,
/// API, decisions, actions), then <c>WATCHDOG=1</c>. It owns the per-tunnel state and all side effects; the
/// deciding is <see cref="FailoverPolicy"/>'s. Stopping the monitor never stops a backup.
/// </summary>
public sealed class MonitorWorker : BackgroundService
{
    private readonly MonitorOptions _options;
    private readonly IGatewayProbe _gateway;
    private readonly TunnelObserver _observer;
    private readonly IServiceController _services;
    private readonly FailoverPolicy _policy;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<MonitorWorker> _logger;
    private readonly Dictionary<TunnelOptions, TunnelRuntime> _tunnels;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _heartbeatInterval;
    private GatewayProbeResult? _lastGateway;
    private DateTimeOffset _nextHeartbeat;

    /// <summary>Creates the worker; <paramref name="options"/> must be validated.</summary>
    public MonitorWorker(MonitorOptions options, IGatewayProbe gateway, TunnelObserver observer, IServiceController services,
        FailoverPolicy policy, SystemdNotifier notifier, TimeProvider time, ILogger<MonitorWorker> logger)
    {
        _options = options;
        _gateway = gateway;
        _observer = observer;
        _services = services;
        _policy = policy;
        _notifier = notifier;
        _time = time;
        _logger = logger;
        _tunnels = options.Tunnels.ToDictionary(t => t, t => new TunnelRuntime(t));
        _interval = TimeSpan.FromSeconds(options.CheckInterval);
        _heartbeatInterval = TimeSpan.FromSeconds(options.HeartbeatInterval);
    }

    /// <summary>The current state of each tunnel, by tunnel id (widened for tests and status output).</summary>
    public IReadOnlyDictionary<string, TunnelState> States =>
        _tunnels.Values.ToDictionary(t => t.Options.TunnelId!, t => t.State);

    /// <summary>Start-up: logs the summary, reads every unit's real state, says READY=1.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        Log.MonitorStarted(_logger);
        Log.GatewayIp(_logger, _options.GatewayIp!);
        Log.TunnelCount(_logger, _options.Tunnels.Count);
        Log.CheckInterval(_logger, _options.CheckInterval);
        Log.Settings(_logger, _options.FailureThreshold, _options.RecoveryThreshold, string.Join(",", _options.FailoverOn), _options.Failback);
        await ReadUnitStatesAsync(atStartup: true, cancellationToken).ConfigureAwait(false);
        _nextHeartbeat = _time.GetUtcNow() + _heartbeatInterval;
        _notifier.Notify("READY=1\nSTATUS=" + Summary(brief: true));
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await InitializeAsync(stoppingToken).ConfigureAwait(false);
        var next = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            try
            {
                await RunCycleAsync(stoppingToken).ConfigureAwait(false);
                Log.CycleFinished(_logger, Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1));
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.CycleFailed(_logger, e.Message, e);
            }

            _notifier.Notify("WATCHDOG=1\nSTATUS=" + Summary(brief: true));

            // Fixed rhythm: a slow cycle shortens the wait instead of pushing every later cycle back.
            next += _interval;
            var now = _time.GetUtcNow();
            if (next < now)
            {
                next = now;
            }

            await Task.Delay(next - now, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _notifier.Notify("STOPPING=1");
        Log.MonitorStopping(_logger);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One check cycle. Public so tests drive cycles one at a time.</summary>
    public async Task RunCycleAsync(CancellationToken cancellationToken)
    {
        if (!await ProbeGatewayAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await ReadUnitStatesAsync(atStartup: false, cancellationToken).ConfigureAwait(false);
        var known = _tunnels.Values.Where(t => t.UnitKnown).ToList();
        var observations = await _observer.ObserveAsync(
            known.Select(t => t.Options).ToList(),
            t => _tunnels[t].State.BackupActive && _policy.Settings.Failback == FailbackMode.SecondConnector,
            cancellationToken).ConfigureAwait(false);
        foreach (var tunnel in known)
        {
            await ApplyAsync(tunnel, observations[tunnel.Options], cancellationToken).ConfigureAwait(false);
        }

        if (_time.GetUtcNow() >= _nextHeartbeat)
        {
            Log.Heartbeat(_logger, Summary(brief: false));
            _nextHeartbeat = _time.GetUtcNow() + _heartbeatInterval;
        }
    }

    private async Task<bool> ProbeGatewayAsync(CancellationToken cancellationToken)
    {
        var result = await _gateway.ProbeAsync(cancellationToken).ConfigureAwait(false);
        var previous = _lastGateway;
        _lastGateway = result;
        if (result.Reachable)
        {
            if (previous is { Reachable: false })
            {
                Log.GatewayReachable(_logger, _options.GatewayIp!);
            }

            return true;
        }

        // One line when it goes away (or the kind of problem changes), not one per cycle.
        if (previous is null || previous.Reachable || previous.IsProbeError != result.IsProbeError)
        {
            if (result.IsProbeError)
            {
                Log.GatewayProbeError(_logger, _options.GatewayIp!, result.Problem ?? "unknown error");
            }
            else
            {
                Log.GatewayUnreachable(_logger, _options.GatewayIp!, result.Problem ?? "no reply");
            }
        }

        return false;
    }

    private async Task ReadUnitStatesAsync(bool atStartup, CancellationToken cancellationToken)
    {
        foreach (var tunnel in _tunnels.Values)
        {
            try
            {
                var active = await _services.IsActiveAsync(tunnel.Service, cancellationToken).ConfigureAwait(false);
                if (atStartup)
                {
                    Log.UnitStateAtStartup(_logger, tunnel.Name, tunnel.Service, active ? "active (failed over)" : "inactive");
                }
                else if (tunnel.UnitKnown && active != tunnel.State.BackupActive)
                {
                    Log.UnitStateChanged(_logger, tunnel.Name, tunnel.Service, UnitWord(active), UnitWord(tunnel.State.BackupActive));
                }

                if (active != tunnel.State.BackupActive)
                {
                    tunnel.State = tunnel.State with { BackupActive = active, ConsecutiveFailures = 0, ConsecutiveRecoveries = 0 };
                }

                tunnel.UnitKnown = true;
                tunnel.LastUnitError = null;
            }
            catch (ServiceControlException e)
            {
                if (tunnel.LastUnitError != e.Message)
                {
                    Log.UnitStateUnreadable(_logger, tunnel.Name, tunnel.Service, e.Message);
                }

                tunnel.UnitKnown = false;
                tunnel.LastUnitError = e.Message;
            }
        }
    }

    private async Task ApplyAsync(TunnelRuntime tunnel, TunnelObservation observation, CancellationToken cancellationToken)
    {
        LogObservation(tunnel, observation);
        var before = tunnel.State;
        var decision = _policy.Decide(before, observation, _time.GetUtcNow());
        tunnel.State = decision.State;
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
            default:
                var counting = decision.State.ConsecutiveFailures > before.ConsecutiveFailures
                    || decision.State.ConsecutiveRecoveries > before.ConsecutiveRecoveries;
                if (counting)
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
        }

        // Verify rather than trust the exit code: only the unit's state read back counts.
        var starting = decision.Kind == DecisionKind.StartBackup;
        bool activeNow;
        try
        {
            activeNow = await _services.IsActiveAsync(tunnel.Service, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceControlException e)
        {
            activeNow = !starting;
            error ??= e.Message;
        }

        tunnel.State = _policy.AfterAction(decision.State, decision.Kind, activeNow, decision.Reason, _time.GetUtcNow());
        var took = starting == activeNow;
        var retrySeconds = tunnel.State.RetryAt is { } retryAt ? Math.Round((retryAt - _time.GetUtcNow()).TotalSeconds) : 0;
        var why = error ?? $"unit is {UnitWord(activeNow)} afterwards";
        switch (starting, took)
        {
            case (true, true):
                Log.FailedOver(_logger, tunnel.Name, tunnel.Service);
                break;
            case (true, false):
                Log.StartFailed(_logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
            case (false, true):
                Log.FailedBack(_logger, tunnel.Name, tunnel.Service);
                break;
            default:
                Log.StopFailed(_logger, tunnel.Name, tunnel.Service, why, retrySeconds);
                break;
        }
    }

    private void LogObservation(TunnelRuntime tunnel, TunnelObservation observation)
    {
        if (observation.Status is not { } status)
        {
            var failure = observation.Failure!;
            var key = $"{failure.Kind}: {failure.Message}";
            if (tunnel.LastFailure != key)
            {
                if (failure.IsConfigurationProblem)
                {
                    Log.TunnelConfigurationProblem(_logger, tunnel.Name, failure.Message);
                }
                else
                {
                    Log.TunnelUnknown(_logger, tunnel.Name, failure.Message);
                }
            }

            tunnel.LastFailure = key;
            return;
        }

        if (tunnel.LastFailure is not null)
        {
            Log.TunnelKnownAgain(_logger, tunnel.Name);
            tunnel.LastFailure = null;
        }

        if (tunnel.LastStatus != status)
        {
            Log.TunnelStatusChanged(_logger, tunnel.Name, status.ToApiString());
            tunnel.LastStatus = status;
        }
    }

    private string Summary(bool brief)
    {
        var tunnels = _tunnels.Values;
        if (brief)
        {
            var failedOver = tunnels.Count(t => t.State.BackupActive);
            var unknown = tunnels.Count(t => t.LastFailure is not null || !t.UnitKnown);
            return $"{tunnels.Count} tunnel(s): {tunnels.Count - failedOver} on primary, {failedOver} failed over, {unknown} unknown";
        }

        return $"{tunnels.Count} tunnel(s): " + string.Join("; ", tunnels.Select(t =>
            $"{t.Name} {(t.LastFailure is null ? t.LastStatus?.ToApiString() ?? "not checked" : "unknown")}, "
            + $"{t.Service} {(t.UnitKnown ? UnitWord(t.State.BackupActive) : "state unreadable")}"
            + (t.State.LastActionAt is { } at ? $", last action {at:yyyy-MM-dd HH:mm:ss}Z: {t.State.LastAction}" : "")));
    }

    private static string UnitWord(bool active) => active ? "active" : "inactive";
}
