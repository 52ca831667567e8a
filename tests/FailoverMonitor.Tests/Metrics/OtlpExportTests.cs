using System.Text;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>The real OpenTelemetry SDK and OTLP exporter posting to a collector stand-in on 127.0.0.1.</summary>
public sealed class OtlpExportTests
{
    private const int Exporting = 93;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://127.0.0.1:4318", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("http://127.0.0.1:4318/", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("https://collector.example:4318/otlp/v1/metrics", "https://collector.example:4318/otlp/v1/metrics")]
    public void MetricsUri_DefaultPathOnlyWhenNoneGiven(string endpoint, string expected) =>
        Assert.Equal(new Uri(expected), OtlpExport.MetricsUri(new Uri(endpoint)));

    [Fact]
    public async Task Stop_AfterAFailover_PostsTheMetricsAsOtlpProtobuf()
    {
        var received = new TaskCompletionSource<(string Path, string? ContentType, byte[] Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var collector = await LoopbackServer.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            // Parallel tests may own other "FailoverMonitor" meters; the post that carries ours is the one to check.
            if (Encoding.UTF8.GetString(body.ToArray()).Contains("failover_monitor.tunnel.failovers", StringComparison.Ordinal))
            {
                received.TrySetResult((context.Request.Path, context.Request.ContentType, body.ToArray()));
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
        }, Ct);
        using var rig = new MonitorMetricsTests.Rig(() => null);
        var logs = new CollectingLoggerProvider();
        using var export = new OtlpExport(new Uri($"http://{collector.Address}"), logs.CreateFactory().CreateLogger<OtlpExport>());

        await export.StartAsync(Ct);
        rig.Metrics.OnAction(rig.Options.Tunnels[0], DecisionKind.StartBackup, took: true, "down");
        await export.StopAsync(Ct);

        var (path, contentType, payload) = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal("/v1/metrics", path);
        Assert.Equal("application/x-protobuf", contentType);
        Assert.Contains("failover-monitor", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        Assert.Equal($"Metrics: exporting over OTLP (http/protobuf) to http://{collector.Address}/v1/metrics", Assert.Single(logs.WithId(Exporting)).Message);
    }
}
