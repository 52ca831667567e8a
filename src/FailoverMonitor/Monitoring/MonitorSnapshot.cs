using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// What the monitor knows, published after start-up and after every cycle (<see cref="IStatusOutput"/>) for the
/// operator-facing parts, which render it; the loop never formats it itself. Times are <see cref="Instant"/>s.
/// </summary>
/// <param name="Settings">The configuration in force (reloaded tunnels and checks included; the records read at start only keep their running values).</param>
/// <param name="Tokens">The tunnels' tokens (its ToString never shows one).</param>
/// <param name="ConfigPath">The configuration file.</param>
/// <param name="GatewayIp">The gateway's address, as probed.</param>
/// <param name="GatewayReachable">Whether the gateway answered the last probe; null before the first.</param>
/// <param name="LastGoodCycle">When the last cycle that ran to its end finished; null before the first.</param>
/// <param name="FailingSince">When the first of the cycles failing in a row ended; null while cycles run to their end.</param>
/// <param name="FailedCycles">Cycles failed in a row; 0 while they run to their end.</param>
/// <param name="CycleError">Why the last cycle failed; null while they run to their end.</param>
/// <param name="Tunnels">One view per tunnel, in configuration order.</param>
public sealed record MonitorSnapshot(
    MonitorSettings Settings,
    TunnelTokens Tokens,
    string ConfigPath,
    string GatewayIp,
    bool? GatewayReachable,
    Instant? LastGoodCycle,
    Instant? FailingSince,
    int FailedCycles,
    string? CycleError,
    IReadOnlyList<TunnelView> Tunnels);

/// <summary>One tunnel as the monitor knows it.</summary>
/// <param name="Settings">The tunnel's configuration.</param>
/// <param name="State">The policy's state: counts, backup unit (as last read), last action, hold.</param>
/// <param name="UnitKnown">Whether the backup unit's state could be read at the last try.</param>
/// <param name="Status">The last status the API gave; null before the first.</param>
/// <param name="UnknownReason">Why the status is unknown now (the API gives no usable answer); null while it answers.</param>
/// <param name="LastObservation">The last observation (its connectors when fetched); null before the first.</param>
public sealed record TunnelView(
    TunnelSettings Settings,
    TunnelState State,
    bool UnitKnown,
    TunnelStatus? Status,
    string? UnknownReason,
    TunnelObservation? LastObservation)
{
    /// <summary>The tunnel's name in logs.</summary>
    public string Name => Settings.Name;

    /// <summary>The backup unit.</summary>
    public string Service => Settings.Service;

    /// <summary>Whether the status is unknown now.</summary>
    public bool IsUnknown => UnknownReason is not null;

    /// <summary>The status as Cloudflare spells it (<c>healthy</c>, <c>down</c>, …), <c>unknown</c> while the API gives no usable answer; null before the first.</summary>
    public string? StatusText => IsUnknown ? "unknown" : Status?.ToApiString();

    /// <summary>The distinct ids of the live connectors at the last observation; null when connectors were not read.</summary>
    public IReadOnlyList<string>? LiveConnectors => LastObservation?.Connectors?.Where(c => c.IsLive).Select(c => c.Id).Distinct().ToList();

    /// <summary>Whether the backup unit is active; null while its state cannot be read.</summary>
    public bool? BackupActive => UnitKnown ? State.BackupActive : null;
}
