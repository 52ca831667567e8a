using System.Net;
using System.Text.Json;

namespace FakeCloudflareApi;

/// <summary>
/// <c>connector</c>: a stand-in for a backup <c>cloudflared</c> under systemd. It registers a connector with the
/// fake's admin API, serves <c>/ready</c> like cloudflared's metrics server, and deregisters on SIGTERM/SIGINT.
/// HTTPS uses the system trust store, never a validation bypass.
/// </summary>
internal static class ConnectorCommand
{
    private static readonly string[] Options = ["--api", "--tunnel", "--metrics", "--connector-id", "--connections"];
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        Uri api;
        string tunnelId, connectorId;
        IPEndPoint metrics;
        int connections;
        try
        {
            var values = CommandLine.Parse(args, Options);
            api = new Uri(CommandLine.Required(values, "--api"), UriKind.Absolute);
            tunnelId = CommandLine.Required(values, "--tunnel");
            connectorId = values.GetValueOrDefault("--connector-id") ?? Guid.NewGuid().ToString();
            connections = CommandLine.Int(values, "--connections", 4, 0);
            var metricsText = values.GetValueOrDefault("--metrics") ?? "127.0.0.1:20241";
            var colon = metricsText.LastIndexOf(':');
            metrics = colon > 0 && int.TryParse(metricsText.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535
                ? CommandLine.EndPoint(metricsText[..colon], port, "--metrics")
                : throw new FormatException("--metrics must be IP:PORT");
        }
        catch (Exception e) when (e is FormatException or UriFormatException)
        {
            return CommandLine.Usage(e.Message);
        }

        var connector = new Uri(api, $"/_fake/tunnels/{Uri.EscapeDataString(tunnelId)}/connectors/{Uri.EscapeDataString(connectorId)}");
        using var signal = new ShutdownSignal();
        using var http = new HttpClient { Timeout = AdminTimeout };
        Console.WriteLine($"Generated Connector ID: {connectorId}");

        var registered = await SendAsync(http, HttpMethod.Put, new Uri(connector, $"?connections={connections}"));
        if (registered is not null)
        {
            Console.Error.WriteLine($"connector: cannot register connector {connectorId} of tunnel {tunnelId} at {connector}: {registered}");
            return 1;
        }

        var exit = 0;
        try
        {
            await using var server = await StartMetricsAsync(metrics, new ReadyBody(200, connections, connectorId));
            Console.WriteLine($"Registered connector {connectorId} for tunnel {tunnelId}; metrics on http://{metrics}/ready");
            await signal.Received;
            await server.StopAsync();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"connector: cannot serve metrics on {metrics}: {e.Message}");
            exit = 1;
        }

        // Deregistering is best effort: a fake that is gone or already dropped us must not fail a systemd stop.
        var deregistered = await SendAsync(http, HttpMethod.Delete, connector);
        Console.WriteLine(deregistered is null
            ? $"Deregistered connector {connectorId}"
            : $"connector: deregistering {connectorId} failed: {deregistered}");
        return exit;
    }

    /// <summary>Null on success, else what went wrong.</summary>
    private static async Task<string?> SendAsync(HttpClient http, HttpMethod method, Uri uri)
    {
        try
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, uri));
            return response.IsSuccessStatusCode
                ? null
                : $"HTTP {(int)response.StatusCode} {(await response.Content.ReadAsStringAsync()).Trim()}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
        }
    }

    private static async Task<WebApplication> StartMetricsAsync(IPEndPoint endPoint, ReadyBody ready)
    {
        var builder = FakeHost.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endPoint));
        var app = builder.Build();
        app.MapGet("/ready", () => TypedResults.Json(ready, FakeJson.Default.ReadyBody));
        app.MapGet("/metrics", () => TypedResults.Text(
            $"# TYPE cloudflared_tunnel_ha_connections gauge\ncloudflared_tunnel_ha_connections {ready.ReadyConnections}\n",
            "text/plain; version=0.0.4"));
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
