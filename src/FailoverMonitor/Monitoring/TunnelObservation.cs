using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// What one cycle learnt about a tunnel. <see cref="Status"/> null means Unknown (the API gave no usable answer;
/// <see cref="Failure"/> says why): Unknown never counts toward an action.
/// </summary>
public sealed record TunnelObservation
{
    /// <summary>The tunnel's Cloudflare status, or null when Unknown.</summary>
    public TunnelStatus? Status { get; init; }

    /// <summary>Why the status is Unknown.</summary>
    public CloudflareApiException? Failure { get; init; }

    /// <summary>Connectors from the connections endpoint; null when not fetched this cycle or the call failed.</summary>
    public IReadOnlyList<Connector>? Connectors { get; init; }

    /// <summary>Why <see cref="Connectors"/> is null although they were needed.</summary>
    public CloudflareApiException? ConnectorsFailure { get; init; }

    /// <summary>How long the tunnel has had no connection by the API's clock (<c>conns_inactive_at</c> against the response's <c>Date</c>), when known.</summary>
    public TimeSpan? InactiveFor { get; init; }

    /// <summary>The local backup's connector id from its <c>/ready</c>, when known.</summary>
    public string? LocalConnectorId { get; init; }

    /// <summary>Whether the status is Unknown.</summary>
    public bool IsUnknown => Status is null;

    /// <summary>An observation with a status.</summary>
    public static TunnelObservation Of(TunnelStatus status) => new() { Status = status };

    /// <summary>An Unknown observation.</summary>
    public static TunnelObservation Unknown(CloudflareApiException failure) => new() { Failure = failure };
}

/// <summary>A connector of a tunnel; <see cref="IsLive"/> is false for ghosts whose every connection is <c>is_pending_reconnect</c>.</summary>
public sealed record Connector(string Id, bool IsLive)
{
    /// <summary>Maps an API connector: live when at least one of its connections is not pending reconnect.</summary>
    public static Connector From(CloudflareConnector connector) =>
        new(connector.Id ?? "", connector.Conns?.Any(c => !c.IsPendingReconnect) == true);
}
