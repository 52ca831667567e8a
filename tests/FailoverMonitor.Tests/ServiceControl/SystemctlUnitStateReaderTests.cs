using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><see cref="SystemctlUnitStateReader"/> over a scripted <see cref="FakeProcessRunner"/>: argv, parsing, failures.</summary>
public sealed class SystemctlUnitStateReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_Units_OneShowForTheDistinctNamesParsedInOrder()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0,
            "ActiveState=active\nLoadState=loaded\n\nActiveState=inactive\nLoadState=not-found\n\nLoadState=loaded\nActiveState=activating\n", ""));

        var states = await new SystemctlUnitStateReader(runner).ReadAsync(["a", "missing", "a", "c.service"], Ct);

        var call = Assert.Single(runner.Calls);
        Assert.Equal("systemctl", call.FileName);
        Assert.Equal(["show", "--property=ActiveState,LoadState", "a", "missing", "c.service"], call.Arguments);
        Assert.Equal(SystemctlServiceController.QueryTimeout, call.Timeout);
        Assert.Equal(new UnitState("active", "loaded"), states["a"]);
        Assert.Equal(new UnitState("inactive", "not-found"), states["missing"]);
        Assert.Equal(new UnitState("activating", "loaded"), states["c.service"]);
        Assert.Equal(3, states.Count);
    }

    [Fact]
    public async Task ReadAsync_BlockWithoutAProperty_IsUnknown()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "LoadState=loaded\n", ""));

        var states = await new SystemctlUnitStateReader(runner).ReadAsync(["a"], Ct);

        Assert.Equal(new UnitState("unknown", "loaded"), states["a"]);
    }

    [Fact]
    public async Task ReadAsync_FewerBlocksThanUnits_ThrowsWithTheCommandLine()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "ActiveState=active\nLoadState=loaded\n", ""));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => new SystemctlUnitStateReader(runner).ReadAsync(["a", "b"], Ct));

        Assert.Equal(["show", "--property=ActiveState,LoadState", "a", "b"], e.Arguments);
    }

    [Fact]
    public async Task ReadAsync_ExitOne_ThrowsWithExitCodeAndStderr()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(1, "", "Failed to connect to bus: No such file or directory\n"));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => new SystemctlUnitStateReader(runner).ReadAsync(["a"], Ct));

        Assert.Equal(1, e.ExitCode);
        Assert.Equal("Failed to connect to bus: No such file or directory", e.StandardError);
    }

    [Fact]
    public async Task ReadAsync_NoUnits_RunsNothing()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "", ""));

        var states = await new SystemctlUnitStateReader(runner).ReadAsync([], Ct);

        Assert.Empty(states);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task ReadAsync_OneInvalidName_ThrowsBeforeRunningSystemctl()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "", ""));

        await Assert.ThrowsAsync<ArgumentException>(() => new SystemctlUnitStateReader(runner).ReadAsync(["a", "--now"], Ct));

        Assert.Empty(runner.Calls);
    }
}
