using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><c>--dry-run</c> over the real systemctl controller and a fake process runner: reads go through, actions do not.</summary>
public sealed class DryRunServiceControllerTests
{
    private const int WouldRun = 60;

    private readonly FakeUnits _units = new();
    private readonly FakeLogCollector _logs = new();
    private readonly DryRunServiceController _dryRun;

    public DryRunServiceControllerTests() =>
        _dryRun = new DryRunServiceController(
            new SystemctlServiceController(_units.Runner, new SystemctlUnitStateReader(_units.Runner)),
            _logs.CreateFactory().CreateLogger<DryRunServiceController>());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_InactiveUnit_NothingRunLoggedAndLaterReadsSeeItActive()
    {
        Assert.False(await _dryRun.IsActiveAsync("cloudflared-backup", Ct));

        await _dryRun.StartAsync("cloudflared-backup", Ct);

        Assert.Equal(0, _units.Count("start"));
        Assert.False(_units.IsActive("cloudflared-backup"));
        var line = Assert.Single(_logs.WithId(WouldRun));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal("DRY RUN: would run `systemctl start cloudflared-backup`; not run", line.Message);
        Assert.True(await _dryRun.IsActiveAsync("cloudflared-backup", Ct));
        Assert.Equal("active", (await _dryRun.GetStatesAsync(["cloudflared-backup"], Ct))["cloudflared-backup"].ActiveState);
    }

    [Fact]
    public async Task StopAsync_ActiveUnit_NothingRunAndLaterReadsSeeItInactive()
    {
        _units.Set("cloudflared-backup", true);

        await _dryRun.StopAsync("cloudflared-backup", Ct);

        Assert.Equal(0, _units.Count("stop"));
        Assert.True(_units.IsActive("cloudflared-backup"));
        Assert.False(await _dryRun.IsActiveAsync("cloudflared-backup", Ct));
        Assert.Equal("inactive", (await _dryRun.GetStatesAsync(["cloudflared-backup"], Ct))["cloudflared-backup"].ActiveState);
    }

    [Fact]
    public async Task RestartAsync_InactiveUnit_NothingRunAndSeenActive()
    {
        await _dryRun.RestartAsync("cloudflared-backup", Ct);

        Assert.Equal(0, _units.Count("restart"));
        Assert.True(await _dryRun.IsActiveAsync("cloudflared-backup", Ct));
        Assert.Equal("DRY RUN: would run `systemctl restart cloudflared-backup`; not run", Assert.Single(_logs.WithId(WouldRun)).Message);
    }

    [Fact]
    public async Task GetStatesAsync_UnitsNeverActedOn_RealStatesFromSystemctl()
    {
        _units.Set("other-backup", true);
        await _dryRun.StopAsync("cloudflared-backup", Ct);

        var states = await _dryRun.GetStatesAsync(["other-backup", "cloudflared-backup"], Ct);

        Assert.Equal("active", states["other-backup"].ActiveState);
        Assert.Equal("inactive", states["cloudflared-backup"].ActiveState);
        Assert.True(_units.Reads > 0);
    }

    [Fact]
    public async Task StartAsync_InvalidUnitName_ThrowsAndSimulatesNothing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _dryRun.StartAsync("-bad name", Ct));

        Assert.Empty(_logs.WithId(WouldRun));
        // Not remembered: the read goes to systemctl's controller, which refuses the name too.
        await Assert.ThrowsAsync<ArgumentException>(() => _dryRun.IsActiveAsync("-bad name", Ct));
    }
}
