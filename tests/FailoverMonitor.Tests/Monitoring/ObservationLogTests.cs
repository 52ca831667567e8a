using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Monitoring.MonitoringFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class ObservationLogTests
{
    // Event ids of Logging/Log.cs.
    private const int StatusChanged = 10;
    private const int TunnelUnknown = 12;
    private const int ConfigurationProblem = 13;
    private const int KnownAgain = 14;
    private const int TunnelStillUnknown = 16;
    private const int StillConfigurationProblem = 17;

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly RecordingObserver _observer = new();
    private readonly ObservationLog _log;
    private readonly TunnelRuntime _web;

    public ObservationLogTests()
    {
        _log = new ObservationLog([_observer], _logs.CreateFactory().CreateLogger<ObservationLog>());
        _web = RuntimeOf(Tunnel("web"), _clock);
    }

    [Fact]
    public void Record_SameStatusEveryCycle_OneLinePerChange()
    {
        foreach (var status in new[] { TunnelStatus.Healthy, TunnelStatus.Healthy, TunnelStatus.Down, TunnelStatus.Down, TunnelStatus.Healthy })
        {
            _log.Record(_web, TunnelObservation.Of(status));
        }

        Assert.Equal(["healthy", "down", "healthy"], _logs.WithId(StatusChanged).Select(e => e.Message.Split(' ')[^1]));
        Assert.Equal(TunnelStatus.Healthy, _web.LastStatus);
    }

    [Fact]
    public void Record_UnknownForTenMinutesThenKnown_WarningRemindersEveryFiveMinutesThenAnsweringAgain()
    {
        for (var minute = 0; minute <= 10; minute++)
        {
            _log.Record(_web, Failure(ApiFailureKind.ServerError, "HTTP 500"));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(LogLevel.Warning, Assert.Single(_logs.WithId(TunnelUnknown)).Level);
        Assert.Equal(2, _logs.WithId(TunnelStillUnknown).Count);
        Assert.StartsWith("Tunnel web status still unknown since 00:00:00 UTC: HTTP 500", _logs.WithId(TunnelStillUnknown)[0].Message);
        Assert.Equal("HTTP 500", _web.View().UnknownReason);

        _log.Record(_web, TunnelObservation.Of(TunnelStatus.Healthy));

        Assert.Single(_logs.WithId(KnownAgain));
        Assert.Null(_web.View().UnknownReason);
        Assert.Empty(_observer.Calls);
    }

    [Fact]
    public void Record_ConfigurationProblem_ErrorAndObserverToldOnceThenRemindedAsError()
    {
        for (var minute = 0; minute <= 5; minute++)
        {
            _log.Record(_web, Failure(ApiFailureKind.Unauthorized, "HTTP 403"));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(LogLevel.Error, Assert.Single(_logs.WithId(ConfigurationProblem)).Level);
        Assert.Equal(LogLevel.Error, Assert.Single(_logs.WithId(StillConfigurationProblem)).Level);
        Assert.Equal(["problem web: HTTP 403"], _observer.Calls);
    }

    [Fact]
    public void Record_LockOutSaysNoRequestSent_NotANewProblem()
    {
        _log.Record(_web, Failure(ApiFailureKind.RateLimited, "HTTP 429"));
        _log.Record(_web, Failure(ApiFailureKind.RateLimited, "rate limited for 30 s, no request sent"));
        _log.Record(_web, Failure(ApiFailureKind.ServerError, "HTTP 500"));

        Assert.Equal(["HTTP 429", "HTTP 500"], _logs.WithId(TunnelUnknown).Select(e => e.Message.Split(": ")[1].Split('.')[0]));
    }

    private static TunnelObservation Failure(ApiFailureKind kind, string message) => TunnelObservation.Unknown(new CloudflareApiException(kind, message));
}
