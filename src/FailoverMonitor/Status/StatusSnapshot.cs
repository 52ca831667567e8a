namespace FailoverMonitor.Status;

// What the running daemon believes, written to the state file after every cycle and read by `failover-monitor
// status`. No token ever appears here: tokens are named by the tunnels that use them.

/// <summary>The whole state file.</summary>
public sealed record StatusSnapshot
{
    /// <summary>The daemon's process id.</summary>
    public int Pid { get; init; }

    /// <summary>
    /// The daemon's start time in clock ticks since boot (<see cref="ProcessIdentity"/>), so <c>status</c> can tell
    /// the daemon from a later process that reuses its pid; null where there is no <c>/proc</c>.
    /// </summary>
    public long? ProcessStartTicks { get; init; }

    /// <summary>The daemon's version.</summary>
    public string Version { get; init; } = "";

    /// <summary>The configuration file in force.</summary>
    public string ConfigPath { get; init; } = "";

    /// <summary>When the daemon started (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>When this snapshot was written (UTC): after the last check cycle, whether it ran to its end or not.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the last check cycle that ran to its end finished (UTC); null before the first.</summary>
    public DateTimeOffset? LastGoodCheckAt { get; init; }

    /// <summary>Check cycles that failed in a row (an error ended them); 0 while they run to their end.</summary>
    public int FailedChecks { get; init; }

    /// <summary>Why the last check cycle failed; null while they run to their end.</summary>
    public string? CheckError { get; init; }

    /// <summary>Seconds between cycles.</summary>
    public double CheckInterval { get; init; }

    /// <summary>Whether decisions are only logged (<c>--dry-run</c>).</summary>
    public bool DryRun { get; init; }

    /// <summary>The gateway's address.</summary>
    public string GatewayIp { get; init; } = "";

    /// <summary>Whether the gateway answered the last probe (null before the first).</summary>
    public bool? GatewayReachable { get; init; }

    /// <summary>One entry per tunnel.</summary>
    public IReadOnlyList<TunnelStatusEntry> Tunnels { get; init; } = [];

    /// <summary>One entry per API token.</summary>
    public IReadOnlyList<TokenStatusEntry> Tokens { get; init; } = [];

    /// <summary>
    /// This snapshot with the nulls a hand-edited or damaged file can hold (JSON <c>null</c> where a text or a
    /// list belongs, <c>null</c> items in lists) replaced by empty values, so every reader can trust the types.
    /// </summary>
    public StatusSnapshot Normalized() => this with
    {
        Version = Version ?? "",
        ConfigPath = ConfigPath ?? "",
        GatewayIp = GatewayIp ?? "",
        Tunnels = (Tunnels ?? []).Where(t => t is not null).Select(t => t with
        {
            Name = t.Name ?? "",
            TunnelId = t.TunnelId ?? "",
            Service = t.Service ?? "",
            LiveConnectors = t.LiveConnectors?.Where(c => c is not null).ToList(),
        }).ToList(),
        Tokens = (Tokens ?? []).Where(t => t is not null).Select(t => t with { Tunnels = (t.Tunnels ?? []).Where(n => n is not null).ToList() }).ToList(),
    };
}

/// <summary>One tunnel as the daemon sees it.</summary>
public sealed record TunnelStatusEntry
{
    /// <summary>Name used in logs.</summary>
    public string Name { get; init; } = "";

    /// <summary>Tunnel id.</summary>
    public string TunnelId { get; init; } = "";

    /// <summary>Cloudflare status (<c>healthy</c>, <c>degraded</c>, <c>down</c>, <c>inactive</c>), <c>unknown</c>, or null before the first check.</summary>
    public string? Status { get; init; }

    /// <summary>Why the status is unknown.</summary>
    public string? UnknownReason { get; init; }

    /// <summary>Live connector ids from the last connections call (null when not fetched).</summary>
    public IReadOnlyList<string>? LiveConnectors { get; init; }

    /// <summary>The local backup's connector id, when known.</summary>
    public string? LocalConnectorId { get; init; }

    /// <summary>The backup unit.</summary>
    public string Service { get; init; } = "";

    /// <summary>Whether the backup unit is active (null when unreadable).</summary>
    public bool? BackupActive { get; init; }

    /// <summary>Since when the backup has been active.</summary>
    public DateTimeOffset? BackupActiveSince { get; init; }

    /// <summary>Consecutive failed checks.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Consecutive primary-back checks.</summary>
    public int ConsecutiveRecoveries { get; init; }

    /// <summary>The last action and its reason.</summary>
    public string? LastAction { get; init; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset? LastActionAt { get; init; }

    /// <summary>Since when the tunnel is on hold (flap guard: no stop or restart, starts still go ahead), or null.</summary>
    public DateTimeOffset? HeldSince { get; init; }

    /// <summary>When the hold ends unless a reload releases it first (an hour after <see cref="HeldSince"/>), or null.</summary>
    public DateTimeOffset? HeldUntil { get; init; }

    /// <summary>No new attempt before this instant (back-off), or null.</summary>
    public DateTimeOffset? RetryAt { get; init; }
}

/// <summary>One API token's use, named by its tunnels (never by its value).</summary>
public sealed record TokenStatusEntry
{
    /// <summary>Tunnels using the token.</summary>
    public IReadOnlyList<string> Tunnels { get; init; } = [];

    /// <summary>Requests sent since start.</summary>
    public long RequestsSent { get; init; }

    /// <summary>Requests per 5 minutes the configuration needs in steady state.</summary>
    public int BudgetPer5Minutes { get; init; }

    /// <summary>Locked out by a 429 until this instant, or null.</summary>
    public DateTimeOffset? RateLimitedUntil { get; init; }
}
