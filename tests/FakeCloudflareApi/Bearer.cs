namespace FakeCloudflareApi;

internal static class Bearer
{
    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null when absent or of another scheme.</summary>
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
