namespace FakeCloudflareApi;

// Wire shapes of the Cloudflare API as the fake serves them (snake_case through FakeJsonContext).

internal sealed record ApiMessage(int Code, string Message);

internal sealed record ResultInfo(int Page, int PerPage, int Count, int TotalCount, int TotalPages);

internal sealed record Envelope<T>(bool Success, IReadOnlyList<ApiMessage> Errors, IReadOnlyList<ApiMessage> Messages, T? Result)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResultInfo? ResultInfo { get; init; }
}

internal sealed record TunnelDto(
    string Id,
    string AccountTag,
    string Name,
    string Status,
    DateTime CreatedAt,
    DateTime? DeletedAt,
    DateTime? ConnsActiveAt,
    DateTime? ConnsInactiveAt,
    string TunType,
    string ConfigSrc,
    bool RemoteConfig,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<ConnDto> Connections);

internal sealed record ConnectorDto(
    string Id,
    string Arch,
    string Version,
    DateTime RunAt,
    int ConfigVersion,
    IReadOnlyList<string> Features,
    IReadOnlyList<ConnDto> Conns);

internal sealed record ConnDto(
    string Id,
    string Uuid,
    string ClientId,
    string ClientVersion,
    string ColoName,
    DateTime OpenedAt,
    string OriginIp,
    bool IsPendingReconnect);

internal sealed record TokenVerifyDto(string Id, string Status, DateTime? NotBefore, DateTime? ExpiresOn);
