using System.Text.Json;
using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Alerts.AlertFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Alerts;

/// <summary>
/// <see cref="AlertSender"/> against webhook receivers stubbed on a loopback WireMock.Net server (one per class):
/// bodies as received, retries and timeouts on the fake clock, per-target event filters, and log lines that never
/// carry the URL's secrets. The sender is built through <see cref="AlertServiceCollectionExtensions.AddAlerts"/>, as
/// the daemon builds it.
/// </summary>
public sealed class AlertSenderTests : IAsyncDisposable, IClassFixture<WireMockFixture>
{
    private readonly FakeLogCollector _logs = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly WireMockFixture _stubs;
    private int _receivers;

    public AlertSenderTests(WireMockFixture stubs)
    {
        _stubs = stubs;
        stubs.Fresh();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(AlertFormat.Json)]
    [InlineData(AlertFormat.Slack)]
    [InlineData(AlertFormat.Discord)]
    public async Task SendAsync_Format_PostsThatBodyAsJsonToTheUrl(AlertFormat format)
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(200));
        var sender = Sender(Hook(receiver.Url, format));

        var accepted = await sender.SendAsync(Failover(), Ct);

        Assert.Equal(1, accepted);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/services/T0000/{WebhookReceiver.PathSecret}?token={WebhookReceiver.QuerySecret}", request.PathAndQuery);
        Assert.Equal("application/json; charset=utf-8", request.ContentType);
        Assert.Equal(AlertBody.Create(Failover(), format), request.Body);
        using var json = JsonDocument.Parse(request.Body);
        var key = format switch { AlertFormat.Slack => "text", AlertFormat.Discord => "content", _ => "event" };
        Assert.True(json.RootElement.TryGetProperty(key, out _));
        Assert.DoesNotContain(Token, request.Body);
        Assert.Equal(LogLevel.Debug, Assert.Single(_logs.WithId(71)).Level);
    }

    [Fact]
    public async Task SendAsync_500ThenOk_RetriesAfterBackOffAndSucceeds()
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(500), then: WebhookReceiver.Status(204));
        var sender = Sender(Hook(receiver.Url));

        var accepted = await _time.FireDelaysUntilAsync(sender.SendAsync(Failover(), Ct));

        Assert.Equal(1, accepted);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.True(_time.GetUtcNow() > FakeTimeProvider.Start, "the retry waited on the clock");
        Assert.Equal("Alert failover for tunnel web sent to " + receiver.Authority + " (attempt 2)", Assert.Single(_logs.WithId(71)).Message);
        Assert.Empty(_logs.WithId(72));
    }

    [Fact]
    public async Task SendAsync_Always500_GivesUpAfterMaxAttemptsWithOneWarningNamingHostOnly()
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(500).WithBody($"internal error at /services/T0000/{WebhookReceiver.PathSecret}"));
        var sender = Sender(Hook(receiver.Url));

        var accepted = await _time.FireDelaysUntilAsync(sender.SendAsync(Failover(), Ct));

        Assert.Equal(0, accepted);
        Assert.Equal(AlertSender.MaxAttempts, receiver.Requests.Count);
        var warning = Assert.Single(_logs.WithId(72));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal($"Alert failover for tunnel web: alert to {receiver.Authority} failed after 3 attempt(s): HTTP 500 (internal error at …)", warning.Message);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task SendAsync_ClientError_NotRetried(int status)
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(status));
        var sender = Sender(Hook(receiver.Url));

        var accepted = await sender.SendAsync(Failover(), Ct);

        Assert.Equal(0, accepted);
        Assert.Single(receiver.Requests);
        Assert.EndsWith($"failed after 1 attempt(s): HTTP {status}", Assert.Single(_logs.WithId(72)).Message);
    }

    [Fact]
    public async Task SendAsync_429WithRetryAfter_WaitsThatLongThenRetries()
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(429).WithHeader("Retry-After", "7"), then: WebhookReceiver.Status(200));
        var sender = Sender(Hook(receiver.Url));

        var sending = sender.SendAsync(Failover(), Ct);
        await _time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(7));
        Assert.Single(receiver.Requests);
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(1, await sending.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(2, receiver.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_ReceiverHangs_EachAttemptTimesOutOnTheClock()
    {
        var receiver = Receiver().Answer(_stubs.Hang());
        var sender = Sender(Hook(receiver.Url));

        var accepted = await TimeOutEveryAttemptAsync(sender.SendAsync(Failover(), Ct));

        Assert.Equal(0, accepted);
        Assert.Equal(AlertSender.MaxAttempts, _stubs.HungRequests);
        Assert.Empty(receiver.Requests); // none was answered
        Assert.True(_time.GetUtcNow() - FakeTimeProvider.Start >= AlertSender.MaxAttempts * AlertSender.AttemptTimeout);
        Assert.EndsWith($"alert to {receiver.Authority} failed after 3 attempt(s): no answer within 10 s", Assert.Single(_logs.WithId(72)).Message);
    }

    [Fact]
    public async Task SendAsync_OneTargetHangs_OtherTargetStillGetsItAtOnce()
    {
        var hung = Receiver().Answer(_stubs.Hang());
        var healthy = Receiver().Answer(WebhookReceiver.Status(200));
        var sender = Sender(Hook(hung.Url), Hook(healthy.Url, AlertFormat.Slack));

        var sending = sender.SendAsync(Failover(), Ct);
        await _logs.WaitForAsync(entries => entries.Any(e => e.Id.Id == 71));

        Assert.Single(healthy.Requests);
        Assert.False(sending.IsCompleted);
        Assert.Equal(1, await TimeOutEveryAttemptAsync(sending));
        Assert.Empty(hung.Requests);
    }

    [Fact]
    public async Task SendAsync_EventFilter_OnlyTargetsThatListTheEvent()
    {
        var failovers = Receiver().Answer(WebhookReceiver.Status(200));
        var holds = Receiver().Answer(WebhookReceiver.Status(200));
        var sender = Sender(
            Hook(failovers.Url, events: [AlertEvent.Failover, AlertEvent.Failback]),
            Hook(holds.Url, events: AlertEvent.Hold));

        Assert.Equal(1, await sender.SendAsync(Failover(), Ct));
        Assert.Equal(1, await sender.SendAsync(Failover() with { Event = AlertEvent.Hold, Took = null }, Ct));
        Assert.Equal(0, await sender.SendAsync(Failover() with { Event = AlertEvent.ConfigProblem, Took = null }, Ct));

        Assert.Equal("failover", JsonDocument.Parse(Assert.Single(failovers.Requests).Body).RootElement.GetProperty("event").GetString());
        Assert.Equal("hold", JsonDocument.Parse(Assert.Single(holds.Requests).Body).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task SendAsync_NothingListening_FailsWithoutRetryingForeverOrLoggingThePath()
    {
        var url = $"http://127.0.0.1:{LoopbackPort.Unused()}/services/T0000/{WebhookReceiver.PathSecret}";
        var sender = Sender(Hook(url));

        var accepted = await _time.FireDelaysUntilAsync(sender.SendAsync(Failover(), Ct));

        Assert.Equal(0, accepted);
        var warning = Assert.Single(_logs.WithId(72));
        Assert.Contains("failed after 3 attempt(s): ConnectionError", warning.Message);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task Running_AlertsQueuedAndFailed_NoLogLineCarriesTheUrlSecrets()
    {
        var receiver = Receiver().Answer(WebhookReceiver.Status(500));
        var provider = Provider(Hook(receiver.Url), Hook(receiver.Url, AlertFormat.Discord));
        var sender = provider.GetServices<IHostedService>().OfType<AlertSender>().Single();
        var queue = provider.GetRequiredService<AlertQueue>();
        await sender.StartAsync(Ct);

        queue.Enqueue(Failover());
        await _time.FireDelaysUntilAsync(_logs.WaitForAsync(entries => entries.Count(e => e.Id.Id == 72) == 2));

        await sender.StopAsync(Ct);
        Assert.Equal(2, _logs.WithId(72).Count);
        Assert.Contains(_logs.GetSnapshot(), e => e.Id.Id == 70 && e.Message == $"Alerts: 2 webhook(s): {receiver.Authority} (json), {receiver.Authority} (discord)");
        AssertNoSecretLogged();
    }

    /// <summary>
    /// Completes <paramref name="sending"/> against a receiver that never answers: each attempt's timeout is fired
    /// only once the receiver holds that attempt's request, and each back-off only once it is armed.
    /// </summary>
    private async Task<int> TimeOutEveryAttemptAsync(Task<int> sending)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(FakeTimeProvider.DefaultWait);
        for (var attempt = 1; attempt <= AlertSender.MaxAttempts; attempt++)
        {
            await _stubs.WaitForHungRequestAsync(bound.Token);
            await _time.WaitForTimerAsync(due => due == AlertSender.AttemptTimeout);
            _time.Advance(AlertSender.AttemptTimeout);
            if (attempt < AlertSender.MaxAttempts)
            {
                await _time.FireNextDelayAsync();
            }
        }

        return await sending.WaitAsync(FakeTimeProvider.DefaultWait, Ct);
    }

    private void AssertNoSecretLogged()
    {
        Assert.NotEmpty(_logs.GetSnapshot());
        foreach (var entry in _logs.GetSnapshot())
        {
            Assert.DoesNotContain("/services", entry.Message);
            Assert.DoesNotContain("SECRET", entry.Message);
            Assert.DoesNotContain(WebhookReceiver.QuerySecret, entry.Message);
        }
    }

    /// <summary>A receiver on its own path: the first of a test is team T0000, the next T0001, and so on.</summary>
    private WebhookReceiver Receiver() => new(_stubs, $"T{_receivers++:D4}");

    private AlertSender Sender(params AlertSettings[] alerts) => Provider(alerts).GetRequiredService<AlertSender>();

    private ServiceProvider Provider(params AlertSettings[] alerts)
    {
        var settings = Settings(alerts);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        services.AddSingleton(settings);
        services.AddSingleton<TimeProvider>(_time);
        services.AddAlerts(settings);
        var provider = services.BuildServiceProvider();
        _owned.Add(provider);
        return provider;
    }
}
