using System.Net.Sockets;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary>
/// <see cref="DBusUnitStateReader"/>: the names systemd is asked for, a bus that is not there, and (component) a real
/// <c>dbus-daemon</c> with a fake systemd on it (<see cref="FakeSystemdBus"/>).
/// </summary>
public sealed class DBusUnitStateReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("cloudflared-backup", "cloudflared-backup.service")]
    [InlineData("cloudflared-backup.service", "cloudflared-backup.service")]
    [InlineData("backup@web.service", "backup@web.service")]
    [InlineData("backup@web", "backup@web.service")]
    [InlineData("vpn.target", "vpn.target")]
    [InlineData("cloudflared.v2", "cloudflared.v2.service")]
    [InlineData("x.timer", "x.timer")]
    public void ToSystemdName_ConfiguredName_AddsServiceOnlyWithoutATypeSuffix(string configured, string expected) =>
        Assert.Equal(expected, DBusUnitStateReader.ToSystemdName(configured));

    [Fact]
    public void DefaultAddress_Root_PidOnesPrivateSocket() =>
        Assert.Equal("unix:path=/run/systemd/private", DBusUnitStateReader.DefaultAddress(privileged: true));

    [Fact]
    public void DefaultAddress_NotRoot_TheSystemBus()
    {
        var address = DBusUnitStateReader.DefaultAddress(privileged: false);

        Assert.NotEqual(DBusUnitStateReader.PrivateSocketAddress, address);
        Assert.Contains("system_bus_socket", address);
    }

    [Fact]
    public async Task ReadAsync_NoSocketAtTheAddress_ThrowsNamingTheAddressAndMethod()
    {
        using var directory = new TempDirectory();
        using var reader = new DBusUnitStateReader($"unix:path={directory.Path}/missing", peer: false, TimeProvider.System);

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => reader.ReadAsync(["cloudflared-backup"], Ct));

        Assert.Equal($"D-Bus unix:path={directory.Path}/missing", e.Command);
        Assert.Equal(["ListUnitsByNames", "cloudflared-backup.service"], e.Arguments);
        Assert.Null(e.ExitCode);
        Assert.NotEmpty(e.StandardError);
    }

    [Fact]
    public async Task ConnectEarly_BeforeAnyRead_OpensTheConnection()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "private");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var reader = new DBusUnitStateReader($"unix:path={path}", peer: true, TimeProvider.System);

        reader.ConnectEarly();

        using var accepted = await listener.AcceptAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(accepted.Connected);
    }

    [Fact]
    public async Task ConnectEarly_NoSocketAtTheAddress_FirstReadThrowsNamingTheAddress()
    {
        using var directory = new TempDirectory();
        using var reader = new DBusUnitStateReader($"unix:path={directory.Path}/missing", peer: false, TimeProvider.System);

        reader.ConnectEarly();
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => reader.ReadAsync(["cloudflared-backup"], Ct));

        Assert.Equal($"D-Bus unix:path={directory.Path}/missing", e.Command);
        Assert.NotEmpty(e.StandardError);
    }

    [Fact]
    public async Task ConnectEarly_FakeSystemdOnABus_ReadAnswersThroughThatConnection()
    {
        await using var bus = await StartBusAsync();
        bus.Units["cloudflared-backup.service"] = ("loaded", "active");
        using var reader = new DBusUnitStateReader(bus.Address, peer: false, TimeProvider.System);

        reader.ConnectEarly();
        var states = await reader.ReadAsync(["cloudflared-backup"], Ct);

        Assert.Equal(new UnitState("active", "loaded"), states["cloudflared-backup"]);
        Assert.Single(bus.Calls);
    }

    [Fact]
    public async Task ReadAsync_NoUnits_AsksNothing()
    {
        using var reader = new DBusUnitStateReader("unix:path=/nonexistent/bus", peer: false, TimeProvider.System);

        Assert.Empty(await reader.ReadAsync([], Ct));
    }

    [Fact]
    public async Task ReadAsync_InvalidName_ThrowsArgumentException()
    {
        using var reader = new DBusUnitStateReader("unix:path=/nonexistent/bus", peer: false, TimeProvider.System);

        await Assert.ThrowsAsync<ArgumentException>(() => reader.ReadAsync(["--now"], Ct));
    }

    [Fact]
    public async Task ReadAsync_FakeSystemdOnABus_OneCallStatesByConfiguredNameMissingIsNotFound()
    {
        await using var bus = await StartBusAsync();
        bus.Units["cloudflared-backup.service"] = ("loaded", "active");
        bus.Units["other.service"] = ("loaded", "deactivating");
        using var reader = new DBusUnitStateReader(bus.Address, peer: false, TimeProvider.System);

        var states = await reader.ReadAsync(["cloudflared-backup", "other.service", "missing", "cloudflared-backup"], Ct);

        var call = Assert.Single(bus.Calls);
        Assert.Equal(["cloudflared-backup.service", "other.service", "missing.service"], call);
        Assert.Equal(new UnitState("active", "loaded"), states["cloudflared-backup"]);
        Assert.Equal(new UnitState("deactivating", "loaded"), states["other.service"]);
        Assert.Equal(new UnitState("inactive", "not-found"), states["missing"]);
        Assert.Equal(3, states.Count);
        Assert.True(states["cloudflared-backup"].IsActive);
        Assert.False(states["missing"].Exists);
    }

    [Fact]
    public async Task ReadAsync_ActiveUnitWithAStopJobQueued_StoppingNotActive()
    {
        await using var bus = await StartBusAsync();
        bus.Units["cloudflared-backup.service"] = ("loaded", "active");
        bus.Jobs["cloudflared-backup.service"] = "stop";
        using var reader = new DBusUnitStateReader(bus.Address, peer: false, TimeProvider.System);

        var state = (await reader.ReadAsync(["cloudflared-backup"], Ct))["cloudflared-backup"];

        Assert.Equal(new UnitState("active", "loaded", "stop"), state);
        Assert.True(state.IsStopping);
        Assert.False(state.IsActive);
    }

    [Fact]
    public async Task ReadAsync_BusRestartedBetweenReads_ReconnectsAndAnswers()
    {
        await using var bus = await StartBusAsync();
        bus.Units["cloudflared-backup.service"] = ("loaded", "inactive");
        using var reader = new DBusUnitStateReader(bus.Address, peer: false, TimeProvider.System);
        await reader.ReadAsync(["cloudflared-backup"], Ct);

        await bus.RestartAsync(Ct);
        bus.Units["cloudflared-backup.service"] = ("loaded", "active");
        var states = await reader.ReadAsync(["cloudflared-backup"], Ct);

        Assert.Equal("active", states["cloudflared-backup"].ActiveState);
        Assert.Equal(2, bus.Calls.Count);
    }

    [Fact]
    public async Task ReadAsync_NobodyOwnsSystemdsName_ThrowsWithTheErrorReply()
    {
        await using var bus = await StartBusAsync();
        using var reader = new DBusUnitStateReader(bus.Address, peer: false, TimeProvider.System);
        await bus.ReleaseSystemdNameAsync(Ct);

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => reader.ReadAsync(["cloudflared-backup"], Ct));

        Assert.StartsWith("org.freedesktop.DBus.Error.NameHasNoOwner: ", e.StandardError);
    }

    [Fact]
    public async Task ReadAsync_PeerThatNeverAnswersHello_ConnectsAtOnceAndCallsWithoutHello()
    {
        await using var peer = new FakeSystemdPeer();
        var time = new FakeTimeProvider(); // never advanced: a wait for a Hello reply would hang until the bound below
        using var reader = new DBusUnitStateReader(peer.Address, peer: true, time);

        var e = await Assert.ThrowsAsync<ServiceControlException>(
            () => reader.ReadAsync(["cloudflared-backup"], Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.StartsWith("org.freedesktop.DBus.Error.UnknownMethod", e.StandardError);
        Assert.Equal(["ListUnitsByNames"], peer.Members);
    }

    private static async Task<FakeSystemdBus> StartBusAsync()
    {
        Assert.SkipUnless(File.Exists(FakeSystemdBus.DaemonPath), $"needs {FakeSystemdBus.DaemonPath} (Debian package dbus-daemon)");
        return await FakeSystemdBus.StartAsync(Ct);
    }
}
