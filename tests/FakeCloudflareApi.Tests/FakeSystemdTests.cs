using System.Collections.Concurrent;
using Tmds.DBus.Protocol;

namespace FakeCloudflareApi.Tests;

/// <summary>Tests of <see cref="FakeSystemd"/> on a real <c>dbus-daemon</c>.</summary>
public sealed class FakeSystemdTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListUnitsByNames_Lookup_AnswersEachNameInOrderAndReportsTheCall()
    {
        await using var rig = await SystemdBusRig.StartAsync(Ct);
        var calls = new ConcurrentQueue<string[]>();
        using var systemd = await FakeSystemd.ConnectAsync(rig.Address, name => name switch
        {
            "a.service" => new FakeUnitState("loaded", "active"),
            "b.service" => new FakeUnitState("loaded", "active", "stop"),
            _ => FakeUnitState.NotFound,
        }, calls.Enqueue, Ct);

        var units = await rig.ListUnitsByNamesAsync(["b.service", "c.service", "a.service"], Ct);

        Assert.Equal(
            [("b.service", "loaded", "active", "running", "stop"), ("c.service", "not-found", "inactive", "dead", ""),
             ("a.service", "loaded", "active", "running", "")],
            units);
        Assert.Equal(["b.service", "c.service", "a.service"], Assert.Single(calls));
    }

    [Fact]
    public async Task HandleMethod_OtherMember_RepliesUnknownMethod()
    {
        await using var rig = await SystemdBusRig.StartAsync(Ct);
        using var systemd = await FakeSystemd.ConnectAsync(rig.Address, _ => FakeUnitState.NotFound, null, Ct);

        var error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => rig.CallOtherAsync("StartUnit", Ct));

        Assert.Equal("org.freedesktop.DBus.Error.UnknownMethod", error.ErrorName);
    }

    [Fact]
    public async Task ConnectAsync_NameAlreadyOwned_Throws()
    {
        await using var rig = await SystemdBusRig.StartAsync(Ct);
        using var first = await FakeSystemd.ConnectAsync(rig.Address, _ => FakeUnitState.NotFound, null, Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => FakeSystemd.ConnectAsync(rig.Address, _ => FakeUnitState.NotFound, null, Ct));

        Assert.Contains(FakeSystemd.BusName, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReleaseNameAsync_Released_CallsGetNameHasNoOwner()
    {
        await using var rig = await SystemdBusRig.StartAsync(Ct);
        using var systemd = await FakeSystemd.ConnectAsync(rig.Address, _ => FakeUnitState.NotFound, null, Ct);

        await systemd.ReleaseNameAsync(Ct);
        var error = await Assert.ThrowsAsync<DBusErrorReplyException>(() => rig.ListUnitsByNamesAsync(["a.service"], Ct));

        Assert.Equal("org.freedesktop.DBus.Error.NameHasNoOwner", error.ErrorName);
    }
}
