using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>The questions the loop asks the policy: connectors needed, confirmation awaited, a count climbing.</summary>
public sealed partial class FailoverPolicyTests
{
    [Theory]
    [InlineData(FailbackMode.SecondConnector, true, true)]
    [InlineData(FailbackMode.SecondConnector, false, false)]
    [InlineData(FailbackMode.Healthy, true, false)]
    [InlineData(FailbackMode.Never, true, false)]
    public void NeedsConnectors_FailbackAndBackupState_OnlyFailedOverUnderSecondConnector(FailbackMode failback, bool backupActive, bool needed) =>
        Assert.Equal(needed, new FailoverPolicy(Settings(failback)).NeedsConnectors(new TunnelState(backupActive)));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)] // threshold 2: one failed check awaits its confirmation
    [InlineData(2, false)]
    public void AwaitsConfirmation_StandbyWithFailures_OnlyBelowTheFailureThreshold(int failures, bool awaits) =>
        Assert.Equal(awaits, _policy.AwaitsConfirmation(new TunnelState(false, ConsecutiveFailures: failures)));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)] // threshold 3
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void AwaitsConfirmation_FailedOverWithRecoveries_OnlyBelowTheRecoveryThreshold(int recoveries, bool awaits) =>
        Assert.Equal(awaits, _policy.AwaitsConfirmation(new TunnelState(true, ConsecutiveRecoveries: recoveries)));

    [Fact]
    public void AwaitsConfirmation_HeldWithRecoveries_No() =>
        Assert.False(_policy.AwaitsConfirmation(new TunnelState(true, ConsecutiveRecoveries: 1, HeldSince: T0)));

    [Fact]
    public void AwaitsConfirmation_FailedOverWithStaleFailureCount_No() =>
        Assert.False(_policy.AwaitsConfirmation(new TunnelState(true, ConsecutiveFailures: 1)));

    [Theory]
    [InlineData(0, 1, 0, 0, true)] // failures climb: 1 of 2
    [InlineData(1, 2, 0, 0, true)] // reaching the threshold still counts
    [InlineData(2, 3, 0, 0, false)] // past it: a brake holds the action back
    [InlineData(0, 0, 2, 3, true)] // recoveries reach theirs (3)
    [InlineData(0, 0, 3, 4, false)]
    [InlineData(1, 0, 0, 0, false)] // a count reset climbs nothing
    [InlineData(1, 1, 0, 0, false)]
    public void IsCounting_CountsBeforeAndAfter_TrueWhileClimbingUpToTheThreshold(int failuresBefore, int failuresAfter, int recoveriesBefore, int recoveriesAfter, bool counting) =>
        Assert.Equal(counting, _policy.IsCounting(
            new TunnelState(false, ConsecutiveFailures: failuresBefore, ConsecutiveRecoveries: recoveriesBefore),
            new TunnelState(false, ConsecutiveFailures: failuresAfter, ConsecutiveRecoveries: recoveriesAfter)));
}
