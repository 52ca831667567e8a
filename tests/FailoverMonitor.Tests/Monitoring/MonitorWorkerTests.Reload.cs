using System.Text.Json.Nodes;
using FailoverMonitor.Configuration;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>Reloading <c>tunnels.json</c> while running (SIGHUP, <c>systemctl reload</c>).</summary>
public sealed partial class MonitorWorkerTests
{
    private const int Reloaded = 50;
    private const int ReloadFailed = 51;
    private const int ReloadNeedsRestart = 52;
    private const int TunnelRemoved = 53;

    [Fact]
    public async Task Reload_UnchangedTunnels_KeepTheirState()
    {
        await using var h = await MonitorHarness.StartAsync(tunnels: 2);
        await h.Worker.InitializeAsync(CancellationToken.None);
        var (web0, web1) = (h.Settings.Tunnels[0].TunnelId, h.Settings.Tunnels[1].TunnelId);
        h.Api.RemoveConnector(web0, MonitorHarness.PrimaryConnector);
        await h.CycleAsync(2);
        Assert.True(h.Units.IsActive("cloudflared-backup0"));
        h.Api.RemoveConnector(web1, MonitorHarness.PrimaryConnector);
        await h.CycleAsync();
        var failedOver = h.Worker.States[web0];
        Assert.Equal(1, h.Worker.States[web1].ConsecutiveFailures);

        EditConfig(h, o => o["heartbeat_interval"] = 60);
        Reload(h);

        Assert.Equal(LogLevel.Information, Assert.Single(h.Logs.WithId(Reloaded)).Level);
        Assert.EndsWith("2 tunnel(s) kept with their state, 0 added, 0 removed", h.Logs.WithId(Reloaded)[0].Message);
        // Everything is kept, the flap guard's action count too: only a hold is released by a reload.
        Assert.Equal(failedOver, h.Worker.States[web0]);
        Assert.Single(h.Worker.States[web0].Actions);

        // web1's count carries on: its second failed check fails it over; web0 is neither started again nor re-read as new.
        await h.CycleAsync();
        Assert.True(h.Units.IsActive("cloudflared-backup1"));
        await h.CycleAsync(3);
        Assert.Equal(2, h.Units.Count("start"));
        Assert.Equal(failedOver.BackupActiveSince, h.Worker.States[web0].BackupActiveSince);
        Assert.Equal(failedOver.LastActionAt, h.Worker.States[web0].LastActionAt);
    }

    [Fact]
    public async Task Reload_NewTunnel_AddedAndItsUnitReadNextCycle()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();
        var added = Guid.NewGuid().ToString();
        h.Api.AddTunnel(MonitorHarness.Account, added, "web9", MonitorHarness.Token);
        h.Api.AddConnector(added, MonitorHarness.PrimaryConnector);
        h.Units.Set("cloudflared-backup9", true);

        EditConfig(h, o => o["tunnels"]!.AsArray().Add(MonitorHarness.TunnelJson("web9", added, "cloudflared-backup9")));
        Reload(h);

        Assert.EndsWith("1 tunnel(s) kept with their state, 1 added, 0 removed", Assert.Single(h.Logs.WithId(Reloaded)).Message);
        Assert.Equal(0, IsActiveCalls(h, "cloudflared-backup9"));
        Assert.False(h.Worker.States[added].BackupActive);

        await h.CycleAsync();

        Assert.Equal(1, IsActiveCalls(h, "cloudflared-backup9"));
        Assert.True(h.Worker.States[added].BackupActive);
        Assert.Contains(h.Logs.WithId(StatusChanged), e => e.Message == "Tunnel web9 status: healthy");
        Assert.Equal(0, h.Units.Count("start") + h.Units.Count("stop"));
    }

    [Fact]
    public async Task Reload_TunnelDropped_LoggedAndItsBackupLeftAsItIs()
    {
        await using var h = await MonitorHarness.StartAsync(tunnels: 2, configure: o => o["min_action_interval"] = 0);
        await h.Worker.InitializeAsync(CancellationToken.None);
        var dropped = h.Settings.Tunnels[1].TunnelId;
        h.Api.RemoveConnector(dropped, MonitorHarness.PrimaryConnector);
        await h.CycleAsync(2);
        Assert.True(h.Units.IsActive("cloudflared-backup1"));

        EditConfig(h, o => o["tunnels"]!.AsArray().RemoveAt(1));
        Reload(h);

        var removed = Assert.Single(h.Logs.WithId(TunnelRemoved));
        Assert.Equal(LogLevel.Warning, removed.Level);
        Assert.Equal("Tunnel web1 is no longer in the configuration; its local service cloudflared-backup1 is left as it is", removed.Message);
        Assert.EndsWith("1 tunnel(s) kept with their state, 0 added, 1 removed", Assert.Single(h.Logs.WithId(Reloaded)).Message);

        // Its primary comes back: a watched tunnel would fail back now, a dropped one is left alone.
        h.Api.AddConnector(dropped, MonitorHarness.PrimaryConnector);
        await h.CycleAsync(5);
        Assert.Equal(0, h.Units.Count("stop"));
        Assert.True(h.Units.IsActive("cloudflared-backup1"));
        Assert.False(h.Worker.States.ContainsKey(dropped));
    }

    [Fact]
    public async Task Reload_WhileHeld_ReleasesTheHold()
    {
        await using var h = await StartHeldAsync();

        Reload(h);

        Assert.Null(h.Worker.States[h.Tunnel.TunnelId].HeldSince);
        await h.CycleAsync();
        Assert.Equal(2, h.Units.Count("stop"));
        Assert.False(h.Units.IsActive("cloudflared-backup0"));
    }

    [Fact]
    public async Task Reload_ApiBaseUrlChanged_SaysARestartIsNeededAndKeepsTheRunningUrl()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);

        EditConfig(h, o => o["api_base_url"] = "https://api.cloudflare.com/client/v4/");
        Reload(h);

        var warning = Assert.Single(h.Logs.WithId(ReloadNeedsRestart));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Reload: api_base_url changed; it takes effect after `systemctl restart failover-monitor`", warning.Message);
        Assert.Single(h.Logs.WithId(Reloaded));
        h.Api.ClearRequests();
        await h.CycleAsync();
        Assert.Equal(1, h.Api.CountRequests());
    }

    [Fact]
    public async Task Reload_BrokenFile_ErrorAndTheRunningConfigurationKeepsWorking()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();

        EditConfig(h, o => o["tunnels"]![0]!["tunnel_id"] = "web");
        Reload(h);

        var error = Assert.Single(h.Logs.WithId(ReloadFailed));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.StartsWith("Reload failed, keeping the running configuration:", error.Message);
        Assert.Contains("$.tunnels[0].tunnel_id: \"web\" is not a UUID", error.Message);
        Assert.Empty(h.Logs.WithId(Reloaded));

        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, h.Units.Count("start"));
        Assert.Single(h.Logs.WithId(FailedOver));
    }

    public static TheoryData<string> HostileReloads => ["alerts null", "tunnels null", "dangling token_file", "line break in token"];

    [Theory]
    [MemberData(nameof(HostileReloads))]
    public async Task Reload_HostileFile_LoggedAndTheRunningConfigurationKept(string kind)
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        await h.CycleAsync();
        var (field, edit) = kind switch
        {
            "alerts null" => ("$.alerts:", (Action<JsonObject>)(o => o["alerts"] = null)),
            "tunnels null" => ("$.tunnels:", o => o["tunnels"] = null),
            "dangling token_file" => ("$.tunnels[0].token_file:", o =>
            {
                File.CreateSymbolicLink(Path.Combine(h.Directory.Path, "web.token"), Path.Combine(h.Directory.Path, "absent"));
                var tunnel = o["tunnels"]![0]!.AsObject();
                tunnel.Remove("token");
                tunnel["token_file"] = "web.token";
            }),
            _ => ("$.tunnels[0].token:", o => o["tunnels"]![0]!["token"] = "Zx9\r\nsecond-line"),
        };

        EditConfig(h, edit);
        var thrown = Record.Exception(() => Reload(h));

        Assert.Null(thrown);
        var error = Assert.Single(h.Logs.WithId(ReloadFailed));
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains(h.ConfigPath, error.Message);
        Assert.Contains(field, error.Message);
        Assert.DoesNotContain("second-line", error.Message);
        h.PrimaryLeaves();
        await h.CycleAsync(2);
        Assert.Equal(1, h.Units.Count("start"));
    }

    [Fact]
    public async Task Reload_NotRequested_DoesNothing()
    {
        await using var h = await MonitorHarness.StartAsync();
        await h.Worker.InitializeAsync(CancellationToken.None);
        EditConfig(h, o => o["tunnels"]![0]!["tunnel_id"] = "web");

        h.Worker.ApplyPendingReload();

        Assert.Empty(h.Logs.WithId(Reloaded));
        Assert.Empty(h.Logs.WithId(ReloadFailed));
    }

    /// <summary>Edits <c>tunnels.json</c> the way an operator would: read, change, write back.</summary>
    private static void EditConfig(MonitorHarness h, Action<JsonObject> edit)
    {
        var file = JsonNode.Parse(File.ReadAllText(h.ConfigPath))!.AsObject();
        edit(file);
        MonitorHarness.WriteConfig(h.ConfigPath, file);
    }

    /// <summary>SIGHUP, then the reload the loop would apply before its next cycle.</summary>
    private static void Reload(MonitorHarness h)
    {
        h.Worker.RequestReload();
        h.Worker.ApplyPendingReload();
    }

    /// <summary>How often the unit's state was read: alone (is-active) or with the others (show).</summary>
    private static int IsActiveCalls(MonitorHarness h, string unit) =>
        h.Units.Runner.Calls.Count(c => c.Arguments[0] is "is-active" or "show" && c.Arguments.Contains(unit));
}
