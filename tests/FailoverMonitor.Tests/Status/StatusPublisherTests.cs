using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Status;

/// <summary>The publisher writing a real state file in a temporary directory, read back as <c>status</c> reads it.</summary>
public sealed class StatusPublisherTests : IDisposable
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string SharedToken = "publisher-shared-Qa7Lm";
    private const string OwnToken = "publisher-own-Zr4Kd";
    private const int StateFileUnwritable = 61;
    private const int StateFileWritable = 163;

    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly ApiUsage _usage;
    private readonly LoadedConfiguration _loaded;

    public StatusPublisherTests()
    {
        _usage = new ApiUsage(_clock);
        _loaded = ConfigurationLoader.Load(_dir.Write("tunnels.json", $$"""
            { "gateway_ip": "192.0.2.1", "check_interval": 7,
              "tunnels": [
                { "name": "web", "account_id": "{{Account}}", "tunnel_id": "6ff42ae2-765d-4adf-8112-31c55c1551e1", "token": "{{SharedToken}}", "service": "backup-web" },
                { "name": "api", "account_id": "{{Account}}", "tunnel_id": "6ff42ae2-765d-4adf-8112-31c55c1551e2", "token": "{{SharedToken}}", "service": "backup-api" },
                { "name": "mail", "account_id": "{{Account}}", "tunnel_id": "6ff42ae2-765d-4adf-8112-31c55c1551e3", "token": "{{OwnToken}}", "service": "backup-mail" } ] }
            """));
    }

    private string StatePath => Path.Combine(_dir.Path, "run", "state.json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Publish_FirstCycle_StateFileHoldsThisProcessTheOptionsAndTheTunnels()
    {
        var publisher = Publisher(dryRun: true);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var web = new TunnelView(_loaded.Settings.Tunnels[0], new TunnelState(false), true, TunnelStatus.Healthy, null, null);

        publisher.Publish(Snapshot(true, web) with { ConfigPath = "/etc/fm/tunnels.json" });

        var written = new StateFile(StatePath).Read()!;
        Assert.Equal(Environment.ProcessId, written.Pid);
        Assert.Equal(ProcessIdentity.StartTicks(Environment.ProcessId), written.ProcessStartTicks);
        Assert.Equal(VersionInfo.Current, written.Version);
        Assert.Equal("/etc/fm/tunnels.json", written.ConfigPath);
        Assert.Equal(FakeTimeProvider.Start, written.StartedAt);
        Assert.Equal(FakeTimeProvider.Start + TimeSpan.FromSeconds(5), written.UpdatedAt);
        Assert.Equal(7, written.CheckInterval);
        Assert.True(written.DryRun);
        Assert.Equal("192.0.2.1", written.GatewayIp);
        Assert.True(written.GatewayReachable);
        Assert.Equal([StatusSummary.Entry(web)], written.Tunnels);
        Assert.Null(written.LastGoodCheckAt);
        Assert.Equal(0, written.FailedChecks);
        Assert.Null(written.CheckError);
        Assert.Null(publisher.LastError);
    }

    [Fact]
    public void Publish_TokensSharedAndOwn_OneEntryPerTokenNamedByItsTunnelsWithItsBudgetAndRequests()
    {
        var shared = _loaded.Tokens[_loaded.Settings.Tunnels[0]];
        _usage.CountRequest(shared);
        _usage.CountRequest(shared);
        _usage.Block(shared, TimeSpan.FromMinutes(2));

        Publisher().Publish(Snapshot(null));

        var tokens = new StateFile(StatePath).Read()!.Tokens;
        Assert.Equal(2, tokens.Count);
        Assert.Equal(["web", "api"], tokens[0].Tunnels);
        Assert.Equal(2, tokens[0].RequestsSent);
        Assert.Equal(FakeTimeProvider.Start + TimeSpan.FromMinutes(2), tokens[0].RateLimitedUntil);
        Assert.Equal(["mail"], tokens[1].Tunnels);
        Assert.Equal(0, tokens[1].RequestsSent);
        Assert.Null(tokens[1].RateLimitedUntil);
        var budgets = ApiBudget.Compute(_loaded.Settings, _loaded.Tokens);
        Assert.Equal(budgets.Single(b => b.Tunnels.Contains("web")).Steady, tokens[0].BudgetPer5Minutes);
        Assert.Equal(budgets.Single(b => b.Tunnels.Contains("mail")).Steady, tokens[1].BudgetPer5Minutes);
        Assert.All(tokens, t => Assert.True(t.BudgetPer5Minutes > 0));
        Assert.DoesNotContain(SharedToken, File.ReadAllText(StatePath), StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_NextCycleThenReload_RequestsCountedAfreshAndTokensRegroupedByTheNewTunnels()
    {
        var publisher = Publisher();
        var shared = _loaded.Tokens[_loaded.Settings.Tunnels[0]];
        publisher.Publish(Snapshot(true));
        _usage.CountRequest(shared);

        publisher.Publish(Snapshot(true));
        Assert.Equal(1, new StateFile(StatePath).Read()!.Tokens[0].RequestsSent);

        var reloaded = _loaded.Settings with { Tunnels = [.. _loaded.Settings.Tunnels.Take(1)] };
        publisher.Publish(Snapshot(true) with { Settings = reloaded });
        var entry = Assert.Single(new StateFile(StatePath).Read()!.Tokens);
        Assert.Equal(["web"], entry.Tunnels);
        Assert.Equal(ApiBudget.Compute(reloaded, _loaded.Tokens).Single().Steady, entry.BudgetPer5Minutes);
        Assert.Contains(("web", 1), _usage.RecentRequests());
    }

    [Fact]
    public void Publish_Always_NamesTheTokensForMetricsByTheirTunnels()
    {
        _usage.CountRequest(_loaded.Tokens[_loaded.Settings.Tunnels[2]]);

        Publisher().Publish(Snapshot(true));

        Assert.Contains(("web,api", 0), _usage.RecentRequests());
        Assert.Contains(("mail", 1), _usage.RecentRequests());
    }

    [Fact]
    public void Publish_CyclesFailing_CarriesLastGoodCheckFailureCountAndError()
    {
        var lastGood = new Instant(TimeSpan.FromHours(1), FakeTimeProvider.Start + TimeSpan.FromSeconds(3));

        Publisher().Publish(Snapshot(false) with { LastGoodCycle = lastGood, FailingSince = lastGood, FailedCycles = 4, CycleError = "probe broke" });

        var written = new StateFile(StatePath).Read()!;
        Assert.Equal(lastGood.Wall, written.LastGoodCheckAt);
        Assert.Equal(4, written.FailedChecks);
        Assert.Equal("probe broke", written.CheckError);
        Assert.False(written.GatewayReachable);
        Assert.False(written.DryRun);
    }

    [Fact]
    public void Publish_StateDirectoryCannotBeMade_WarnedOncePerDistinctErrorThenItsEndAndMonitoringGoesOn()
    {
        var publisher = Publisher();
        var directory = Path.GetDirectoryName(StatePath)!;
        File.WriteAllText(directory, "a file where the directory belongs");

        publisher.Publish(Snapshot(true));
        publisher.Publish(Snapshot(true));

        var warning = Assert.Single(_logs.WithId(StateFileUnwritable)); // the same error is not logged twice
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith($"State file {StatePath} cannot be written (", warning.Message, StringComparison.Ordinal);
        Assert.NotNull(publisher.LastError);

        File.Delete(directory);
        publisher.Publish(Snapshot(true));

        Assert.Null(publisher.LastError);
        Assert.Equal($"State file {StatePath} is written again", Assert.Single(_logs.WithId(StateFileWritable)).Message);
        Assert.NotNull(new StateFile(StatePath).Read());

        Directory.Delete(directory, recursive: true);
        File.WriteAllText(directory, "broken again");
        publisher.Publish(Snapshot(true));

        Assert.Equal(2, _logs.WithId(StateFileUnwritable).Count); // after a success, the error is news again
    }

    [Fact]
    public void Withdraw_AfterPublish_StateFileGoneSoStatusSeesNoDaemon()
    {
        var publisher = Publisher();
        publisher.Publish(Snapshot(true));
        Assert.True(File.Exists(StatePath));

        publisher.Withdraw();

        Assert.False(File.Exists(StatePath));
        Assert.Null(new StateFile(StatePath).Read());
    }

    [Fact]
    public void SummaryAndDescribe_Snapshot_TheStatusSummaryTexts()
    {
        var web = new TunnelView(_loaded.Settings.Tunnels[0], new TunnelState(false), true, TunnelStatus.Healthy, null, null);
        var snapshot = Snapshot(true, web);

        Assert.Equal(StatusSummary.Brief(snapshot), Publisher().Summary(snapshot));
        Assert.Equal(StatusSummary.Full(snapshot), Publisher().Describe(snapshot));
        Assert.Contains("web", Publisher().Describe(snapshot), StringComparison.Ordinal);
    }

    private StatusPublisher Publisher(bool dryRun = false) =>
        new(new StateFile(StatePath), _usage, _clock, new RunMode(dryRun), _logs.CreateFactory().CreateLogger<StatusPublisher>());

    private MonitorSnapshot Snapshot(bool? gatewayReachable, params TunnelView[] tunnels) =>
        new(_loaded.Settings, _loaded.Tokens, "/c", "192.0.2.1", gatewayReachable, null, null, 0, null, tunnels);
}
