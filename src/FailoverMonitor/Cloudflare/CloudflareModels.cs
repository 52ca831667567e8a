namespace FailoverMonitor.Cloudflare;

// Wire shapes of the Cloudflare API (Zero Trust › Tunnels › cloudflared). Only the fields the monitor reads;
// unknown fields are ignored so API additions never break parsing.

/// <summary>The envelope around every Cloudflare API answer: <c>{success, errors, messages, result, result_info}</c>.</summary>
public sealed class ApiEnvelope<T>
{
    /// <summary>Whether the call succeeded; a 2xx with <c>false</c> is an error.</summary>
    public bool Success { get; set; }

    /// <summary>Error entries, each <c>{code, message}</c>.</summary>
    public List<ApiMessage>? Errors { get; set; }

    /// <summary>The payload.</summary>
    public T? Result { get; set; }

    /// <summary>Paging of list calls.</summary>
    public ResultInfo? ResultInfo { get; set; }

    /// <summary>The response's <c>Date</c> header: the API's clock when it answered (not part of the body).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset? ServerDate { get; set; }
}

/// <summary>One <c>errors[]</c> entry.</summary>
public sealed class ApiMessage
{
    /// <summary>Cloudflare's numeric code, e.g. 10000 (authentication error).</summary>
    public int Code { get; set; }

    /// <summary>Human-readable text, as the API sent it (clean it before showing it).</summary>
    public string? Message { get; set; }

    /// <summary>The errors underneath this one, e.g. 6111 under 6003 for a malformed Authorization header.</summary>
    public List<ApiMessage>? ErrorChain { get; set; }
}

/// <summary><c>result_info</c> of a list call.</summary>
public sealed class ResultInfo
{
    /// <summary>1-based page number.</summary>
    public int Page { get; set; }

    /// <summary>Items per page.</summary>
    public int PerPage { get; set; }

    /// <summary>Items on this page.</summary>
    public int Count { get; set; }

    /// <summary>Items on all pages.</summary>
    public int TotalCount { get; set; }
}

/// <summary>A tunnel object (<c>GET /accounts/{account_id}/cfd_tunnel/{tunnel_id}</c> or an item of the list call).</summary>
public sealed class CloudflareTunnel
{
    /// <summary>Tunnel id (UUID).</summary>
    public string? Id { get; set; }

    /// <summary>Tunnel name.</summary>
    public string? Name { get; set; }

    /// <summary><c>healthy</c>, <c>degraded</c>, <c>down</c> or <c>inactive</c>.</summary>
    public string? Status { get; set; }

    /// <summary>When the tunnel last lost its last connection.</summary>
    public DateTimeOffset? ConnsInactiveAt { get; set; }

    /// <summary>When the tunnel last gained a connection.</summary>
    public DateTimeOffset? ConnsActiveAt { get; set; }

    /// <summary>Why this list item could not be read (its other fields are then empty, bar <see cref="Id"/> when it named one); null for a good item. Set by the client.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Problem { get; set; }

    /// <summary>The API's clock when it sent this object (the response's <c>Date</c>); set by the client.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset? ObservedAt { get; set; }

    /// <summary>
    /// How long the tunnel has been without a connection by the API's own clock: <see cref="ObservedAt"/> minus
    /// <see cref="ConnsInactiveAt"/>, when the loss came after the last connection; otherwise null. <c>Date</c> has
    /// whole seconds only, so a loss within the same second counts as zero.
    /// </summary>
    public TimeSpan? InactiveFor =>
        ObservedAt is { } observed && ConnsInactiveAt is { } inactive && (ConnsActiveAt is null || inactive > ConnsActiveAt)
            ? (observed > inactive ? observed - inactive : TimeSpan.Zero)
            : null;
}

/// <summary>A connector (<c>cloudflared</c> client) from <c>GET …/cfd_tunnel/{tunnel_id}/connections</c>.</summary>
public sealed class CloudflareConnector
{
    /// <summary>Connector id (the <c>client_id</c> of its connections), new at every <c>cloudflared</c> start.</summary>
    public string? Id { get; set; }

    /// <summary>Its connections to Cloudflare's edge (normally 4).</summary>
    public List<CloudflareConnection>? Conns { get; set; }
}

/// <summary>One edge connection of a connector.</summary>
public sealed class CloudflareConnection
{
    /// <summary>Connection id.</summary>
    public string? Id { get; set; }

    /// <summary>The connector holding it.</summary>
    public string? ClientId { get; set; }

    /// <summary>Edge data centre, e.g. <c>icn01</c>.</summary>
    public string? ColoName { get; set; }

    /// <summary>True for a ghost of a disconnected client, still listed for a few minutes; not live.</summary>
    public bool IsPendingReconnect { get; set; }
}

/// <summary>The result of <c>GET /user/tokens/verify</c> or <c>GET /accounts/{account_id}/tokens/verify</c>.</summary>
public sealed class TokenVerification
{
    /// <summary>Token id (not the secret).</summary>
    public string? Id { get; set; }

    /// <summary><c>active</c>, <c>disabled</c> or <c>expired</c>.</summary>
    public string? Status { get; set; }

    /// <summary>When it expires, if it does.</summary>
    public DateTimeOffset? ExpiresOn { get; set; }
}

/// <summary>The <c>/ready</c> answer of a local <c>cloudflared</c>'s metrics server.</summary>
public sealed class CloudflaredReadiness
{
    /// <summary>HTTP status it reports (200 when it has at least one edge connection).</summary>
    public int Status { get; set; }

    /// <summary>Edge connections it holds.</summary>
    public int ReadyConnections { get; set; }

    /// <summary>Its connector id.</summary>
    public string? ConnectorId { get; set; }
}
