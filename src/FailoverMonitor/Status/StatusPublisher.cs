using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Status;

/// <summary>Writes the daemon's view to the state file after every cycle; removes it at shutdown.</summary>
public sealed class StatusPublisher(StateFile stateFile, ApiUsage usage, TimeProvider timeProvider, RunMode mode)
{
    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();
    private readonly long? _processStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId);
    private string? _lastError;

    /// <summary>The last snapshot published (null before the first), for readers inside the process such as metrics.</summary>
    public StatusSnapshot? Latest { get; private set; }

    /// <summary>Why the last write failed, or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Writes a snapshot of <paramref name="tunnels"/> under <paramref name="options"/>, with how the check cycles go (<paramref name="cycles"/>; none before the first).</summary>
    /// <returns>A newly arisen write error (once per distinct error), for the caller to log; else null.</returns>
    public string? Publish(MonitorOptions options, string configPath, bool? gatewayReachable, IReadOnlyList<TunnelStatusEntry> tunnels, CycleStatus? cycles = null)
    {
        var budgets = ApiBudget.Compute(options);
        usage.NameTokens(options.Tunnels); // a reload may regroup tunnels by token: metrics name tokens by their current tunnels
        var snapshot = new StatusSnapshot
        {
            Pid = Environment.ProcessId,
            ProcessStartTicks = _processStartTicks,
            Version = VersionInfo.Current,
            ConfigPath = configPath,
            StartedAt = _startedAt,
            UpdatedAt = timeProvider.GetUtcNow(),
            LastGoodCheckAt = cycles?.LastCompleted,
            FailedChecks = cycles?.ConsecutiveFailures ?? 0,
            CheckError = cycles?.LastError,
            CheckInterval = options.CheckInterval,
            DryRun = mode.DryRun,
            GatewayIp = options.GatewayIp ?? "",
            GatewayReachable = gatewayReachable,
            Tunnels = tunnels,
            Tokens = options.Tunnels.GroupBy(t => t.ResolvedToken!).Select(g => new TokenStatusEntry
            {
                Tunnels = g.Select(t => t.DisplayName).ToList(),
                RequestsSent = usage.RequestsSent(g.Key),
                BudgetPer5Minutes = budgets.FirstOrDefault(b => b.Tunnels.SequenceEqual(g.Select(t => t.DisplayName)))?.Steady ?? 0,
                RateLimitedUntil = usage.BlockedUntil(g.Key),
            }).ToList(),
        };
        Latest = snapshot;
        var error = stateFile.TryWrite(snapshot);
        var fresh = error is not null && error != _lastError;
        _lastError = error;
        return fresh ? error : null;
    }

    /// <summary>Removes the state file.</summary>
    public void Withdraw() => stateFile.Delete();
}

/// <summary>How the check cycles go, as the loop saw them.</summary>
/// <param name="LastCompleted">When the last cycle that ran to its end finished (UTC); null before the first.</param>
/// <param name="ConsecutiveFailures">Cycles failed in a row; 0 while they run to their end.</param>
/// <param name="LastError">Why the last cycle failed; null while they run to their end.</param>
public sealed record CycleStatus(DateTimeOffset? LastCompleted, int ConsecutiveFailures, string? LastError);
