using FailoverMonitor.Cloudflare;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class FailoverPolicyTests
{
    private static readonly DateTimeOffset T0 = FakeTimeProvider.Start;
    private readonly FailoverPolicy _policy = new(Settings());

    private static PolicySettings Settings(FailbackMode failback = FailbackMode.SecondConnector, params TunnelStatus[] failoverOn) => new(
        FailureThreshold: 2,
        RecoveryThreshold: 3,
        FailoverOn: (failoverOn.Length == 0 ? [TunnelStatus.Down, TunnelStatus.Inactive] : failoverOn).ToHashSet(),
        Failback: failback,
        RetryBase: TimeSpan.FromSeconds(5));

    private static TunnelObservation Status(TunnelStatus status) => TunnelObservation.Of(status);

    private static TunnelObservation WithConnectors(TunnelStatus status, string? local, params Connector[] connectors) =>
        TunnelObservation.Of(status) with { Connectors = connectors, LocalConnectorId = local };

    private static TunnelObservation Unknown() =>
        TunnelObservation.Unknown(new CloudflareApiException(ApiFailureKind.ServerError, "HTTP 500"));

    [Fact]
    public void Flow_Healthy_Down_FailedOver_PrimaryBack_Restored()
    {
        var state = new TunnelState(BackupActive: false);

        var d = _policy.Decide(state, Status(TunnelStatus.Healthy), T0);
        Assert.Equal(DecisionKind.None, d.Kind);

        d = _policy.Decide(d.State, Status(TunnelStatus.Down), T0);
        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(1, d.State.ConsecutiveFailures);

        d = _policy.Decide(d.State, Status(TunnelStatus.Down), T0);
        Assert.Equal(DecisionKind.StartBackup, d.Kind);
        Assert.Contains("down for 2 consecutive checks", d.Reason);

        state = _policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, T0);
        Assert.True(state.BackupActive);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Equal(T0, state.LastActionAt);

        // Backup connected: the tunnel is healthy again, but through the backup alone.
        d = _policy.Decide(state, WithConnectors(TunnelStatus.Healthy, "backup", new Connector("backup", true)), T0);
        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(0, d.State.ConsecutiveRecoveries);

        var primaryBack = WithConnectors(TunnelStatus.Healthy, "backup", new Connector("backup", true), new Connector("primary", true));
        d = _policy.Decide(d.State, primaryBack, T0);
        Assert.Equal(DecisionKind.None, d.Kind);
        d = _policy.Decide(d.State, primaryBack, T0);
        Assert.Equal(DecisionKind.None, d.Kind);
        d = _policy.Decide(d.State, primaryBack, T0);
        Assert.Equal(DecisionKind.StopBackup, d.Kind);
        Assert.Contains("connector primary live besides the local backup backup", d.Reason);

        state = _policy.AfterAction(d.State, d.Kind, backupActiveNow: false, d.Reason, T0);
        Assert.False(state.BackupActive);
        Assert.Equal(0, state.ConsecutiveRecoveries);
    }

    [Fact]
    public void Decide_OneObservationBlip_DoesNotFailOver()
    {
        var d = _policy.Decide(new TunnelState(false), Status(TunnelStatus.Down), T0);
        d = _policy.Decide(d.State, Status(TunnelStatus.Healthy), T0);
        d = _policy.Decide(d.State, Status(TunnelStatus.Down), T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(1, d.State.ConsecutiveFailures);
    }

    [Fact]
    public void Decide_Unknown_NeitherActsNorMovesCounters()
    {
        var state = new TunnelState(false, ConsecutiveFailures: 1);

        var d = _policy.Decide(state, Unknown(), T0);
        d = _policy.Decide(d.State, Unknown(), T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Same(state, d.State);
        Assert.Contains("HTTP 500", d.Reason);

        // Unknown in between does not break a run of failures either: the next down completes the threshold.
        Assert.Equal(DecisionKind.StartBackup, _policy.Decide(d.State, Status(TunnelStatus.Down), T0).Kind);
    }

    [Fact]
    public void Decide_UnknownWhileFailedOver_NeverStopsTheBackup()
    {
        var state = new TunnelState(true, ConsecutiveRecoveries: 2);

        var d = _policy.Decide(state, Unknown(), T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(2, d.State.ConsecutiveRecoveries);
    }

    [Fact]
    public void Decide_DownWhileBackupAlreadyActive_NeverStartsAgain()
    {
        var state = new TunnelState(BackupActive: true);

        for (var i = 0; i < 5; i++)
        {
            var d = _policy.Decide(state, WithConnectors(TunnelStatus.Down, null), T0);
            Assert.Equal(DecisionKind.None, d.Kind);
            state = d.State;
        }
    }

    [Fact]
    public void Decide_GhostConnectionsOfARestartedBackup_DoNotCountAsPrimary()
    {
        // The backup restarted: its old connector lingers with is_pending_reconnect, the new one is live.
        var ghosted = WithConnectors(TunnelStatus.Healthy, null, new Connector("backup-old", false), new Connector("backup-new", true));
        var state = new TunnelState(true);

        for (var i = 0; i < 5; i++)
        {
            var d = _policy.Decide(state, ghosted, T0);
            Assert.Equal(DecisionKind.None, d.Kind);
            Assert.Equal(0, d.State.ConsecutiveRecoveries);
            state = d.State;
        }
    }

    [Fact]
    public void Decide_WithoutLocalConnectorId_TwoDistinctLiveConnectorsMeanPrimaryBack()
    {
        var two = WithConnectors(TunnelStatus.Healthy, null, new Connector("a", true), new Connector("b", true));
        var one = WithConnectors(TunnelStatus.Healthy, null, new Connector("a", true), new Connector("a", true));
        var state = new TunnelState(true);

        Assert.Equal(0, _policy.Decide(state, one, T0).State.ConsecutiveRecoveries);
        var d = _policy.Decide(state, two, T0);
        Assert.Equal(1, d.State.ConsecutiveRecoveries);
        Assert.Contains("2 distinct live connectors", d.Reason);
    }

    [Fact]
    public void Decide_WithLocalConnectorId_OnlyTheBackupLive_IsNotPrimaryBack()
    {
        var d = _policy.Decide(new TunnelState(true, ConsecutiveRecoveries: 2), WithConnectors(TunnelStatus.Healthy, "backup", new Connector("backup", true)), T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(0, d.State.ConsecutiveRecoveries);
    }

    [Fact]
    public void Decide_WithLocalConnectorId_BackupNotConnectedButPrimaryLive_IsPrimaryBack()
    {
        var d = _policy.Decide(new TunnelState(true, ConsecutiveRecoveries: 2), WithConnectors(TunnelStatus.Healthy, "backup", new Connector("primary", true)), T0);

        Assert.Equal(DecisionKind.StopBackup, d.Kind);
    }

    [Fact]
    public void Decide_ConnectorsUnknownWhileFailedOver_KeepsTheCount()
    {
        var observation = Status(TunnelStatus.Healthy) with
        {
            ConnectorsFailure = new CloudflareApiException(ApiFailureKind.Timeout, "no answer within 5 s"),
        };

        var d = _policy.Decide(new TunnelState(true, ConsecutiveRecoveries: 2), observation, T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(2, d.State.ConsecutiveRecoveries);
        Assert.Contains("no answer within 5 s", d.Reason);
    }

    [Fact]
    public void Decide_DegradedByDefault_IsNotAFailure()
    {
        var d = _policy.Decide(new TunnelState(false, ConsecutiveFailures: 1), Status(TunnelStatus.Degraded), T0);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Equal(0, d.State.ConsecutiveFailures);
    }

    [Fact]
    public void Decide_DegradedWhenListedInFailoverOn_FailsOver()
    {
        var policy = new FailoverPolicy(Settings(FailbackMode.SecondConnector, TunnelStatus.Degraded));

        var d = policy.Decide(new TunnelState(false, ConsecutiveFailures: 1), Status(TunnelStatus.Degraded), T0);

        Assert.Equal(DecisionKind.StartBackup, d.Kind);
    }

    [Fact]
    public void Decide_InactiveByDefault_FailsOver()
    {
        var d = _policy.Decide(new TunnelState(false, ConsecutiveFailures: 1), Status(TunnelStatus.Inactive), T0);

        Assert.Equal(DecisionKind.StartBackup, d.Kind);
    }

    [Fact]
    public void Decide_FailbackNever_NeverStops()
    {
        var policy = new FailoverPolicy(Settings(FailbackMode.Never));
        var back = WithConnectors(TunnelStatus.Healthy, null, new Connector("a", true), new Connector("b", true));
        var state = new TunnelState(true);

        for (var i = 0; i < 5; i++)
        {
            var d = policy.Decide(state, back, T0);
            Assert.Equal(DecisionKind.None, d.Kind);
            state = d.State;
        }
    }

    [Fact]
    public void Decide_FailbackHealthy_StopsAfterThresholdHealthyChecks_WithoutConnectors()
    {
        var policy = new FailoverPolicy(Settings(FailbackMode.Healthy));
        var state = new TunnelState(true);

        Decision d = null!;
        for (var i = 0; i < 3; i++)
        {
            d = policy.Decide(state, Status(TunnelStatus.Healthy), T0);
            state = d.State;
        }

        Assert.Equal(DecisionKind.StopBackup, d.Kind);
        Assert.Contains("status healthy", d.Reason);
    }

    [Fact]
    public void AfterAction_StartDidNotTake_BacksOffAndBlocksUntilThen()
    {
        var state = new TunnelState(false, ConsecutiveFailures: 2);

        state = _policy.AfterAction(state, DecisionKind.StartBackup, backupActiveNow: false, "x", T0);

        Assert.Equal(1, state.FailedAttempts);
        Assert.Equal(T0 + TimeSpan.FromSeconds(5), state.RetryAt);
        var blocked = _policy.Decide(state, Status(TunnelStatus.Down), T0 + TimeSpan.FromSeconds(4));
        Assert.Equal(DecisionKind.None, blocked.Kind);
        Assert.Contains("next attempt at", blocked.Reason);
        Assert.Equal(DecisionKind.StartBackup, _policy.Decide(blocked.State, Status(TunnelStatus.Down), T0 + TimeSpan.FromSeconds(5)).Kind);
    }

    [Fact]
    public void AfterAction_StopDidNotTake_BacksOffAndKeepsBackupActive()
    {
        var state = _policy.AfterAction(new TunnelState(true, ConsecutiveRecoveries: 3), DecisionKind.StopBackup, backupActiveNow: true, "x", T0);

        Assert.True(state.BackupActive);
        Assert.Equal(1, state.FailedAttempts);
        Assert.NotNull(state.RetryAt);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 300)]
    [InlineData(40, 300)]
    public void Backoff_DoublesFromBaseUpToFiveMinutes(int attempts, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), _policy.Backoff(attempts));
}
