namespace FailoverMonitor.Configuration;

/// <summary>
/// Cloudflare's tunnel statuses (API reference, Zero Trust › Tunnels). Here in Configuration because
/// <c>failover_on</c> lists them (<see cref="CheckSettings.FailoverOn"/>); the Cloudflare client reads them from the API.
/// </summary>
public enum TunnelStatus
{
    /// <summary>Never run.</summary>
    Inactive,

    /// <summary>Serving, with some connections unhealthy.</summary>
    Degraded,

    /// <summary>Serving.</summary>
    Healthy,

    /// <summary>No connection to the edge.</summary>
    Down,
}

/// <summary>Conversions between <see cref="TunnelStatus"/> and the API's (and the file's) lower-case words.</summary>
public static class TunnelStatuses
{
    /// <summary>Every status and its word.</summary>
    public static ConfigWords<TunnelStatus> Words { get; } = new(
        ("healthy", TunnelStatus.Healthy), ("degraded", TunnelStatus.Degraded), ("down", TunnelStatus.Down), ("inactive", TunnelStatus.Inactive));

    /// <summary>The statuses <c>failover_on</c> may list (healthy can never count as failed).</summary>
    public static ConfigWords<TunnelStatus> Failable { get; } = new(
        ("down", TunnelStatus.Down), ("inactive", TunnelStatus.Inactive), ("degraded", TunnelStatus.Degraded));

    /// <summary>Parses <c>healthy</c>, <c>degraded</c>, <c>down</c>, <c>inactive</c>; null for anything else.</summary>
    public static TunnelStatus? Parse(string? value) => Words.Parse(value);

    /// <summary>The API's word for <paramref name="status"/>.</summary>
    public static string ToApiString(this TunnelStatus status) => Words.Word(status);
}
