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

    // The tokens' groups and budgets change only with the configuration (start, reload), not every cycle.
    private (MonitorSettings Settings, TunnelTokens Tokens, List<TokenGroup> Groups)? _tokenGroups;

    /// <summary>Why the last write failed, or null.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc />
    public void Publish(MonitorSnapshot snapshot)
    {
        var settings = snapshot.Settings;
        var groups = TokenGroups(settings, snapshot.Tokens);
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
            Tokens = groups.Select(g => new TokenStatusEntry
            {
                Tunnels = g.Tunnels,
                RequestsSent = usage.RequestsSent(g.Token),
                BudgetPer5Minutes = g.BudgetPer5Minutes,
                RateLimitedUntil = usage.BlockedUntil(g.Token),
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

    private List<TokenGroup> TokenGroups(MonitorSettings settings, TunnelTokens tokens)
    {
        if (_tokenGroups is { } cached && ReferenceEquals(cached.Settings, settings) && ReferenceEquals(cached.Tokens, tokens))
        {
            return cached.Groups;
        }

        // A reload may regroup tunnels by token: metrics name tokens by their current tunnels.
        usage.NameTokens(settings.Tunnels, tokens);
        var budgets = ApiBudget.Compute(settings, tokens); // grouped by GroupByToken too, in the same order
        var groups = tokens.GroupByToken(settings.Tunnels)
            .Select((g, i) => new TokenGroup(g.Key, [.. g.Select(t => t.Name)], budgets[i].Steady))
            .ToList();
        _tokenGroups = (settings, tokens, groups);
        return groups;
    }

    private sealed record TokenGroup(ApiToken Token, List<string> Tunnels, int BudgetPer5Minutes);
}
