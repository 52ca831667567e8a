using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Told what the monitor does, for side channels such as metrics and alerts. Called on the monitoring loop:
/// an implementation must return at once (queue its work) and must not throw.
/// </summary>
public interface IMonitorObserver
{
    /// <summary>What the monitor knows now, published after start-up and after every cycle (the snapshot <see cref="IStatusOutput"/> gets). Metrics read their gauges from it.</summary>
    void OnPublished(MonitorSnapshot snapshot)
    {
    }

    /// <summary>A cycle (full or confirmation) finished after <paramref name="duration"/>.</summary>
    void OnCycleCompleted(TimeSpan duration);

    /// <summary>A start (failover), stop (failback) or restart was attempted; <paramref name="took"/> says whether the unit reached the wanted state.</summary>
    void OnAction(TunnelSettings tunnel, DecisionKind kind, bool took, string reason);

    /// <summary>The flap guard put <paramref name="tunnel"/> on hold.</summary>
    void OnHold(TunnelSettings tunnel, string reason);

    /// <summary>The API reported a configuration problem for <paramref name="tunnel"/> (bad token, wrong id); called once per new problem.</summary>
    void OnConfigurationProblem(TunnelSettings tunnel, string problem);
}
