using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using NotifyState = Microsoft.Extensions.Hosting.Systemd.ServiceState;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The check loop and the order of one cycle. Every <c>check_interval</c> seconds one
/// <see cref="RunCycleAsync(CancellationToken)"/>: the gateway (<see cref="GatewayWatch"/>), the backup units'
/// states (<see cref="UnitStateTracker"/>), the API (<see cref="TunnelObserver"/>), then per tunnel what changed
/// (<see cref="ObservationLog"/>), the decision (<see cref="FailoverPolicy"/>) and carrying it out
/// (<see cref="ActionExecutor"/>). Confirmation checks <c>confirm_delay</c> apart follow for tunnels whose count has
/// started; after each cycle the snapshot goes to <see cref="IStatusOutput"/> and <c>WATCHDOG=1</c> to systemd. The
/// tunnels and reloads are <see cref="TunnelSet"/>'s. Stopping the monitor never stops a backup.
/// </summary>
public sealed class MonitorWorker : BackgroundService
{
    private readonly TunnelSet _tunnels;
    private readonly GatewayWatch _gateway;
    private readonly UnitStateTracker _units;
    private readonly TunnelObserver _observer;
    private readonly ObservationLog _observations;
    private readonly ActionExecutor _actions;
    private readonly StartupChecks _startupChecks;
    private readonly ISystemdNotifier _notifier;
    private readonly IStatusOutput _status;
    private readonly IEnumerable<IMonitorObserver> _observers;
    private readonly TimeProvider _time;
    private readonly ILogger<MonitorWorker> _logger;
    private readonly CycleHealth _health;
    private readonly ReloadSignal _reload;
    private Instant _nextHeartbeat;

    /// <summary>Creates the loop over its parts.</summary>
    public MonitorWorker(TunnelSet tunnels, GatewayWatch gateway, UnitStateTracker units, TunnelObserver observer, ObservationLog observations, ActionExecutor actions,
        StartupChecks startupChecks, ISystemdNotifier notifier, IStatusOutput status, IEnumerable<IMonitorObserver> observers, TimeProvider time, ILogger<MonitorWorker> logger)
    {
        (_tunnels, _gateway, _units, _observer, _observations, _actions) = (tunnels, gateway, units, observer, observations, actions);
        (_startupChecks, _notifier, _status, _observers, _time, _logger) = (startupChecks, notifier, status, observers, time, logger);
        _health = new CycleHealth(time);
        _reload = new ReloadSignal(time);
    }

    /// <summary>The current state of each tunnel, by tunnel id (widened for tests).</summary>
    public IReadOnlyDictionary<string, TunnelState> States => _tunnels.States;

    private CheckSettings Checks => _tunnels.Settings.Checks;

    /// <summary>
    /// Start-up as the host runs it, widened for tests: <see cref="StartAsync"/>'s part, then the start-up checks
    /// that begin the loop.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await PrepareAsync(cancellationToken).ConfigureAwait(false);
        await _startupChecks.RunAsync(_tunnels.Settings.Tunnels, _tunnels.Tokens, cancellationToken).ConfigureAwait(false);
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
        Log.GatewayIp(_logger, _gateway.Address);
        Log.TunnelCount(_logger, _tunnels.Settings.Tunnels.Count);
        Log.CheckInterval(_logger, Checks.CheckInterval.TotalSeconds);
        Log.Settings(_logger, Checks.FailureThreshold, Checks.RecoveryThreshold, Checks.FailoverOnWords(), FailbackModes.Words.Word(Checks.Failback));
        await _units.ReadAsync(_tunnels.All, atStartup: true, cancellationToken).ConfigureAwait(false);
        _nextHeartbeat = Instant.Now(_time) + Checks.HeartbeatInterval;
        _notifier.Notify(new NotifyState("STATUS=" + Publish()));
    }

    /// <summary>Asks for the configuration to be re-read before the next check (SIGHUP, <c>systemctl reload</c>).</summary>
    public void RequestReload() => _reload.Request();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _startupChecks.RunAsync(_tunnels.Settings.Tunnels, _tunnels.Tokens, stoppingToken).ConfigureAwait(false);
        var next = Instant.Now(_time);
        while (!stoppingToken.IsCancellationRequested)
        {
            ApplyPendingReload();
            await RunTimedAsync(null, stoppingToken).ConfigureAwait(false);
            next += Checks.CheckInterval;

            // Confirmation checks fit between regular cycles; each is one more API call (counted like any other).
            var confirm = Checks.ConfirmDelay;
            while (confirm > TimeSpan.Zero && _tunnels.AwaitingConfirmation() is { Count: > 0 } pending && next - Instant.Now(_time) > confirm)
            {
                if (!await _reload.WaitAsync(confirm, stoppingToken).ConfigureAwait(false))
                {
                    break;
                }

                await RunTimedAsync(pending, stoppingToken).ConfigureAwait(false);
            }

            // Fixed rhythm: a slow cycle shortens the wait instead of pushing every later cycle back.
            var now = Instant.Now(_time);
            next = next < now ? now : next;
            await _reload.WaitAsync(next - now, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Log.MonitorStopping(_logger);
        // The loop ends first: a cycle still running would otherwise write the state back after it was withdrawn.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _status.Withdraw();
    }

    /// <summary>One full check cycle over every tunnel. Public so tests drive cycles one at a time.</summary>
    public Task RunCycleAsync(CancellationToken cancellationToken) => RunCycleAsync(null, cancellationToken);

    /// <summary>Runs a pending reload now (the loop does this before each cycle). Widened for tests.</summary>
    public void ApplyPendingReload()
    {
        if (_reload.TryTake())
        {
            _tunnels.Reload();
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

            foreach (var observer in _observers)
            {
                observer.OnCycleCompleted(elapsed);
            }
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

        NotifyProgress("\nSTATUS=" + Publish());
    }

    /// <summary>
    /// WATCHDOG=1 (with <paramref name="more"/>) while cycles run to their end; once they have failed for too long
    /// (<see cref="CycleHealth"/>) only <paramref name="more"/>, so systemd's watchdog restarts the daemon.
    /// </summary>
    private void NotifyProgress(string more)
    {
        if (_health.MayFeedWatchdog(Checks.CheckInterval, out var newlyWithheld))
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

    /// <summary>Publishes what the monitor knows now.</summary>
    /// <returns>Its one-line summary, for STATUS=.</returns>
    private string Publish()
    {
        var snapshot = Snapshot();
        _status.Publish(snapshot);
        foreach (var observer in _observers)
        {
            observer.OnPublished(snapshot);
        }

        return _status.Summary(snapshot);
    }

    private MonitorSnapshot Snapshot() => new(_tunnels.Settings, _tunnels.Tokens, _tunnels.ConfigPath, _gateway.Address, _gateway.Reachable,
        _health.LastCompleted, _health.FailingSince, _health.ConsecutiveFailures, _health.LastError, _tunnels.Views());

    private async Task RunCycleAsync(IReadOnlyCollection<TunnelRuntime>? subset, CancellationToken cancellationToken)
    {
        if (!await _gateway.ProbeAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var tunnels = subset ?? _tunnels.All;
        await _units.ReadAsync(tunnels, atStartup: false, cancellationToken).ConfigureAwait(false);
        var known = tunnels.Where(t => t.UnitKnown).ToList();
        var policy = _tunnels.Policy;
        var observations = await _observer.ObserveAsync(known.Select(t => t.Settings).ToList(), _tunnels.Tokens, t => policy.NeedsConnectors(_tunnels[t].State), cancellationToken).ConfigureAwait(false);
        foreach (var tunnel in known)
        {
            var observation = observations[tunnel.Settings];
            _observations.Record(tunnel, observation);
            var decision = policy.Decide(tunnel.State, observation, Instant.Now(_time));
            await _actions.ExecuteAsync(tunnel, decision, observation, policy, cancellationToken).ConfigureAwait(false);
            if (decision.IsAction)
            {
                NotifyProgress("");
            }
        }

        if (subset is null && Instant.Now(_time) >= _nextHeartbeat)
        {
            Log.Heartbeat(_logger, _status.Describe(Snapshot()));
            _nextHeartbeat = Instant.Now(_time) + Checks.HeartbeatInterval;
        }
    }
}
