namespace FailoverMonitor.Monitoring;

/// <summary>
/// Where the monitor shows operators what it knows (implemented outside Monitoring: the state file, systemd's
/// STATUS= line, the heartbeat's summary), so the loop publishes a <see cref="MonitorSnapshot"/> and never formats
/// one. Called on the loop: an implementation returns at once and does not throw.
/// </summary>
public interface IStatusOutput
{
    /// <summary>Publishes <paramref name="snapshot"/> for readers outside the process (the state file); a failure to is logged, not thrown.</summary>
    void Publish(MonitorSnapshot snapshot);

    /// <summary>One line for systemd's STATUS= (<c>systemctl status</c>).</summary>
    string Summary(MonitorSnapshot snapshot);

    /// <summary>Every tunnel in one line, for the heartbeat.</summary>
    string Describe(MonitorSnapshot snapshot);

    /// <summary>Withdraws what was published (at shutdown).</summary>
    void Withdraw();
}
