namespace FakeCloudflareApi;

// Bodies of the /_fake/ admin API and of the seed file.

/// <summary>
/// A tunnel to add. <c>connectors</c>: ids registered with 4 connections each; when present, even empty, the tunnel
/// counts as having run, so with no connector its derived status is <c>down</c> (absent: <c>inactive</c>).
/// <c>status</c>: optional override, as <see cref="FakeCloudflare.SetStatus"/>.
/// </summary>
internal sealed record SeedTunnel(
    string AccountId, string TunnelId, string Name, string Token, IReadOnlyList<string>? Connectors = null, string? Status = null);

/// <summary>Seed file: <c>{"tunnels":[...]}</c>.</summary>
internal sealed record SeedFile(IReadOnlyList<SeedTunnel> Tunnels);

internal sealed record StatusBody(string? Status, int? Reads = null);

internal sealed record LatencyBody(int LatencyMs);

internal sealed record AdminError(string Error);

/// <summary>The body a real cloudflared's <c>/ready</c> answers (camelCase, unlike the API).</summary>
internal sealed record ReadyBody(
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("readyConnections")] int ReadyConnections,
    [property: JsonPropertyName("connectorId")] string ConnectorId);
