namespace FakeCloudflareApi;

/// <summary>A tunnel's current state in the fake (the bearer token is left out).</summary>
/// <param name="AccountId">Owning account id.</param>
/// <param name="TunnelId">Tunnel id.</param>
/// <param name="Name">Tunnel name.</param>
/// <param name="Status">Status the API reports: the override when set, else derived (<c>healthy</c>, <c>down</c> or <c>inactive</c>).</param>
/// <param name="StatusOverride">Status set with <see cref="FakeCloudflare.SetStatus"/>, or null when derived.</param>
/// <param name="CreatedAt">When the tunnel was added.</param>
/// <param name="ConnsActiveAt">When derived liveness last became live; null while not live.</param>
/// <param name="ConnsInactiveAt">When derived liveness last became not live (or creation); null while live.</param>
/// <param name="Connectors">Connectors in registration order, pending ones included.</param>
public sealed record TunnelSnapshot(
    string AccountId,
    string TunnelId,
    string Name,
    string Status,
    string? StatusOverride,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ConnsActiveAt,
    DateTimeOffset? ConnsInactiveAt,
    IReadOnlyList<ConnectorSnapshot> Connectors)
{
    /// <summary>Ids of connectors holding at least one connection that is not pending reconnect.</summary>
    public IReadOnlyList<string> LiveConnectorIds => [.. Connectors.Where(c => c.IsLive).Select(c => c.Id)];
}

/// <summary>One connector (a <c>cloudflared</c> process) of a tunnel.</summary>
/// <param name="Id">Connector id (<c>client_id</c>).</param>
/// <param name="RunAt">When it was (re)registered.</param>
/// <param name="Connections">Its connections to the edge.</param>
public sealed record ConnectorSnapshot(string Id, DateTimeOffset RunAt, IReadOnlyList<ConnectionSnapshot> Connections)
{
    /// <summary>True when some connection is not pending reconnect.</summary>
    public bool IsLive => Connections.Any(c => !c.IsPendingReconnect);
}

/// <summary>One connection of a connector.</summary>
/// <param name="Id">Connection id (also its <c>uuid</c>).</param>
/// <param name="OpenedAt">When it was opened.</param>
/// <param name="IsPendingReconnect">True once the connector was marked pending reconnect.</param>
public sealed record ConnectionSnapshot(string Id, DateTimeOffset OpenedAt, bool IsPendingReconnect);
