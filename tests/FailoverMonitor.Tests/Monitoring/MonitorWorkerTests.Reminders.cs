using FailoverMonitor.Gateway;
using FakeCloudflareApi;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>Persisting problems: one line on entry, a reminder every five minutes, never a line per cycle; the 429 lock-out.</summary>
public sealed partial class MonitorWorkerTests
{
    private const int TunnelStillUnknown = 16;
    private const int GatewayStillUnreachable = 33;

    [Fact]
    public async Task Cycle_ApiUnknownForTenMinutes_OneReminderEveryFiveMinutes_NoAction()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["check_interval"] = 10);
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();
        h.Api.InjectFault(new FakeFault(FaultKind.SuccessFalse));
        h.PrimaryLeaves();

        // Unknown from 00:00:10: cycles up to 00:05:00 say nothing more, the one at 00:05:10 reminds.
        await h.CycleAsync(30);
        Assert.Empty(h.Logs.WithId(TunnelStillUnknown));
        await h.CycleAsync();
        var reminder = Assert.Single(h.Logs.WithId(TunnelStillUnknown));
        Assert.Equal(LogLevel.Warning, reminder.Level);
        Assert.StartsWith("Tunnel web0 status still unknown since 00:00:10 UTC: HTTP 200 with success:false", reminder.Message);

        await h.CycleAsync(29);
        Assert.Single(h.Logs.WithId(TunnelStillUnknown));
        await h.CycleAsync();
        Assert.Equal(2, h.Logs.WithId(TunnelStillUnknown).Count);

        Assert.Single(h.Logs.WithId(TunnelUnknown));
        Assert.Equal(0, h.Units.Count("start"));
    }

    [Fact]
    public async Task Cycle_GatewayUnreachableForTenMinutes_OneReminderEveryFiveMinutes()
    {
        await using var h = await MonitorHarness.StartAsync(configure: o => o["check_interval"] = 10);
        await h.Worker.InitializeAsync(CancellationToken.None);
        h.Gateway.Answer = new GatewayProbeResult(false, "TimedOut");

        await h.CycleAsync(30);
        Assert.Empty(h.Logs.WithId(GatewayStillUnreachable));
        await h.CycleAsync();
        var reminder = Assert.Single(h.Logs.WithId(GatewayStillUnreachable));
        Assert.Equal(LogLevel.Warning, reminder.Level);
        Assert.Equal("Gateway 192.0.2.1 still unreachable since 00:00:00 UTC. Skipping tunnel monitoring. (TimedOut)", reminder.Message);

        await h.CycleAsync(29);
        Assert.Single(h.Logs.WithId(GatewayStillUnreachable));
        await h.CycleAsync();
        Assert.Equal(2, h.Logs.WithId(GatewayStillUnreachable).Count);
        Assert.Single(h.Logs.WithId(GatewayUnreachable));
        Assert.Equal(61, h.Gateway.Probes);
    }

    [Fact]
    public async Task Cycle_TooManyRequestsRetryAfter30_NoRequestWithTheTokenUntilItPasses_NoAction()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();
        h.Api.ClearRequests();
        h.Api.InjectFault(new FakeFault(FaultKind.TooManyRequests, RetryAfterSeconds: 30, Times: 1));
        h.PrimaryLeaves();
        var probes = h.Gateway.Probes;

        // 30 cycles of 1 s: the first gets the 429, the other 29 send nothing for the token but keep their rhythm.
        await h.CycleAsync(30);

        Assert.Equal(30, h.Gateway.Probes - probes);
        Assert.Equal([429], h.Api.Requests.Where(r => r.Token == MonitorHarness.Token).Select(r => r.StatusCode));
        Assert.Equal(0, h.Units.Count("start"));
        Assert.Contains("HTTP 429", Assert.Single(h.Logs.WithId(TunnelUnknown)).Message);

        // Retry-After has passed: the tunnel is read again and the failover follows the usual threshold.
        await h.CycleAsync();
        Assert.Equal(2, h.Api.CountRequests(r => r.Token == MonitorHarness.Token));
        Assert.Single(h.Logs.WithId(KnownAgain));
        Assert.Equal(0, h.Units.Count("start"));
        await h.CycleAsync();
        Assert.Equal(1, h.Units.Count("start"));
    }
}
