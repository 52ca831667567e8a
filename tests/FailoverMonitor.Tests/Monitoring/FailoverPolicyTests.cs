using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

public sealed partial class FailoverPolicyTests
{
    // The monotonic clock's origin is arbitrary: a day in, so earlier instants stay positive.
    private static readonly Instant T0 = new(TimeSpan.FromDays(1), FakeTimeProvider.Start);
    private readonly FailoverPolicy _policy = new(Settings());

    // No flap guard, no restart of a backup that never connected and no "down by the API's clock" (check interval
    // zero); the back-off starts at 5 s.
    private static CheckSettings Settings(FailbackMode failback = FailbackMode.SecondConnector, params TunnelStatus[] failoverOn) => new()
    {
        FailureThreshold = 2,
        RecoveryThreshold = 3,
        FailoverOn = (failoverOn.Length == 0 ? [TunnelStatus.Down, TunnelStatus.Inactive] : failoverOn).ToHashSet(),
        Failback = failback,
        CheckInterval = TimeSpan.Zero,
        MinActionInterval = TimeSpan.Zero,
        BackupConnectTimeout = null,
    };

    private static TunnelObservation Status(TunnelStatus status) => TunnelObservation.Of(status);

    private static TunnelObservation WithConnectors(TunnelStatus status, string? local, params Connector[] connectors) =>
        TunnelObservation.Of(status) with { Connectors = connectors, LocalConnectorId = local };

    private static TunnelObservation Unknown() =>
        TunnelObservation.Unknown(new CloudflareApiException(ApiFailureKind.ServerError, "HTTP 500"));

    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The primary is back beside the backup (two distinct live connectors).</summary>
    private static TunnelObservation PrimaryBack =>
        WithConnectors(TunnelStatus.Healthy, null, new Connector("backup", true), new Connector("primary", true));

    /// <summary>The backup is active but no connector is live: the tunnel stays down.</summary>
    private static TunnelObservation StillDown => WithConnectors(TunnelStatus.Down, null);

    /// <summary>Default thresholds with the flap guard on (min_action_interval 30 s).</summary>
    private static CheckSettings Guarded(int maxActionsPerHour = 10, TimeSpan? connectTimeout = null) =>
        Settings() with { MinActionInterval = MinInterval, MaxActionsPerHour = maxActionsPerHour, BackupConnectTimeout = connectTimeout };

    /// <summary>The state right after a start at <paramref name="at"/> that took.</summary>
    private static TunnelState Started(FailoverPolicy policy, Instant at) =>
        policy.AfterAction(new TunnelState(false, ConsecutiveFailures: 2), DecisionKind.StartBackup, backupActiveNow: true, "start", at);

    /// <summary><paramref name="checks"/> "primary back" observations a second apart, ending at <paramref name="at"/>; the last decision.</summary>
    private static Decision Recover(FailoverPolicy policy, TunnelState state, Instant at, int checks) =>
        Repeat(policy, state, PrimaryBack, at, checks);

    /// <summary><paramref name="checks"/> down observations a second apart, ending at <paramref name="at"/>; the last decision.</summary>
    private static Decision Fail(FailoverPolicy policy, TunnelState state, Instant at, int checks) =>
        Repeat(policy, state, Status(TunnelStatus.Down), at, checks);

    private static Decision Repeat(FailoverPolicy policy, TunnelState state, TunnelObservation observation, Instant at, int checks)
    {
        Decision d = null!;
        for (var i = checks - 1; i >= 0; i--)
        {
            d = policy.Decide(state, observation, at - TimeSpan.FromSeconds(i));
            Assert.True(i == 0 || d.Kind == DecisionKind.None, $"acted {i} checks early: {d.Reason}");
            state = d.State;
        }

        return d;
    }

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

    // ---- flap guard ----

    [Fact]
    public void Decide_StopWithinMinActionIntervalOfStart_NoneWithFlapGuardReason()
    {
        var policy = new FailoverPolicy(Guarded());
        var state = Started(policy, T0);

        var d = Recover(policy, state, T0 + TimeSpan.FromSeconds(10), checks: 3);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.StartsWith("flap guard:", d.Reason);
        Assert.Contains("min_action_interval 30 s", d.Reason);
        Assert.Equal(3, d.State.ConsecutiveRecoveries);

        // Just before the interval ends still nothing; at its end the stop goes ahead.
        d = policy.Decide(d.State, PrimaryBack, T0 + MinInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(DecisionKind.None, d.Kind);
        d = policy.Decide(d.State, PrimaryBack, T0 + MinInterval);
        Assert.Equal(DecisionKind.StopBackup, d.Kind);
    }

    [Fact]
    public void Decide_StartWithinMinActionIntervalOfStop_StartsAtOnce()
    {
        // The primary dies again 5 s after a failback: a start is never held back by min_action_interval.
        var policy = new FailoverPolicy(Guarded());
        var state = policy.AfterAction(new TunnelState(true, ConsecutiveRecoveries: 3), DecisionKind.StopBackup, backupActiveNow: false, "stop", T0);

        var d = policy.Decide(state, Status(TunnelStatus.Down), T0 + TimeSpan.FromSeconds(5));
        Assert.Equal(DecisionKind.None, d.Kind);
        d = policy.Decide(d.State, Status(TunnelStatus.Down), T0 + TimeSpan.FromSeconds(6));

        Assert.Equal(DecisionKind.StartBackup, d.Kind);
        Assert.DoesNotContain("flap guard", d.Reason);
    }

    [Fact]
    public void Decide_StartAtMaxActionsPerHour_StartsWithoutHold()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var now = T0 + TimeSpan.FromMinutes(30);
        var state = new TunnelState(false, ConsecutiveFailures: 1, RecentActions: [T0, T0 + TimeSpan.FromMinutes(10), T0 + TimeSpan.FromMinutes(20)],
            LastActionKind: DecisionKind.StopBackup, LastActionAt: T0 + TimeSpan.FromMinutes(20));

        var d = policy.Decide(state, Status(TunnelStatus.Down), now);

        Assert.Equal(DecisionKind.StartBackup, d.Kind);
        Assert.Null(d.State.HeldSince);
        Assert.Equal(4, policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, now).Actions.Count);
    }

    [Fact]
    public void Decide_ActionThatWouldExceedMaxActionsPerHour_HoldWithHeldSince()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var now = T0 + TimeSpan.FromMinutes(30);
        var state = new TunnelState(true, ConsecutiveRecoveries: 2, RecentActions: [T0, T0 + TimeSpan.FromMinutes(10), T0 + TimeSpan.FromMinutes(20)],
            LastActionKind: DecisionKind.StartBackup, LastActionAt: T0 + TimeSpan.FromMinutes(20));

        var d = policy.Decide(state, PrimaryBack, now);

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.False(d.IsAction);
        Assert.Equal(now, d.State.HeldSince);
        Assert.Contains("3 actions within the last hour reached max_actions_per_hour 3", d.Reason);
        Assert.Contains("2 distinct live connectors for 3 consecutive checks", d.Reason);
    }

    [Fact]
    public void Flow_StartStopStart_FourthActionWithinTheHourIsHeld()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var state = Started(policy, T0);
        var d = Recover(policy, state, T0 + TimeSpan.FromMinutes(1), checks: 3);
        Assert.Equal(DecisionKind.StopBackup, d.Kind);
        state = policy.AfterAction(d.State, d.Kind, backupActiveNow: false, d.Reason, T0 + TimeSpan.FromMinutes(1));
        d = Fail(policy, state, T0 + TimeSpan.FromMinutes(2), checks: 2);
        Assert.Equal(DecisionKind.StartBackup, d.Kind);
        state = policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, T0 + TimeSpan.FromMinutes(2));
        Assert.Equal(3, state.Actions.Count);

        d = Recover(policy, state, T0 + TimeSpan.FromMinutes(3), checks: 3);

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Equal(T0 + TimeSpan.FromMinutes(3), d.State.HeldSince);
        Assert.True(d.State.BackupActive);
    }

    [Fact]
    public void Decide_WhileHeld_StopNoneAndTheHoldStays()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var state = new TunnelState(true, ConsecutiveRecoveries: 5, HeldSince: T0, RecentActions: [T0 - TimeSpan.FromMinutes(1)]);

        foreach (var later in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(30), FailoverPolicy.HoldWindow - TimeSpan.FromSeconds(1) })
        {
            var d = policy.Decide(state, PrimaryBack, T0 + later);
            Assert.Equal(DecisionKind.None, d.Kind);
            Assert.StartsWith("on hold since 00:00:00 UTC, no stop or restart until a reload or 01:00:00 UTC", d.Reason);
            Assert.Equal(T0, d.State.HeldSince);
            state = d.State;
        }
    }

    [Fact]
    public void Decide_WhileHeld_RestartNone()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3, connectTimeout: ConnectTimeout));
        var state = Started(policy, T0) with { HeldSince = T0 + TimeSpan.FromSeconds(1) };

        var d = policy.Decide(state, StillDown, T0 + ConnectTimeout + TimeSpan.FromMinutes(5));

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.StartsWith("on hold since 00:00:01 UTC, no stop or restart", d.Reason);
        Assert.Contains("the backup has not connected", d.Reason);
    }

    [Fact]
    public void Decide_RestartAtMaxActionsPerHour_Hold()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 1, connectTimeout: ConnectTimeout));

        var d = policy.Decide(Started(policy, T0), StillDown, T0 + ConnectTimeout);

        Assert.Equal(DecisionKind.Hold, d.Kind);
        Assert.Contains("held back: local service active for 60 s", d.Reason);
    }

    [Fact]
    public void Decide_WhileHeld_DownTunnelStillStartsAndTheHoldStays()
    {
        // The backup was stopped (or died) while held: a hold freezes stops and restarts, never a start.
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var state = new TunnelState(false, ConsecutiveFailures: 1, HeldSince: T0, RecentActions: [T0 - TimeSpan.FromMinutes(2), T0 - TimeSpan.FromMinutes(1), T0],
            LastActionKind: DecisionKind.StopBackup, LastActionAt: T0 - TimeSpan.FromMinutes(1));

        var d = policy.Decide(state, Status(TunnelStatus.Down), T0 + TimeSpan.FromMinutes(10));

        Assert.Equal(DecisionKind.StartBackup, d.Kind);
        Assert.Equal(T0, d.State.HeldSince);
        Assert.EndsWith("on hold since 00:00:00 UTC, but a start is never held back", d.Reason);
    }

    [Fact]
    public void DescribeHold_Until_NamesWhatIsFrozenAndWhatIsNot() =>
        Assert.Equal(
            "holding: no stop or restart until 01:00:00 UTC or `systemctl reload failover-monitor`; a down tunnel still gets its backup started",
            FailoverPolicy.DescribeHold(FakeTimeProvider.Start + FailoverPolicy.HoldWindow));

    [Fact]
    public void Decide_HourAfterHold_ReleasedAndActsAgain()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var actions = new[] { T0 - TimeSpan.FromMinutes(3), T0 - TimeSpan.FromMinutes(2), T0 - TimeSpan.FromMinutes(1) };
        var state = new TunnelState(true, ConsecutiveRecoveries: 5, HeldSince: T0, RecentActions: actions,
            LastActionKind: DecisionKind.StartBackup, LastActionAt: actions[^1]);

        var d = policy.Decide(state, PrimaryBack, T0 + FailoverPolicy.HoldWindow);

        Assert.Equal(DecisionKind.StopBackup, d.Kind);
        Assert.Null(d.State.HeldSince);
        Assert.Empty(d.State.Actions);
    }

    [Fact]
    public void Decide_HourAfterHoldWhileNoActionIsDue_HoldReleased()
    {
        // The hold ends with the hour even when the tunnel needs nothing then, so the status stops saying "on hold".
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var state = new TunnelState(false, HeldSince: T0);

        Assert.Equal(T0, policy.Decide(state, Status(TunnelStatus.Healthy), T0 + FailoverPolicy.HoldWindow - TimeSpan.FromSeconds(1)).State.HeldSince);
        var d = policy.Decide(state, Status(TunnelStatus.Healthy), T0 + FailoverPolicy.HoldWindow);

        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.Null(d.State.HeldSince);
    }

    [Fact]
    public void Decide_ActionsOlderThanAnHour_DropOutOfTheCount()
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var now = T0 + TimeSpan.FromHours(2);
        var state = new TunnelState(true, ConsecutiveRecoveries: 2,
            RecentActions: [now - TimeSpan.FromMinutes(61), now - FailoverPolicy.HoldWindow, now - TimeSpan.FromMinutes(59), now - TimeSpan.FromMinutes(30)]);

        var d = policy.Decide(state, PrimaryBack, now);

        Assert.Equal(DecisionKind.StopBackup, d.Kind);
        Assert.Equal([now - TimeSpan.FromMinutes(59), now - TimeSpan.FromMinutes(30)], d.State.Actions);
        var after = policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, now);
        Assert.Equal(3, after.Actions.Count);
    }

    [Fact]
    public void AfterAction_EveryAttempt_RecordedForTheFlapGuard()
    {
        var policy = new FailoverPolicy(Guarded());

        var failed = policy.AfterAction(new TunnelState(false, ConsecutiveFailures: 2), DecisionKind.StartBackup, backupActiveNow: false, "start", T0);

        Assert.Equal([T0], failed.Actions);
        Assert.Equal(DecisionKind.StartBackup, failed.LastActionKind);
        Assert.Equal(T0, failed.LastActionAt);
    }

    // ---- restart of a backup that never connects ----

    [Fact]
    public void Decide_BackupActiveAndDownForConnectTimeout_RestartBackup()
    {
        var policy = new FailoverPolicy(Guarded(connectTimeout: ConnectTimeout));
        var state = Started(policy, T0);

        var early = policy.Decide(state, StillDown, T0 + ConnectTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(DecisionKind.None, early.Kind);

        var d = policy.Decide(early.State, StillDown, T0 + ConnectTimeout);
        Assert.Equal(DecisionKind.RestartBackup, d.Kind);
        Assert.True(d.IsAction);
        Assert.Contains("the backup has not connected (backup_connect_timeout 60 s)", d.Reason);
    }

    [Fact]
    public void Decide_BackupActiveAndHealthyAfterConnectTimeout_NoRestart()
    {
        var policy = new FailoverPolicy(Guarded(connectTimeout: ConnectTimeout));
        var state = Started(policy, T0);

        var d = policy.Decide(state, WithConnectors(TunnelStatus.Healthy, null, new Connector("backup", true)), T0 + TimeSpan.FromMinutes(10));

        Assert.Equal(DecisionKind.None, d.Kind);
    }

    [Fact]
    public void Decide_RestartSoonAfterStart_IsNotAnOppositeAction()
    {
        // A restart is a start: min_action_interval (30 s) does not hold back a restart after 10 s.
        var policy = new FailoverPolicy(Guarded(connectTimeout: TimeSpan.FromSeconds(10)));
        var state = Started(policy, T0);

        Assert.Equal(DecisionKind.RestartBackup, policy.Decide(state, StillDown, T0 + TimeSpan.FromSeconds(10)).Kind);
    }

    [Fact]
    public void AfterAction_Restart_RetryAtNoEarlierThanConnectTimeout()
    {
        var policy = new FailoverPolicy(Guarded(connectTimeout: ConnectTimeout));
        var restartAt = T0 + ConnectTimeout;
        var d = policy.Decide(Started(policy, T0), StillDown, restartAt);

        var state = policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, restartAt);

        Assert.True(state.BackupActive);
        Assert.Equal(restartAt, state.BackupActiveSince);
        Assert.Equal(1, state.FailedAttempts);
        Assert.NotNull(state.RetryAt);
        Assert.True(state.RetryAt >= restartAt + ConnectTimeout);
        Assert.Equal(DecisionKind.RestartBackup, state.LastActionKind);
    }

    [Fact]
    public void Decide_AfterRestarts_NoFurtherRestartBeforeRetryAt()
    {
        // Connect timeout 10 s, back-off 5, 10, 20 s: from the third restart on the back-off is the longer wait.
        var policy = new FailoverPolicy(Guarded(connectTimeout: TimeSpan.FromSeconds(10)));
        var state = Started(policy, T0);
        var now = T0;
        for (var i = 1; i <= 3; i++)
        {
            now += TimeSpan.FromSeconds(10);
            var d = policy.Decide(state, StillDown, now);
            Assert.Equal(DecisionKind.RestartBackup, d.Kind);
            state = policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, now);
        }

        Assert.Equal(now + TimeSpan.FromSeconds(20), state.RetryAt);
        var waiting = policy.Decide(state, StillDown, now + TimeSpan.FromSeconds(19));
        Assert.Equal(DecisionKind.None, waiting.Kind);
        Assert.Contains("next restart at", waiting.Reason);
        Assert.Equal(DecisionKind.RestartBackup, policy.Decide(waiting.State, StillDown, now + TimeSpan.FromSeconds(20)).Kind);
    }

    [Fact]
    public void Decide_PrimaryBackAfterRestartedBackupConnected_FailbackNotHeldByTheRestartBackoff()
    {
        var policy = new FailoverPolicy(Guarded(connectTimeout: ConnectTimeout));
        var restartAt = T0 + ConnectTimeout;
        var d = policy.Decide(Started(policy, T0), StillDown, restartAt);
        var state = policy.AfterAction(d.State, d.Kind, backupActiveNow: true, d.Reason, restartAt);
        Assert.True(state.RetryAt > restartAt + MinInterval + TimeSpan.FromSeconds(3));

        // The restarted backup connects, then the primary comes back: a failback once the flap guard allows it.
        d = policy.Decide(state, WithConnectors(TunnelStatus.Healthy, null, new Connector("backup", true)), restartAt + TimeSpan.FromSeconds(5));
        d = Recover(policy, d.State, restartAt + MinInterval, checks: 3);

        Assert.Equal(DecisionKind.StopBackup, d.Kind);
    }

    [Fact]
    public void Decide_NoConnectTimeout_NeverRestarts()
    {
        var state = Started(_policy, T0);

        Assert.Equal(DecisionKind.None, _policy.Decide(state, StillDown, T0 + TimeSpan.FromHours(1)).Kind);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 300)]
    [InlineData(40, 300)]
    public void Backoff_DoublesFromBaseUpToFiveMinutes(int attempts, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), _policy.Backoff(attempts));

    [Theory]
    [InlineData(6, DecisionKind.StartBackup)]
    [InlineData(600, DecisionKind.StartBackup)]
    [InlineData(5, DecisionKind.None)]
    public void Decide_DownLongEnoughByCloudflaresClock_FailsOverOnFirstLook(int inactiveSeconds, DecisionKind expected)
    {
        // Threshold 2 checks × 3 s: a tunnel the API says has been down for 6 s or more needs no second look.
        var policy = new FailoverPolicy(Settings() with { CheckInterval = TimeSpan.FromSeconds(3) });

        var d = policy.Decide(new TunnelState(false), Status(TunnelStatus.Down) with { InactiveFor = TimeSpan.FromSeconds(inactiveSeconds) }, T0);

        Assert.Equal(expected, d.Kind);
        if (expected == DecisionKind.StartBackup)
        {
            Assert.Contains("by Cloudflare's clock", d.Reason);
        }
    }

    [Fact]
    public void Decide_InactiveForWithoutCheckInterval_IsIgnored()
    {
        var d = _policy.Decide(new TunnelState(false), Status(TunnelStatus.Down) with { InactiveFor = TimeSpan.FromHours(1) }, T0);

        Assert.Equal(DecisionKind.None, d.Kind);
    }

    [Fact]
    public void Decide_DownAfterAStopThatDidNotTake_StartNotHeldByTheStopsBackoff()
    {
        // The stop read back "active" (say systemctl timed out), then the unit went inactive on its own.
        var state = _policy.AfterAction(new TunnelState(true, ConsecutiveRecoveries: 3), DecisionKind.StopBackup, backupActiveNow: true, "stop", T0);
        Assert.NotNull(state.RetryAt);
        state = state.WithUnitState(false, T0 + TimeSpan.FromSeconds(1)) with { ConsecutiveFailures = 1 };

        Assert.Equal(DecisionKind.StartBackup, _policy.Decide(state, Status(TunnelStatus.Down), T0 + TimeSpan.FromSeconds(2)).Kind);
    }

    // ---- wall clock jumps: every interval is taken on the monotonic clock ----

    /// <summary><paramref name="at"/> on the monotonic clock while the wall clock reads <paramref name="shift"/> off.</summary>
    private static Instant WallShifted(Instant at, TimeSpan shift) => at with { Wall = at.Wall + shift };

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Decide_WallClockJumpsAnHour_StopStillWaitsForMinActionInterval(int hours)
    {
        var policy = new FailoverPolicy(Guarded());
        var state = Started(policy, T0);

        var d = Recover(policy, state, WallShifted(T0 + TimeSpan.FromSeconds(10), TimeSpan.FromHours(hours)), checks: 3);
        Assert.Equal(DecisionKind.None, d.Kind);
        Assert.StartsWith("flap guard:", d.Reason);

        Assert.Equal(DecisionKind.StopBackup, policy.Decide(d.State, PrimaryBack, WallShifted(T0 + MinInterval, TimeSpan.FromHours(hours))).Kind);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Decide_WallClockJumpsAnHour_HoldNeitherEndsEarlyNorLate(int hours)
    {
        var policy = new FailoverPolicy(Guarded(maxActionsPerHour: 3));
        var state = new TunnelState(true, ConsecutiveRecoveries: 5, HeldSince: T0, RecentActions: [T0]);

        var held = policy.Decide(state, PrimaryBack, WallShifted(T0 + TimeSpan.FromMinutes(1), TimeSpan.FromHours(hours)));
        Assert.Equal(DecisionKind.None, held.Kind);
        Assert.Equal(T0, held.State.HeldSince);

        var released = policy.Decide(held.State, PrimaryBack, WallShifted(T0 + FailoverPolicy.HoldWindow, TimeSpan.FromHours(hours)));
        Assert.Equal(DecisionKind.StopBackup, released.Kind);
        Assert.Empty(released.State.Actions);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Decide_WallClockJumpsAnHour_BackoffEndsOnTheMonotonicClock(int hours)
    {
        var state = _policy.AfterAction(new TunnelState(false, ConsecutiveFailures: 2), DecisionKind.StartBackup, backupActiveNow: false, "x", T0);

        var waiting = _policy.Decide(state, Status(TunnelStatus.Down), WallShifted(T0 + TimeSpan.FromSeconds(4), TimeSpan.FromHours(hours)));
        Assert.Equal(DecisionKind.None, waiting.Kind);
        Assert.Equal(DecisionKind.StartBackup, _policy.Decide(waiting.State, Status(TunnelStatus.Down), WallShifted(T0 + TimeSpan.FromSeconds(5), TimeSpan.FromHours(hours))).Kind);
    }

    [Fact]
    public void Decide_WallClockJumpsAnHourForward_NoRestartBeforeConnectTimeout()
    {
        var policy = new FailoverPolicy(Guarded(connectTimeout: ConnectTimeout));

        var d = policy.Decide(Started(policy, T0), StillDown, WallShifted(T0 + TimeSpan.FromSeconds(5), TimeSpan.FromHours(1)));

        Assert.Equal(DecisionKind.None, d.Kind);
    }
}
