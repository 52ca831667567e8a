using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FakeCloudflareApi;

/// <summary>
/// The <c>/_fake/</c> admin API (no auth, test-only) for out-of-process use: every route calls the same
/// <see cref="FakeCloudflare"/> method a test would call in-process. Not recorded, never faulted, no latency.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/_fake";
    private const int DefaultConnections = 4;

    public static void Map(IEndpointRouteBuilder app, FakeCloudflare fake)
    {
        var admin = app.MapGroup(Prefix);
        admin.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (KeyNotFoundException e)
            {
                return TypedResults.Json(new AdminError(e.Message), FakeJson.Default.AdminError, statusCode: StatusCodes.Status404NotFound);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return TypedResults.Json(new AdminError(e.Message), FakeJson.Default.AdminError, statusCode: StatusCodes.Status400BadRequest);
            }
        });

        admin.MapGet("/tunnels", () => TypedResults.Json(fake.GetTunnels(), FakeJson.Default.IReadOnlyListTunnelSnapshot));
        admin.MapPost("/tunnels", async Task<IResult> (HttpContext ctx) =>
        {
            var body = await ReadAsync(ctx, FakeJson.Default.SeedTunnel);
            fake.AddTunnel(body);
            return Tunnel(fake, body.TunnelId);
        });
        admin.MapGet("/tunnels/{tunnelId}", (string tunnelId) => Tunnel(fake, tunnelId));
        admin.MapPut("/tunnels/{tunnelId}/connectors/{connectorId}", (string tunnelId, string connectorId, int? connections) =>
        {
            fake.AddConnector(tunnelId, connectorId, connections ?? DefaultConnections);
            return Tunnel(fake, tunnelId);
        });
        admin.MapDelete("/tunnels/{tunnelId}/connectors/{connectorId}", (string tunnelId, string connectorId) =>
            fake.RemoveConnector(tunnelId, connectorId)
                ? Tunnel(fake, tunnelId)
                : throw new KeyNotFoundException($"Tunnel {tunnelId} has no connector {connectorId}."));
        admin.MapPost("/tunnels/{tunnelId}/connectors/{connectorId}/pending", (string tunnelId, string connectorId) =>
        {
            fake.MarkConnectorPendingReconnect(tunnelId, connectorId);
            return Tunnel(fake, tunnelId);
        });
        admin.MapPut("/tunnels/{tunnelId}/status", async Task<IResult> (string tunnelId, HttpContext ctx) =>
        {
            var body = await ReadAsync(ctx, FakeJson.Default.StatusBody);
            fake.SetStatus(tunnelId, body.Status, body.Reads);
            return Tunnel(fake, tunnelId);
        });
        admin.MapPost("/faults", async Task<IResult> (HttpContext ctx) =>
        {
            fake.InjectFault(await ReadAsync(ctx, FakeJson.Default.FakeFault));
            return TypedResults.NoContent();
        });
        admin.MapDelete("/faults", () =>
        {
            fake.ClearFaults();
            return TypedResults.NoContent();
        });
        admin.MapGet("/requests", () => TypedResults.Json(fake.Requests, FakeJson.Default.IReadOnlyListRecordedRequest));
        admin.MapDelete("/requests", () =>
        {
            fake.ClearRequests();
            return TypedResults.NoContent();
        });
        admin.MapPut("/latency", async Task<IResult> (HttpContext ctx) =>
        {
            fake.Latency = TimeSpan.FromMilliseconds((await ReadAsync(ctx, FakeJson.Default.LatencyBody)).LatencyMs);
            return TypedResults.NoContent();
        });
    }

    private static IResult Tunnel(FakeCloudflare fake, string tunnelId) =>
        fake.GetTunnel(tunnelId) is { } tunnel
            ? TypedResults.Json(tunnel, FakeJson.Default.TunnelSnapshot)
            : throw new KeyNotFoundException($"No tunnel {tunnelId} in the fake.");

    /// <summary>Reads the body whatever its Content-Type (curl -d sends form encoding).</summary>
    private static async Task<T> ReadAsync<T>(HttpContext ctx, JsonTypeInfo<T> typeInfo) =>
        await JsonSerializer.DeserializeAsync(ctx.Request.Body, typeInfo, ctx.RequestAborted)
            ?? throw new ArgumentException("The request body is JSON null.");
}
