using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Status;

public sealed class StatusSummaryTests
{
    private static readonly Instant T0 = new(TimeSpan.FromDays(1), FakeTimeProvider.Start);

    [Fact]
    public void Brief_NotCheckedYet_SaysSo() =>
        Assert.Equal("1 tunnel: not checked yet", StatusSummary.Brief(Snapshot(View("web"))));

    [Fact]
    public void Brief_MixedTunnels_CountsByStatusFailedOverWithUnitAndSinceUnknownAndHeld()
    {
        var since = T0 + TimeSpan.FromHours(3) + TimeSpan.FromMinutes(12);
        var snapshot = Snapshot(
            View("a", status: TunnelStatus.Healthy),
            View("b", status: TunnelStatus.Healthy),
            View("c", status: TunnelStatus.Degraded),
            View("web", status: TunnelStatus.Down, state: new TunnelState(true, BackupActiveSince: since, HeldSince: since)),
            View("d", status: TunnelStatus.Healthy, unknownReason: "HTTP 500"),
            View("e", unitKnown: false));

        Assert.Equal("6 tunnels: 2 healthy, 1 degraded, 1 failed over (web → cloudflared-web since 03:12), 2 unknown, 1 on hold", StatusSummary.Brief(snapshot));
    }

    [Fact]
    public void Brief_CyclesFailing_LedByChecksFailingWithTheCleanedError()
    {
        var snapshot = Snapshot(View("web", status: TunnelStatus.Healthy)) with { FailingSince = T0, FailedCycles = 3, CycleError = "probe\nbroke" };

        Assert.Equal("CHECKS FAILING since 00:00:00Z (3 in a row: probe\\nbroke); 1 tunnel: 1 healthy", StatusSummary.Brief(snapshot));
    }

    [Fact]
    public void Full_EveryTunnel_StatusUnitHoldAndLastAction()
    {
        var snapshot = Snapshot(
            View("web", status: TunnelStatus.Down, state: new TunnelState(true, HeldSince: T0, LastActionAt: T0, LastAction: "status down for 2 consecutive checks")),
            View("api", status: TunnelStatus.Healthy, unknownReason: "HTTP 500", unitKnown: false),
            View("new"));

        Assert.Equal(
            "3 tunnel(s): web down, cloudflared-web active, ON HOLD since 00:00:00Z, last action 2026-01-01 00:00:00Z: status down for 2 consecutive checks; "
            + "api unknown, cloudflared-api state unreadable; new not checked, cloudflared-new inactive",
            StatusSummary.Full(snapshot));
    }

    [Fact]
    public void Entry_FailedOverWithConnectors_AsTheStateFileHoldsIt()
    {
        var observation = TunnelObservation.Of(TunnelStatus.Healthy) with
        {
            Connectors = [new Connector("local", true), new Connector("primary", true), new Connector("ghost", false), new Connector("local", true)],
            LocalConnectorId = "local",
        };
        var state = new TunnelState(true, ConsecutiveRecoveries: 1, BackupActiveSince: T0, HeldSince: T0, RetryAt: T0 + TimeSpan.FromSeconds(5));

        var entry = StatusSummary.Entry(View("web", TunnelStatus.Healthy, state: state) with { LastObservation = observation });

        Assert.Equal("healthy", entry.Status);
        Assert.Equal(["local", "primary"], entry.LiveConnectors);
        Assert.Equal("local", entry.LocalConnectorId);
        Assert.Equal(true, entry.BackupActive);
        Assert.Equal(T0.Wall, entry.BackupActiveSince);
        Assert.Equal(1, entry.ConsecutiveRecoveries);
        Assert.Equal(T0.Wall + FailoverPolicy.HoldWindow, entry.HeldUntil);
        Assert.Equal(T0.Wall + TimeSpan.FromSeconds(5), entry.RetryAt);
    }

    [Fact]
    public void Entry_UnknownWithUnreadableUnit_UnknownWithReasonAndNoBackupState()
    {
        var entry = StatusSummary.Entry(View("web", TunnelStatus.Healthy, unknownReason: "HTTP 500", unitKnown: false));

        Assert.Equal("unknown", entry.Status);
        Assert.Equal("HTTP 500", entry.UnknownReason);
        Assert.Null(entry.BackupActive);
        Assert.Null(entry.LiveConnectors);
    }

    private static TunnelView View(string name, TunnelStatus? status = null, string? unknownReason = null, bool unitKnown = true, TunnelState? state = null) => new(
        TestSettings.Tunnel(name),
        state ?? new TunnelState(false),
        unitKnown,
        status,
        unknownReason,
        null);

    private static MonitorSnapshot Snapshot(params TunnelView[] tunnels) =>
        new(TestSettings.Settings(), TunnelTokens.Empty, "/opt/failover-monitor/tunnels.json", "192.0.2.1", true, null, null, 0, null, tunnels);
}
