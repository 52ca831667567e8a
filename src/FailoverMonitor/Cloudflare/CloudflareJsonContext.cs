using System.Text.Json.Serialization;

namespace FailoverMonitor.Cloudflare;

/// <summary>Source-generated JSON metadata for the Cloudflare API and <c>cloudflared</c>'s <c>/ready</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiEnvelope<CloudflareTunnel>))]
[JsonSerializable(typeof(ApiEnvelope<List<CloudflareTunnel>>))]
[JsonSerializable(typeof(ApiEnvelope<List<CloudflareConnector>>))]
[JsonSerializable(typeof(ApiEnvelope<System.Text.Json.JsonElement>))]
[JsonSerializable(typeof(ApiEnvelope<TokenVerification>))]
internal sealed partial class CloudflareJsonContext : JsonSerializerContext;

/// <summary><c>/ready</c> uses camelCase, unlike the API.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CloudflaredReadiness))]
internal sealed partial class CloudflaredJsonContext : JsonSerializerContext;
