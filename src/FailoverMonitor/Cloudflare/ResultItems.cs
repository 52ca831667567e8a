using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FailoverMonitor.Text;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Reads the items of a list <c>result</c> one by one, so that one bad item (a <c>null</c>, a wrong type, a
/// value out of range) spoils that item only, and cleans every string an item brings (<see cref="SafeText"/>).
/// </summary>
internal static class ResultItems
{
    /// <summary>Each element of <paramref name="result"/>, or null where it cannot be read; the reason goes with it.</summary>
    /// <exception cref="CloudflareApiException">Kind <see cref="ApiFailureKind.MalformedBody"/>: the result is not a list.</exception>
    public static IEnumerable<(T? Item, JsonElement Element, string? Problem)> Read<T>(JsonElement result, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (result.ValueKind != JsonValueKind.Array)
        {
            throw new CloudflareApiException(ApiFailureKind.MalformedBody, $"result is {result.ValueKind}, not a list");
        }

        var index = 0;
        foreach (var element in result.EnumerateArray())
        {
            yield return ReadOne(element, index++, typeInfo);
        }
    }

    /// <summary>A tunnel item that could not be read, with its id when the item still names one.</summary>
    public static CloudflareTunnel UnreadableTunnel(JsonElement element, string problem) => new()
    {
        Id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? TryGetString(id)
            : null,
        Problem = problem,
    };

    /// <summary>Cleans the strings of <paramref name="tunnel"/>.</summary>
    public static CloudflareTunnel Clean(CloudflareTunnel tunnel)
    {
        tunnel.Id = SafeText.Clean(tunnel.Id);
        tunnel.Name = SafeText.Clean(tunnel.Name);
        tunnel.Status = SafeText.Clean(tunnel.Status);
        return tunnel;
    }

    /// <summary>Cleans the strings of <paramref name="connector"/> and drops its connections that are null.</summary>
    public static CloudflareConnector Clean(CloudflareConnector connector)
    {
        connector.Id = SafeText.Clean(connector.Id);
        connector.Conns?.RemoveAll(c => c is null);
        foreach (var conn in connector.Conns ?? [])
        {
            conn.Id = SafeText.Clean(conn.Id);
            conn.ClientId = SafeText.Clean(conn.ClientId);
            conn.ColoName = SafeText.Clean(conn.ColoName);
        }

        return connector;
    }

    private static (T?, JsonElement, string?) ReadOne<T>(JsonElement element, int index, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, element, $"item {index} is {element.ValueKind}, not an object");
        }

        try
        {
            return (element.Deserialize(typeInfo), element, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return (null, element, $"item {index} cannot be read: {SafeText.Clean(e.Message)}");
        }
    }

    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return SafeText.Clean(value.GetString());
        }
        catch (InvalidOperationException)
        {
            return null; // not valid UTF-8: no id to tell
        }
    }
}
