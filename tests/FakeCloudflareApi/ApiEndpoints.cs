using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FakeCloudflareApi;

/// <summary>The faked Cloudflare API routes under <c>/client/v4</c>.</summary>
internal static class ApiEndpoints
{
    public const string Prefix = "/client/v4";
    private const int DefaultPerPage = 20;
    private const int MaxPerPage = 1000;
    private const string Version = "2025.1.0";

    public static void Map(IEndpointRouteBuilder app, FakeState state)
    {
        var api = app.MapGroup(Prefix);
        api.MapGet("/accounts/{accountId}/cfd_tunnel", (string accountId, HttpContext ctx) => ListTunnels(state, accountId, ctx));
        api.MapGet("/accounts/{accountId}/cfd_tunnel/{tunnelId}", (string accountId, string tunnelId, HttpContext ctx) =>
            GetTunnel(state, accountId, tunnelId, ctx));
        api.MapGet("/accounts/{accountId}/cfd_tunnel/{tunnelId}/connections", (string accountId, string tunnelId, HttpContext ctx) =>
            GetConnections(state, accountId, tunnelId, ctx));
        api.MapGet("/user/tokens/verify", (HttpContext ctx) =>
            Verify(Bearer.From(ctx.Request), state.IsKnownToken(Bearer.From(ctx.Request))));
        api.MapGet("/accounts/{accountId}/tokens/verify", (string accountId, HttpContext ctx) =>
            Verify(Bearer.From(ctx.Request), state.Authorize(accountId, Bearer.From(ctx.Request)) == AuthResult.Ok));
        api.MapFallback("{**rest}", (HttpContext ctx) => ApiResults.NoRoute(ctx.Request.Path.Value ?? string.Empty));
    }

    private static IResult ListTunnels(FakeState state, string accountId, HttpContext ctx)
    {
        if (Deny(state, accountId, ctx) is { } denied)
        {
            return denied;
        }

        var query = ctx.Request.Query;
        if (!TryInt(query, "page", 1, out var page) || !TryInt(query, "per_page", DefaultPerPage, out var perPage))
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, 1001, "page and per_page must be integers");
        }

        page = Math.Max(page, 1);
        perPage = Math.Clamp(perPage, 1, MaxPerPage);
        IEnumerable<TunnelSnapshot> tunnels = state.ListAccount(accountId);
        if (string.Equals(query["is_deleted"], "true", StringComparison.OrdinalIgnoreCase))
        {
            tunnels = []; // the fake never deletes a tunnel
        }

        tunnels = Filter(tunnels, query["uuid"], t => t.TunnelId, StringComparison.OrdinalIgnoreCase);
        tunnels = Filter(tunnels, query["name"], t => t.Name, StringComparison.Ordinal);
        tunnels = Filter(tunnels, query["status"], t => t.Status, StringComparison.OrdinalIgnoreCase);
        var all = tunnels.ToList();
        var skip = (int)Math.Min((long)(page - 1) * perPage, int.MaxValue);
        IReadOnlyList<TunnelDto> items = [.. all.Skip(skip).Take(perPage).Select(ToDto)];
        var info = new ResultInfo(page, perPage, items.Count, all.Count, (all.Count + perPage - 1) / perPage);
        return ApiResults.Ok(items, FakeJson.Default.EnvelopeIReadOnlyListTunnelDto, info);
    }

    private static IResult GetTunnel(FakeState state, string accountId, string tunnelId, HttpContext ctx)
    {
        if (FindTunnel(state, accountId, tunnelId, ctx, out var tunnel) is { } error)
        {
            return error;
        }

        state.CountStatusReads([tunnel!.TunnelId]);
        return ApiResults.Ok(ToDto(tunnel), FakeJson.Default.EnvelopeTunnelDto);
    }

    private static IResult GetConnections(FakeState state, string accountId, string tunnelId, HttpContext ctx) =>
        FindTunnel(state, accountId, tunnelId, ctx, out var tunnel)
            ?? ApiResults.Ok<IReadOnlyList<ConnectorDto>>([.. tunnel!.Connectors.Select(ToDto)], FakeJson.Default.EnvelopeIReadOnlyListConnectorDto);

    private static IEnumerable<TunnelSnapshot> Filter(
        IEnumerable<TunnelSnapshot> tunnels, string? wanted, Func<TunnelSnapshot, string> field, StringComparison comparison) =>
        string.IsNullOrEmpty(wanted) ? tunnels : tunnels.Where(t => string.Equals(field(t), wanted, comparison));

    private static bool TryInt(IQueryCollection query, string name, int fallback, out int value)
    {
        var text = query[name].ToString();
        value = fallback;
        return text.Length == 0 || int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    private static IResult? Deny(FakeState state, string accountId, HttpContext ctx) =>
        state.Authorize(accountId, Bearer.From(ctx.Request)) switch
        {
            AuthResult.Ok => null,
            AuthResult.UnknownAccount => ApiResults.NoRoute(ctx.Request.Path.Value ?? string.Empty),
            _ => ApiResults.AuthenticationError(),
        };

    private static IResult? FindTunnel(FakeState state, string accountId, string tunnelId, HttpContext ctx, out TunnelSnapshot? tunnel)
    {
        tunnel = null;
        if (Deny(state, accountId, ctx) is { } denied)
        {
            return denied;
        }

        tunnel = state.Find(tunnelId);
        if (tunnel is null || !string.Equals(tunnel.AccountId, accountId, StringComparison.OrdinalIgnoreCase))
        {
            tunnel = null;
            return ApiResults.TunnelNotFound();
        }

        return null;
    }

    private static IResult Verify(string? token, bool valid) =>
        valid
            ? ApiResults.Ok(new TokenVerifyDto(TokenId(token!), "active", null, null), FakeJson.Default.EnvelopeTokenVerifyDto)
            : ApiResults.InvalidToken();

    /// <summary>A stable id derived from the token, so the token itself never appears in a response.</summary>
    private static string TokenId(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)).AsSpan(0, 16));

    private static TunnelDto ToDto(TunnelSnapshot t) => new(
        t.TunnelId,
        t.AccountId,
        t.Name,
        t.Status,
        t.CreatedAt.UtcDateTime,
        DeletedAt: null,
        t.ConnsActiveAt?.UtcDateTime,
        t.ConnsInactiveAt?.UtcDateTime,
        TunType: "cfd_tunnel",
        ConfigSrc: "cloudflare",
        RemoteConfig: true,
        Metadata: new Dictionary<string, string>(),
        Connections: []); // deprecated field: Cloudflare says it will be empty, so the fake always sends []

    private static ConnectorDto ToDto(ConnectorSnapshot c) => new(
        c.Id,
        Arch: "linux_amd64",
        Version,
        c.RunAt.UtcDateTime,
        ConfigVersion: 0,
        Features: [],
        [.. c.Connections.Select(n => new ConnDto(n.Id, n.Id, c.Id, Version, "icn01", n.OpenedAt.UtcDateTime, "203.0.113.7", n.IsPendingReconnect))]);
}
