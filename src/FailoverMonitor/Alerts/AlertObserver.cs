using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using FailoverMonitor.Monitoring;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Alerts;

/// <summary>
/// Turns what the monitor does into <see cref="Alert"/>s on the <see cref="AlertQueue"/>. Runs on the monitoring
/// loop, so it only builds a small record and queues it: it never waits, never does I/O and never throws.
/// Events no target wants are not queued.
/// </summary>
public sealed class AlertObserver : IMonitorObserver
{
    private readonly AlertQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertObserver> _logger;
    private readonly HashSet<AlertEvent> _wanted;
    private readonly string _host = Environment.MachineName;
    private readonly bool _dryRun;
    private readonly Func<TunnelTokens> _tokens;

    /// <summary>
    /// Creates the observer for the <c>alerts</c> of <paramref name="settings"/>; <paramref name="tokens"/> gives the
    /// tokens in force (they change on reload), cut out of any reason; <paramref name="mode"/> marks alerts of a dry run.
    /// </summary>
    public AlertObserver(AlertQueue queue, MonitorSettings settings, Func<TunnelTokens> tokens, TimeProvider time, ILogger<AlertObserver> logger, RunMode? mode = null)
    {
        _dryRun = mode?.DryRun == true;
        _queue = queue;
        _tokens = tokens;
        _time = time;
        _logger = logger;
        _wanted = [.. settings.Alerts.SelectMany(a => a.Events)];
    }

    /// <inheritdoc />
    public void OnCycleCompleted(TimeSpan duration)
    {
        // Cycles are for metrics, not alerts.
    }

    /// <inheritdoc />
    public void OnAction(TunnelSettings tunnel, DecisionKind kind, bool took, string reason)
    {
        var name = kind switch
        {
            DecisionKind.StartBackup => AlertEvent.Failover,
            DecisionKind.StopBackup => AlertEvent.Failback,
            DecisionKind.RestartBackup => AlertEvent.Restart,
            _ => (AlertEvent?)null,
        };
        if (name is not null)
        {
            Queue(name.Value, tunnel, reason, took);
        }
    }

    /// <inheritdoc />
    public void OnHold(TunnelSettings tunnel, string reason) => Queue(AlertEvent.Hold, tunnel, reason, null);

    /// <inheritdoc />
    public void OnConfigurationProblem(TunnelSettings tunnel, string problem) => Queue(AlertEvent.ConfigProblem, tunnel, problem, null);

    private void Queue(AlertEvent eventName, TunnelSettings tunnel, string reason, bool? took)
    {
        try
        {
            if (_wanted.Contains(eventName))
            {
                _queue.Enqueue(new Alert(eventName, tunnel.Name, tunnel.TunnelId, tunnel.Service, WithoutToken(reason, tunnel), took, _time.GetUtcNow(), _host, _dryRun));
            }
        }
        catch (Exception e)
        {
            // The loop must not fail because an alert could not be queued.
            Log.AlertNotQueued(_logger, eventName.ToConfigWord(), tunnel?.Name ?? "?", e.Message);
        }
    }

    // Reasons come from API errors; none is known to quote the token, but an alert leaves the machine, so make sure.
    private string WithoutToken(string reason, TunnelSettings tunnel) =>
        _tokens()[tunnel].Reveal() is { Length: > 0 } token ? reason.Replace(token, "[token]", StringComparison.Ordinal) : reason;
}
