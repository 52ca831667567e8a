using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Monitoring.MonitoringFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class TunnelSetTests
{
    // Event ids of Logging/Log.cs.
    private const int HoldReleased = 36;
    private const int Reloaded = 50;
    private const int ReloadNeedsRestart = 52;
    private const int TunnelRemoved = 53;

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public void Reconcile_SameTunnelIdInOtherCase_KeepsItsStateUnderTheNewOptions()
    {
        var web = Tunnel("web");
        var set = Create(Loaded(web));
        var running = new TunnelState(true, ConsecutiveRecoveries: 2, RecentActions: [Instant.Now(_clock)]);
        set[web].State = running;
        var reloaded = Tunnel("web-renamed", web.TunnelId.ToUpperInvariant(), service: web.Service);

        set.Reconcile(Loaded(reloaded));

        Assert.Same(reloaded, Assert.Single(set.All).Settings);
        Assert.Equal(running, set.States[web.TunnelId]);
        Assert.EndsWith("1 tunnel(s) kept with their state, 0 added, 0 removed", Assert.Single(_logs.WithId(Reloaded)).Message);
    }

    [Theory]
    [InlineData("token")]
    [InlineData("service")]
    public void Reconcile_SameIdOtherTokenOrUnit_StartsAfreshAndTheOldOneIsRemoved(string changed)
    {
        var web = Tunnel("web");
        var set = Create(Loaded(web));
        set[web].State = new TunnelState(true);
        var reloaded = changed == "token" ? Tunnel("web", web.TunnelId) : Tunnel("web", web.TunnelId, service: "cloudflared-other");

        set.Reconcile(changed == "token" ? TestSettings.Loaded(Settings(reloaded), "another-token-0001") : Loaded(reloaded));

        Assert.False(set.States[web.TunnelId].BackupActive);
        Assert.False(set[reloaded].UnitKnown);
        Assert.Single(_logs.WithId(TunnelRemoved));
        Assert.EndsWith("0 tunnel(s) kept with their state, 1 added, 1 removed", Assert.Single(_logs.WithId(Reloaded)).Message);
    }

    [Fact]
    public void Reconcile_HeldTunnel_HoldAndItsActionCountReleasedOtherTunnelsKeepTheirCount()
    {
        var (held, free) = (Tunnel("held"), Tunnel("free"));
        var set = Create(Loaded(held, free));
        var now = Instant.Now(_clock);
        set[held].State = new TunnelState(true, HeldSince: now, RecentActions: [now, now]);
        set[free].State = new TunnelState(true, RecentActions: [now]);

        set.Reconcile(Loaded(held, free));

        Assert.Null(set.States[held.TunnelId].HeldSince);
        Assert.Empty(set.States[held.TunnelId].Actions);
        Assert.Single(set.States[free.TunnelId].Actions);
        Assert.Equal("Tunnel held: hold released", Assert.Single(_logs.WithId(HoldReleased)).Message);
    }

    [Fact]
    public void Reconcile_RestartOnlyKeysChanged_EachReportedAndTheReloadableOnesApplied()
    {
        var web = Tunnel("web");
        var set = Create(Loaded(web));
        var settings = Settings(web);
        var loaded = Loaded(web) with
        {
            Settings = settings with
            {
                Gateway = settings.Gateway with { Address = System.Net.IPAddress.Parse("192.0.2.9") },
                Api = settings.Api with { Timeout = TimeSpan.FromSeconds(9) },
                Output = settings.Output with { StateFile = "/tmp/elsewhere.json" },
                Checks = settings.Checks with { CheckInterval = TimeSpan.FromSeconds(7), FailureThreshold = 4 },
                Alerts = [new AlertSettings { Url = new Uri("https://example.invalid/hook") }],
            },
        };

        set.Reconcile(loaded);

        Assert.Equal(["gateway_ip", "api_timeout", "state_file", "alerts"], _logs.WithId(ReloadNeedsRestart).Select(e => e.Message.Split(' ')[1]));
        Assert.All(_logs.WithId(ReloadNeedsRestart), e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Equal(TimeSpan.FromSeconds(7), set.Settings.Checks.CheckInterval);
        Assert.Equal(4, set.Policy.Settings.FailureThreshold);
        // What was bound at start keeps its running values.
        Assert.Equal(TestSettings.Gateway, set.Settings.Gateway.Address);
        Assert.Equal(ApiSettings.DefaultTimeout, set.Settings.Api.Timeout);
        Assert.Equal(OutputSettings.DefaultStateFile, set.Settings.Output.StateFile);
        Assert.Empty(set.Settings.Alerts);
    }

    [Fact]
    public void Reconcile_AlertEventsChanged_ReportedAsRestartOnlyAndRunningEventsKept()
    {
        var web = Tunnel("web");
        var hook = new AlertSettings { Url = new Uri("https://example.invalid/hook") };
        var started = Loaded(web) with { Settings = Settings(web) with { Alerts = [hook] } };
        var set = Create(started);
        var narrowed = started with { Settings = started.Settings with { Alerts = [hook with { Events = new HashSet<AlertEvent> { AlertEvent.Failover } }] } };

        set.Reconcile(narrowed);

        Assert.Equal("alerts", Assert.Single(_logs.WithId(ReloadNeedsRestart)).Message.Split(' ')[1]);
        Assert.Equal(hook.Events, set.Settings.Alerts.Single().Events);
    }

    [Fact]
    public void Reconcile_SameChangedFileTwice_RestartOnlyKeyReportedOnceRunningValueKept()
    {
        var web = Tunnel("web");
        var set = Create(Loaded(web));
        var settings = Settings(web);
        var moved = Loaded(web) with { Settings = settings with { Gateway = settings.Gateway with { Address = System.Net.IPAddress.Parse("192.0.2.9") } } };

        set.Reconcile(moved);
        set.Reconcile(moved);

        Assert.Equal("gateway_ip", Assert.Single(_logs.WithId(ReloadNeedsRestart)).Message.Split(' ')[1]);
        Assert.Equal(TestSettings.Gateway, set.Settings.Gateway.Address);
        Assert.Equal(2, _logs.WithId(Reloaded).Count);
    }

    [Fact]
    public void Reconcile_TunnelAddedAndDropped_NewOneUnreadDroppedOneForgotten()
    {
        var (kept, dropped, added) = (Tunnel("kept"), Tunnel("dropped"), Tunnel("added"));
        var set = Create(Loaded(kept, dropped));

        set.Reconcile(Loaded(kept, added));

        Assert.Equal(["kept", "added"], set.All.Select(t => t.Name));
        Assert.False(set.States.ContainsKey(dropped.TunnelId));
        Assert.Equal("Tunnel dropped is no longer in the configuration; its local service cloudflared-dropped is left as it is", Assert.Single(_logs.WithId(TunnelRemoved)).Message);
        Assert.EndsWith("1 tunnel(s) kept with their state, 1 added, 1 removed", Assert.Single(_logs.WithId(Reloaded)).Message);
    }

    [Fact]
    public void AwaitingConfirmation_CountStarted_OnlyTunnelsWithAReadUnitAndAKnownStatus()
    {
        var (counting, unread, unknown, quiet) = (Tunnel("counting"), Tunnel("unread"), Tunnel("unknown"), Tunnel("quiet"));
        var set = Create(Loaded(counting, unread, unknown, quiet));
        foreach (var tunnel in set.All)
        {
            tunnel.UnitKnown = tunnel.Name != "unread";
            tunnel.State = new TunnelState(false, ConsecutiveFailures: tunnel.Name == "quiet" ? 0 : 1);
        }

        set[unknown].Unknown.Report("ServerError: HTTP 500");

        Assert.Equal(["counting"], set.AwaitingConfirmation().Select(t => t.Name));
    }

    private TunnelSet Create(LoadedConfiguration loaded) =>
        new(loaded, new ConfigurationSource("/nonexistent/tunnels.json"), _clock, _logs.CreateFactory().CreateLogger<TunnelSet>());
}
