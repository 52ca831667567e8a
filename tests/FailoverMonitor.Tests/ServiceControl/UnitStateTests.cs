using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.ServiceControl;

public sealed class UnitStateTests
{
    [Theory]
    [InlineData("active", true)]
    [InlineData("reloading", true)]
    [InlineData("activating", true)]
    [InlineData("refreshing", true)]
    [InlineData("inactive", false)]
    [InlineData("failed", false)]
    [InlineData("deactivating", false)] // on its way down: a start is needed again
    [InlineData("", false)]
    public void IsActive_EachActiveState_ActiveOrOnItsWayThere(string activeState, bool expected) =>
        Assert.Equal(expected, new UnitState(activeState, "loaded").IsActive);

    [Theory]
    [InlineData("active", "", false, true)]
    [InlineData("active", "stop", true, false)] // stop --no-block queued, systemd has not begun it yet
    [InlineData("active", "restart", false, true)]
    [InlineData("deactivating", "", true, false)]
    [InlineData("inactive", "start", false, false)]
    public void IsStopping_StateAndQueuedJob_OnItsWayDownIsNotActive(string activeState, string job, bool stopping, bool active)
    {
        var state = new UnitState(activeState, "loaded", job);
        Assert.Equal(stopping, state.IsStopping);
        Assert.Equal(active, state.IsActive);
    }

    [Theory]
    [InlineData("loaded", true)]
    [InlineData("stub", true)]
    [InlineData("not-found", false)]
    [InlineData("masked", false)]
    [InlineData("bad-setting", false)]
    [InlineData("error", false)]
    public void Exists_EachLoadState_FalseOnlyWhereAStartCannotWork(string loadState, bool expected) =>
        Assert.Equal(expected, new UnitState("inactive", loadState).Exists);
}
