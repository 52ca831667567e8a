using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>The worker's per-tunnel bookkeeping: the policy's state plus what was last logged, so lines mark changes only.</summary>
internal sealed class TunnelRuntime(TunnelOptions options)
{
    public TunnelOptions Options { get; } = options;

    public string Name => Options.DisplayName;

    public string Service => Options.Service!;

    public TunnelState State { get; set; } = new(BackupActive: false);

    /// <summary>Whether the unit's state was read this cycle; no decision without it.</summary>
    public bool UnitKnown { get; set; }

    public string? LastUnitError { get; set; }

    public TunnelStatus? LastStatus { get; set; }

    /// <summary>The last Unknown reason logged; null while the API answers.</summary>
    public string? LastFailure { get; set; }
}
