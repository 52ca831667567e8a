namespace FailoverMonitor.Cloudflare;

/// <summary>Cloudflare's tunnel statuses (API reference, Zero Trust › Tunnels).</summary>
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

/// <summary>Conversions between <see cref="TunnelStatus"/> and the API's lower-case words.</summary>
public static class TunnelStatuses
{
    /// <summary>Parses <c>healthy</c>, <c>degraded</c>, <c>down</c>, <c>inactive</c>; null for anything else.</summary>
    public static TunnelStatus? Parse(string? value) => value switch
    {
        "healthy" => TunnelStatus.Healthy,
        "degraded" => TunnelStatus.Degraded,
        "down" => TunnelStatus.Down,
        "inactive" => TunnelStatus.Inactive,
        _ => null,
    };

    /// <summary>The API's word for <paramref name="status"/>.</summary>
    public static string ToApiString(this TunnelStatus status) => status switch
    {
        TunnelStatus.Healthy => "healthy",
        TunnelStatus.Degraded => "degraded",
        TunnelStatus.Down => "down",
        _ => "inactive",
    };
}
