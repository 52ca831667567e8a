using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><see cref="UnitStateReaderWithFallback"/> over two fake readers: which one answers, when the bus is asked again, what is logged.</summary>
public sealed class UnitStateReaderWithFallbackTests
{
    private static readonly IReadOnlyList<string> Units = ["cloudflared-backup"];

    private readonly FakeReader _bus = new("D-Bus unix:path=/run/systemd/private", "active");
    private readonly FakeReader _systemctl = new("systemctl show", "inactive");
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogCollector _logs = new();
    private readonly UnitStateReaderWithFallback _reader;

    public UnitStateReaderWithFallbackTests() =>
        _reader = new UnitStateReaderWithFallback(_bus, _systemctl, _time, _logs.CreateFactory().CreateLogger<UnitStateReaderWithFallback>());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_BusAnswers_BusStatesNoFallbackOneInfoLine()
    {
        var first = await _reader.ReadAsync(Units, Ct);
        var second = await _reader.ReadAsync(Units, Ct);

        Assert.Equal("active", first["cloudflared-backup"].ActiveState);
        Assert.Equal("active", second["cloudflared-backup"].ActiveState);
        Assert.Equal(2, _bus.Reads);
        Assert.Equal(0, _systemctl.Reads);
        var line = Assert.Single(_logs.GetSnapshot());
        Assert.Equal((220, LogLevel.Information), (line.Id.Id, line.Level));
        Assert.Contains("D-Bus unix:path=/run/systemd/private", line.Message);
        Assert.Equal(_bus.Source, _reader.Source);
    }

    [Fact]
    public async Task ReadAsync_NoBusFromTheStart_FallbackStatesOneInfoLineNoWarning()
    {
        _bus.Failure = "No such file or directory";

        var states = await _reader.ReadAsync(Units, Ct);
        await _reader.ReadAsync(Units, Ct);

        Assert.Equal("inactive", states["cloudflared-backup"].ActiveState);
        Assert.Equal(2, _systemctl.Reads);
        var line = Assert.Single(_logs.GetSnapshot());
        Assert.Equal((221, LogLevel.Information), (line.Id.Id, line.Level));
        Assert.Contains("systemctl show", line.Message);
        Assert.Contains("No such file or directory", line.Message);
        Assert.Equal(_systemctl.Source, _reader.Source);
    }

    [Fact]
    public async Task ReadAsync_BusFailsAfterAnswering_OneWarningAndFallbackStates()
    {
        await _reader.ReadAsync(Units, Ct);
        _bus.Failure = "Connection reset by peer";

        var states = await _reader.ReadAsync(Units, Ct);
        _time.Advance(UnitStateReaderWithFallback.BusRetryInterval);
        await _reader.ReadAsync(Units, Ct);

        Assert.Equal("inactive", states["cloudflared-backup"].ActiveState);
        var warning = Assert.Single(_logs.GetSnapshot(), e => e.Level >= LogLevel.Warning);
        Assert.Equal(222, warning.Id.Id);
        Assert.Contains("Connection reset by peer", warning.Message);
        Assert.Equal([220, 222], _logs.GetSnapshot().Select(e => e.Id.Id));
    }

    [Fact]
    public async Task ReadAsync_AfterABusFailure_BusAskedAgainOnlyAfterTheRetryInterval()
    {
        _bus.Failure = "timeout";
        await _reader.ReadAsync(Units, Ct);
        _bus.Failure = null;

        _time.Advance(UnitStateReaderWithFallback.BusRetryInterval - TimeSpan.FromSeconds(1));
        var before = await _reader.ReadAsync(Units, Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = await _reader.ReadAsync(Units, Ct);

        Assert.Equal("inactive", before["cloudflared-backup"].ActiveState);
        Assert.Equal("active", after["cloudflared-backup"].ActiveState);
        Assert.Equal(2, _bus.Reads);
        Assert.Equal([221, 223], _logs.GetSnapshot().Select(e => e.Id.Id));
    }

    [Fact]
    public async Task ReadAsync_BothFail_ThrowsTheFallbacksError()
    {
        _bus.Failure = "no bus";
        _systemctl.Failure = "Failed to connect to bus";

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => _reader.ReadAsync(Units, Ct));

        Assert.Equal("Failed to connect to bus", e.StandardError);
        Assert.Equal("systemctl show", e.Command);
    }

    private sealed class FakeReader(string source, string activeState) : IUnitStateReader
    {
        public string? Failure { get; set; }

        public int Reads { get; private set; }

        public string Source => source;

        public Task<IReadOnlyDictionary<string, UnitState>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
        {
            Reads++;
            return Failure is { } failure
                ? Task.FromException<IReadOnlyDictionary<string, UnitState>>(new ServiceControlException(source, units, null, failure))
                : Task.FromResult<IReadOnlyDictionary<string, UnitState>>(units.ToDictionary(u => u, _ => new UnitState(activeState, "loaded")));
        }
    }
}
