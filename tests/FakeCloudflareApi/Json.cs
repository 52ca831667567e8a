namespace FakeCloudflareApi;

/// <summary>Source-generated JSON for every shape the fake reads or writes: snake_case, nulls written (Cloudflare sends <c>deleted_at: null</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(Envelope<TunnelDto>))]
[JsonSerializable(typeof(Envelope<IReadOnlyList<TunnelDto>>))]
[JsonSerializable(typeof(Envelope<IReadOnlyList<ConnectorDto>>))]
[JsonSerializable(typeof(Envelope<TokenVerifyDto>))]
[JsonSerializable(typeof(Envelope<string>))]
[JsonSerializable(typeof(SeedTunnel))]
[JsonSerializable(typeof(SeedFile))]
[JsonSerializable(typeof(StatusBody))]
[JsonSerializable(typeof(LatencyBody))]
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(ReadyBody))]
[JsonSerializable(typeof(FakeFault))]
[JsonSerializable(typeof(TunnelSnapshot))]
[JsonSerializable(typeof(IReadOnlyList<TunnelSnapshot>))]
[JsonSerializable(typeof(IReadOnlyList<RecordedRequest>))]
internal sealed partial class FakeJson : JsonSerializerContext;
