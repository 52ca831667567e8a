using FailoverMonitor.Gateway;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Monitoring.MonitoringFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class GatewayWatchTests
{
    // Event ids of Logging/Log.cs.
    private const int GatewayUnreachable = 30;
    private const int GatewayReachable = 31;
    private const int GatewayProbeError = 32;
    private const int GatewayStillUnreachable = 33;

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly FakeGatewayProbe _probe = new();
    private readonly GatewayWatch _watch;

    public GatewayWatchTests() => _watch = new GatewayWatch(_probe, Settings().Gateway, _clock, _logs.CreateFactory().CreateLogger<GatewayWatch>());

    [Fact]
    public async Task Probe_Reachable_TrueAndNothingLogged()
    {
        Assert.Null(_watch.Reachable);

        Assert.True(await _watch.ProbeAsync(CancellationToken.None));

        Assert.True(_watch.Reachable);
        Assert.Empty(_logs.GetSnapshot());
    }

    [Fact]
    public async Task Probe_UnreachableThenBack_WarningOnceReminderAfterFiveMinutesThenInfo()
    {
        _probe.Answer = new GatewayProbeResult(false, "TimedOut");
        for (var i = 0; i <= 30; i++)
        {
            Assert.False(await _watch.ProbeAsync(CancellationToken.None));
            _clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(LogLevel.Warning, Assert.Single(_logs.WithId(GatewayUnreachable)).Level);
        Assert.Equal("Gateway 192.0.2.1 still unreachable since 00:00:00 UTC. Skipping tunnel monitoring. (TimedOut)", Assert.Single(_logs.WithId(GatewayStillUnreachable)).Message);
        Assert.False(_watch.Reachable);

        _probe.Answer = new GatewayProbeResult(true);
        Assert.True(await _watch.ProbeAsync(CancellationToken.None));
        Assert.Single(_logs.WithId(GatewayReachable));
    }

    [Fact]
    public async Task Probe_ProblemChangesKind_SaidAgainWithItsOwnSince()
    {
        _probe.Answer = new GatewayProbeResult(false, "TimedOut");
        await _watch.ProbeAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        _probe.Answer = new GatewayProbeResult(false, "Operation not permitted", IsProbeError: true);
        await _watch.ProbeAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        _probe.Answer = new GatewayProbeResult(false, "TimedOut");

        for (var i = 0; i < 6; i++)
        {
            await _watch.ProbeAsync(CancellationToken.None);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(LogLevel.Error, Assert.Single(_logs.WithId(GatewayProbeError)).Level);
        Assert.Equal(2, _logs.WithId(GatewayUnreachable).Count);
        Assert.Contains("since 00:02:00 UTC", Assert.Single(_logs.WithId(GatewayStillUnreachable)).Message);
    }

    [Fact]
    public async Task Probe_Throws_PropagatesAndKeepsTheLastAnswer()
    {
        await _watch.ProbeAsync(CancellationToken.None);
        _probe.Throws = new InvalidOperationException("broken");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _watch.ProbeAsync(CancellationToken.None));

        Assert.True(_watch.Reachable);
    }
}
