using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Alerts.AlertFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Alerts;

/// <summary><see cref="AlertObserver"/>: what it queues for each call, what it filters, and that it never waits or throws.</summary>
public sealed class AlertObserverTests(WireMockFixture stubs) : IClassFixture<WireMockFixture>
{
    private readonly FakeLogCollector _logs = new();
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DecisionKind.StartBackup, AlertEvent.Failover)]
    [InlineData(DecisionKind.StopBackup, AlertEvent.Failback)]
    [InlineData(DecisionKind.RestartBackup, AlertEvent.Restart)]
    public void OnAction_Action_QueuesItsEventWithTunnelReasonTookTimeAndHost(DecisionKind kind, AlertEvent expected)
    {
        var (observer, queue) = Create(Hook("https://hooks.example.com/x"));
        _time.Advance(TimeSpan.FromSeconds(90));

        observer.OnAction(Tunnel(), kind, took: false, "systemctl failed");

        Assert.True(queue.Reader.TryRead(out var alert));
        Assert.Equal(new Alert(expected, "web", TunnelId, "cloudflared-backup", "systemctl failed", false, FakeTimeProvider.Start.AddSeconds(90), Environment.MachineName), alert);
    }

    [Fact]
    public void OnAction_DryRun_AlertMarkedDryRun()
    {
        var queue = new AlertQueue(_logs.CreateFactory().CreateLogger<AlertQueue>());
        var observer = new AlertObserver(queue, Settings(Hook("https://hooks.example.com/x")), Tokens, _time, _logs.CreateFactory().CreateLogger<AlertObserver>(), new RunMode(DryRun: true));

        observer.OnAction(Tunnel(), DecisionKind.StartBackup, took: true, "down");

        Assert.True(queue.Reader.TryRead(out var alert));
        Assert.True(alert.DryRun);
    }

    [Theory]
    [InlineData(DecisionKind.None)]
    [InlineData(DecisionKind.Hold)]
    public void OnAction_NotAnAction_QueuesNothing(DecisionKind kind)
    {
        var (observer, queue) = Create(Hook("https://hooks.example.com/x"));

        observer.OnAction(Tunnel(), kind, took: true, "x");

        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void OnHoldAndOnConfigurationProblem_QueueTheirEventsWithoutTook()
    {
        var (observer, queue) = Create(Hook("https://hooks.example.com/x"));

        observer.OnHold(Tunnel(), "11 actions within an hour");
        observer.OnConfigurationProblem(Tunnel(), "API token rejected (HTTP 403)");
        observer.OnCycleCompleted(TimeSpan.FromMilliseconds(12));

        Assert.Equal(2, queue.Count);
        Assert.True(queue.Reader.TryRead(out var hold));
        Assert.True(queue.Reader.TryRead(out var problem));
        Assert.Equal((AlertEvent.Hold, "11 actions within an hour", (bool?)null), (hold.Event, hold.Reason, hold.Took));
        Assert.Equal((AlertEvent.ConfigProblem, "API token rejected (HTTP 403)", (bool?)null), (problem.Event, problem.Reason, problem.Took));
    }

    [Fact]
    public void Calls_EventNoTargetWants_NotQueued()
    {
        var (observer, queue) = Create(
            Hook("https://a.example.com/x", events: AlertEvent.Failover),
            Hook("https://b.example.com/x", events: AlertEvent.Hold));

        observer.OnAction(Tunnel(), DecisionKind.StopBackup, took: true, "primary back");
        observer.OnConfigurationProblem(Tunnel(), "bad token");
        observer.OnHold(Tunnel(), "flapping");
        observer.OnAction(Tunnel(), DecisionKind.StartBackup, took: true, "down");

        Assert.Equal(2, queue.Count);
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.True(queue.Reader.TryRead(out var second));
        Assert.Equal([AlertEvent.Hold, AlertEvent.Failover], new[] { first.Event, second.Event });
    }

    [Fact]
    public void OnConfigurationProblem_ReasonQuotingTheToken_TokenReplaced()
    {
        var (observer, queue) = Create(Hook("https://hooks.example.com/x"));

        observer.OnConfigurationProblem(Tunnel(), $"token {Token} rejected");

        Assert.True(queue.Reader.TryRead(out var alert));
        Assert.Equal("token [token] rejected", alert.Reason);
    }

    [Fact]
    public void OnHold_Fails_LogsAndDoesNotThrow()
    {
        var (observer, queue) = Create(Hook("https://hooks.example.com/x"));

        observer.OnHold(null!, "x");

        Assert.Equal(0, queue.Count);
        Assert.Equal(LogLevel.Error, Assert.Single(_logs.WithId(75)).Level);
    }

    [Fact]
    public async Task OnAction_ReceiverHangs_ObserverReturnsAtOnceAndAlertsKeepQueueing()
    {
        stubs.Fresh();
        var receiver = new WebhookReceiver(stubs, "T0000").Answer(stubs.Hang());
        var options = Settings(Hook(receiver.Url));
        await using var provider = Services(options).BuildServiceProvider();
        var sender = provider.GetServices<IHostedService>().OfType<AlertSender>().Single();
        var observer = provider.GetServices<IMonitorObserver>().OfType<AlertObserver>().Single();
        await sender.StartAsync(Ct);

        observer.OnAction(Tunnel(), DecisionKind.StartBackup, took: true, "down");
        await stubs.WaitForHungRequestAsync(Ct).WaitAsync(FakeTimeProvider.DefaultWait, Ct);

        // The sender is now stuck on the hung request: every further call still only queues. Run them off the test
        // thread so a call that blocked would fail the bounded wait rather than hang the run.
        var calls = Task.Run(
            () =>
            {
                for (var i = 0; i < AlertQueue.DefaultCapacity + 5; i++)
                {
                    observer.OnAction(Tunnel(), DecisionKind.StopBackup, took: true, "back");
                }
            },
            Ct);
        await calls.WaitAsync(FakeTimeProvider.DefaultWait, Ct);

        var queue = provider.GetRequiredService<AlertQueue>();
        Assert.Equal(AlertQueue.DefaultCapacity, queue.Count);
        Assert.Equal(5, queue.Dropped);
        Assert.Equal(1, stubs.HungRequests); // the one request, still held
        await sender.StopAsync(Ct);
    }

    private (AlertObserver Observer, AlertQueue Queue) Create(params AlertSettings[] alerts)
    {
        var factory = _logs.CreateFactory();
        var queue = new AlertQueue(factory.CreateLogger<AlertQueue>());
        return (new AlertObserver(queue, Settings(alerts), Tokens, _time, factory.CreateLogger<AlertObserver>()), queue);
    }

    private ServiceCollection Services(MonitorSettings settings)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(_logs)));
        services.AddSingleton(settings);
        services.AddSingleton(TestSettings.Loaded(TestSettings.Settings(Tunnel()), Token));
        services.AddSingleton(sp => new TunnelSet(sp.GetRequiredService<LoadedConfiguration>(), new ConfigurationSource("/nonexistent/tunnels.json"), _time, sp.GetRequiredService<ILogger<TunnelSet>>()));
        services.AddSingleton(new RunMode(DryRun: false));
        services.AddSingleton<TimeProvider>(_time);
        services.AddAlerts(settings);
        return services;
    }
}
