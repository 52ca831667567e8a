using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using FailoverMonitor.Monitoring;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Status;

/// <summary>
/// Shows what the monitor publishes (<see cref="MonitorSnapshot"/>): writes it to the state file after every cycle
/// (a write failure is logged once, and its end), removes the file at shutdown, and renders the STATUS= and heartbeat
/// lines (<see cref="StatusSummary"/>).
/// </summary>
public sealed class StatusPublisher(StateFile stateFile, ApiUsage usage, TimeProvider timeProvider, RunMode mode, ILogger<StatusPublisher> logger) : IStatusOutput
{
    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();
    private readonly long? _processStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId);

    /// <summary>Why the last write failed, or null.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public void Publish(MonitorSnapshot snapshot)
    {
        var (settings, tokens) = (snapshot.Settings, snapshot.Tokens);
        var budgets = ApiBudget.Compute(settings, tokens);
        usage.NameTokens(settings.Tunnels, tokens); // a reload may regroup tunnels by token: metrics name tokens by their current tunnels
        var published = new StatusSnapshot
        {
            Pid = Environment.ProcessId,
            ProcessStartTicks = _processStartTicks,
            Version = VersionInfo.Current,
            ConfigPath = snapshot.ConfigPath,
            StartedAt = _startedAt,
            UpdatedAt = timeProvider.GetUtcNow(),
            LastGoodCheckAt = snapshot.LastGoodCycle?.Wall,
            FailedChecks = snapshot.FailedCycles,
            CheckError = snapshot.CycleError,
            CheckInterval = settings.Checks.CheckInterval.TotalSeconds,
            DryRun = mode.DryRun,
            GatewayIp = snapshot.GatewayIp,
            GatewayReachable = snapshot.GatewayReachable,
            Tunnels = snapshot.Tunnels.Select(StatusSummary.Entry).ToList(),
            Tokens = tokens.GroupByToken(settings.Tunnels).Select(g => new TokenStatusEntry
            {
                Tunnels = g.Select(t => t.Name).ToList(),
                RequestsSent = usage.RequestsSent(g.Key),
                BudgetPer5Minutes = budgets.FirstOrDefault(b => b.Tunnels.SequenceEqual(g.Select(t => t.Name)))?.Steady ?? 0,
                RateLimitedUntil = usage.BlockedUntil(g.Key),
            }).ToList(),
        };
        var error = stateFile.TryWrite(published);
        if (error is not null && error != LastError)
        {
            Log.StateFileUnwritable(logger, stateFile.Path, error);
        }
        else if (error is null && LastError is not null)
        {
            Log.StateFileWritable(logger, stateFile.Path);
        }

        LastError = error;
    }

    /// <inheritdoc />
    public string Summary(MonitorSnapshot snapshot) => StatusSummary.Brief(snapshot);

    /// <inheritdoc />
    public string Describe(MonitorSnapshot snapshot) => StatusSummary.Full(snapshot);

    /// <summary>Removes the state file.</summary>
    public void Withdraw() => stateFile.Delete();
}
