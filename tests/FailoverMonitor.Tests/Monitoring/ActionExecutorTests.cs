using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Monitoring.MonitoringFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class ActionExecutorTests
{
    // Event ids of Logging/Log.cs and Log.Faults.cs.
    private const int TunnelChecked = 11;
    private const int CountingTowardAction = 15;
    private const int FailoverStarting = 20;
    private const int FailedOver = 21;
    private const int StartFailed = 22;
    private const int FailedBack = 24;
    private const int Hold = 35;
    private const int HoldReleased = 36;
    private const int BackupStillStopping = 164;

    private static readonly TunnelObservation Down = TunnelObservation.Of(TunnelStatus.Down);

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly FakeUnits _units = new();
    private readonly RecordingObserver _observer = new();
    private readonly FailoverPolicy _policy = new(new CheckSettings());
    private readonly TunnelRuntime _tunnel;
    private readonly ActionExecutor _executor;

    public ActionExecutorTests()
    {
        var services = new SystemctlServiceController(_units.Runner, new SystemctlUnitStateReader(_units.Runner));
        _executor = new ActionExecutor(services, [_observer], _clock, _logs.CreateFactory().CreateLogger<ActionExecutor>());
        _tunnel = RuntimeOf(Tunnel("web"), _clock);
        _tunnel.UnitKnown = true;
    }

    [Fact]
    public async Task Execute_StartThatTakes_UnitReadBackActiveStateResetAndObserverToldOk()
    {
        await ExecuteAsync(Decide(DecisionKind.StartBackup, new TunnelState(false, ConsecutiveFailures: 2)));

        Assert.True(_units.IsActive("cloudflared-web"));
        Assert.True(_tunnel.State.BackupActive);
        Assert.Equal(0, _tunnel.State.ConsecutiveFailures);
        Assert.Equal(DecisionKind.StartBackup, _tunnel.State.LastActionKind);
        Assert.Equal(LogLevel.Error, Assert.Single(_logs.WithId(FailoverStarting)).Level);
        Assert.Equal("Tunnel web failed over: local service cloudflared-web is active", Assert.Single(_logs.WithId(FailedOver)).Message);
        Assert.Equal(["StartBackup web ok: why"], _observer.Calls);
    }

    [Fact]
    public async Task Execute_StartThatDoesNotTake_BackoffSetErrorWithTheReasonAndObserverToldFailed()
    {
        _units.FailStarts = true;

        await ExecuteAsync(Decide(DecisionKind.StartBackup, new TunnelState(false, ConsecutiveFailures: 2)));

        Assert.False(_tunnel.State.BackupActive);
        Assert.Equal(Instant.Now(_clock) + TimeSpan.FromSeconds(5), _tunnel.State.RetryAt);
        var error = Assert.Single(_logs.WithId(StartFailed));
        Assert.Contains("did not take: `systemctl start cloudflared-web` exited with code 1", error.Message);
        Assert.EndsWith("Next attempt in 5 seconds", error.Message);
        Assert.StartsWith("StartBackup web failed: `systemctl start cloudflared-web`", Assert.Single(_observer.Calls));
    }

    [Fact]
    public async Task Execute_StopStillRunningItsExecStop_CountsAsStoppedAndTheRestoredLineWaits()
    {
        _units.Set("cloudflared-web", true);
        _units.SlowStops = true;

        await ExecuteAsync(Decide(DecisionKind.StopBackup, new TunnelState(true, ConsecutiveRecoveries: 3)));

        Assert.False(_tunnel.State.BackupActive);
        Assert.True(_tunnel.StopPending);
        Assert.Single(_logs.WithId(BackupStillStopping));
        Assert.Empty(_logs.WithId(FailedBack));
        Assert.Equal(["StopBackup web ok: why"], _observer.Calls);
        _units.FinishStops();
    }

    [Fact]
    public async Task Execute_Hold_CriticalLineNoSystemctlCallObserverTold()
    {
        var now = Instant.Now(_clock);

        await ExecuteAsync(new Decision(DecisionKind.Hold, "too many", new TunnelState(true, HeldSince: now)));

        Assert.Equal(now, _tunnel.State.HeldSince);
        Assert.Equal(LogLevel.Critical, Assert.Single(_logs.WithId(Hold)).Level);
        Assert.Empty(_units.Runner.Calls);
        Assert.Equal(["hold web: too many"], _observer.Calls);
    }

    [Fact]
    public async Task Execute_NothingWhileACountClimbs_InfoLineThenDebugOncePastTheThreshold()
    {
        _tunnel.State = new TunnelState(false);
        await ExecuteAsync(Decide(DecisionKind.None, new TunnelState(false, ConsecutiveFailures: 1)));
        await ExecuteAsync(Decide(DecisionKind.None, new TunnelState(false, ConsecutiveFailures: 2)));
        await ExecuteAsync(Decide(DecisionKind.None, new TunnelState(false, ConsecutiveFailures: 3)));

        Assert.Equal(2, _logs.WithId(CountingTowardAction).Count);
        Assert.Equal(LogLevel.Debug, Assert.Single(_logs.WithId(TunnelChecked)).Level);
        Assert.Empty(_units.Runner.Calls);
        Assert.Empty(_observer.Calls);
    }

    [Fact]
    public async Task Execute_DecisionWithoutTheHold_HoldReleasedLine()
    {
        _tunnel.State = new TunnelState(true, HeldSince: Instant.Now(_clock));

        await ExecuteAsync(Decide(DecisionKind.None, new TunnelState(true)));

        Assert.Single(_logs.WithId(HoldReleased));
    }

    private Decision Decide(DecisionKind kind, TunnelState state) => new(kind, "why", state);

    private Task ExecuteAsync(Decision decision) =>
        _executor.ExecuteAsync(_tunnel, decision, Down, _policy, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
}
