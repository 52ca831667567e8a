using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// One tunnel's running state in the <see cref="TunnelSet"/>: the policy's state, its unit as last read, and what was
/// last observed and logged (so log lines mark changes only).
/// </summary>
internal sealed class TunnelRuntime(TunnelSettings settings, ApiToken token, TimeProvider time)
{
    public TunnelSettings Settings { get; private init; } = settings;

    /// <summary>The tunnel's token, compared on reload (a new token is a new tunnel); never printed.</summary>
    public ApiToken Token { get; private init; } = token;

    public string Name => Settings.Name;

    public string Service => Settings.Service;

    public TunnelState State { get; set; } = new(BackupActive: false);

    /// <summary>Whether the unit's state was read this cycle; no decision without it.</summary>
    public bool UnitKnown { get; set; }

    public string? LastUnitError { get; set; }

    /// <summary>Whether a stop was asked for and the unit was still deactivating; the next state read that shows it ended logs the failback.</summary>
    public bool StopPending { get; set; }

    public TunnelStatus? LastStatus { get; set; }

    /// <summary>The status unknown (the API gives no usable answer): since when and why; inactive while it answers.</summary>
    public Reminder Unknown { get; private init; } = new(time, Reminder.DefaultInterval);

    /// <summary>The last Unknown reason as text, for status output.</summary>
    public string? LastFailureMessage { get; set; }

    /// <summary>The last connectors seen (null when not fetched), for status output.</summary>
    public TunnelObservation? LastObservation { get; set; }

    /// <summary>Whether <paramref name="other"/> with <paramref name="otherToken"/> watches the same tunnel with the same unit and credentials.</summary>
    public bool IsSameTunnel(TunnelSettings other, ApiToken otherToken) =>
        string.Equals(Settings.TunnelId, other.TunnelId, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Settings.AccountId, other.AccountId, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Settings.Service, other.Service, StringComparison.Ordinal)
        && Equals(Token, otherToken);

    /// <summary>This tunnel's bookkeeping under reloaded <paramref name="settings"/>; a reload releases a hold.</summary>
    public TunnelRuntime WithSettings(TunnelSettings settings) => new(settings, Token, time)
    {
        // A reload is the operator's word on a hold; the action count of a tunnel not held stays, so reloads cannot defeat max_actions_per_hour.
        State = State.HeldSince is null ? State : State with { HeldSince = null, RecentActions = [] },
        UnitKnown = UnitKnown,
        LastUnitError = LastUnitError,
        StopPending = StopPending,
        LastStatus = LastStatus,
        Unknown = Unknown,
        LastFailureMessage = LastFailureMessage,
        LastObservation = LastObservation,
    };

    /// <summary>This tunnel as the monitor publishes it.</summary>
    public TunnelView View() => new(Settings, State, UnitKnown, LastStatus, Unknown.IsActive ? LastFailureMessage : null, LastObservation);
}
