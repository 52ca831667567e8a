using System.Text.Json.Serialization;

namespace FailoverMonitor.Configuration;

/// <summary>Source-generated (reflection-free) JSON metadata for <c>tunnels.json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(TunnelsFile))]
internal sealed partial class ConfigurationJsonContext : JsonSerializerContext;
