using FailoverMonitor.Monitoring;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using static FailoverMonitor.Tests.Monitoring.MonitoringFixtures;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

public sealed class UnitStateTrackerTests
{
    // Event ids of Logging/Log.cs.
    private const int UnitStateAtStartup = 6;
    private const int FailedBack = 24;
    private const int UnitStateChanged = 26;
    private const int UnitStateUnreadable = 27;

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeLogCollector _logs = new();
    private readonly FakeUnits _units = new();
    private readonly BreakableUnits _services;
    private readonly UnitStateTracker _tracker;
    private readonly TunnelRuntime _web;
    private readonly TunnelRuntime _api;

    public UnitStateTrackerTests()
    {
        _services = new BreakableUnits(new SystemctlServiceController(_units.Runner, new SystemctlUnitStateReader(_units.Runner)));
        _tracker = new UnitStateTracker(_services, _clock, _logs.CreateFactory().CreateLogger<UnitStateTracker>());
        (_web, _api) = (RuntimeOf(Tunnel("web"), _clock), RuntimeOf(Tunnel("api"), _clock));
    }

    [Fact]
    public async Task Read_AtStartup_EveryStateLoggedOnceInOneReadAndAdopted()
    {
        _units.Set("cloudflared-api", true);

        await ReadAsync(atStartup: true);

        Assert.Equal(1, _units.Reads);
        Assert.Equal(["Tunnel web: local service cloudflared-web is inactive at start-up", "Tunnel api: local service cloudflared-api is active (failed over) at start-up"],
            _logs.WithId(UnitStateAtStartup).Select(e => e.Message));
        Assert.True(_api.UnitKnown && _api.State.BackupActive);
        Assert.Equal(Instant.Now(_clock), _api.State.BackupActiveSince);
        Assert.True(_web.UnitKnown && !_web.State.BackupActive);
    }

    [Fact]
    public async Task Read_UnitStartedOutsideTheMonitor_WarningAndCountsRestart()
    {
        await ReadAsync();
        _web.State = _web.State with { ConsecutiveFailures = 1 };
        _units.Set("cloudflared-web", true);

        await ReadAsync();

        Assert.Equal(LogLevel.Warning, Assert.Single(_logs.WithId(UnitStateChanged)).Level);
        Assert.Contains("is now active (was inactive)", _logs.WithId(UnitStateChanged)[0].Message);
        Assert.True(_web.State.BackupActive);
        Assert.Equal(0, _web.State.ConsecutiveFailures);
    }

    [Fact]
    public async Task Read_StatesUnreadable_ErrorOncePerTunnelUnitsUnknownUntilReadAgain()
    {
        await ReadAsync();
        _services.Broken = true;

        await ReadAsync();
        await ReadAsync();

        Assert.Equal(2, _logs.WithId(UnitStateUnreadable).Count);
        Assert.All(_logs.WithId(UnitStateUnreadable), e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.False(_web.UnitKnown || _api.UnitKnown);

        _services.Broken = false;
        await ReadAsync();
        Assert.True(_web.UnitKnown && _api.UnitKnown);
        Assert.Null(_web.LastUnitError);
    }

    [Fact]
    public async Task Read_PendingStopHasEnded_RestoredLineOnce()
    {
        _web.State = new TunnelState(false);
        _web.StopPending = true;

        await ReadAsync();
        await ReadAsync();

        Assert.Equal("Tunnel web restored: local service cloudflared-web stopped", Assert.Single(_logs.WithId(FailedBack)).Message);
        Assert.False(_web.StopPending);
    }

    private Task ReadAsync(bool atStartup = false) =>
        _tracker.ReadAsync([_web, _api], atStartup, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Real units whose states can be made unreadable (as with a bus and a systemctl that both fail).</summary>
    private sealed class BreakableUnits(IServiceController inner) : IServiceController
    {
        public bool Broken { get; set; }

        public Task<bool> IsActiveAsync(string unit, CancellationToken cancellationToken) => inner.IsActiveAsync(unit, cancellationToken);

        public Task StartAsync(string unit, CancellationToken cancellationToken) => inner.StartAsync(unit, cancellationToken);

        public Task RestartAsync(string unit, CancellationToken cancellationToken) => inner.RestartAsync(unit, cancellationToken);

        public Task<string> GetLoadStateAsync(string unit, CancellationToken cancellationToken) => inner.GetLoadStateAsync(unit, cancellationToken);

        public Task StopAsync(string unit, CancellationToken cancellationToken) => inner.StopAsync(unit, cancellationToken);

        public Task<IReadOnlyDictionary<string, UnitState>> GetStatesAsync(IReadOnlyList<string> units, CancellationToken cancellationToken) => Broken
            ? throw new ServiceControlException("systemctl", ["show", .. units], 1, "Failed to connect to bus")
            : inner.GetStatesAsync(units, cancellationToken);
    }
}
