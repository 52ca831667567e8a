using System.ComponentModel;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><see cref="SystemctlServiceController"/> over a scripted <see cref="FakeProcessRunner"/>: argv, parsing, failures.</summary>
public sealed class SystemctlServiceControllerTests
{
    private const string Unit = "cloudflared-backup";
    private const string BusError = "Failed to connect to bus: No such file or directory";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SystemctlServiceController Controller(FakeProcessRunner runner) => new(runner, new SystemctlUnitStateReader(runner));

    [Fact]
    public async Task IsActiveAsync_Always_RunsSystemctlIsActiveWithUnitAndQueryTimeout()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "active\n", ""));

        await Controller(runner).IsActiveAsync(Unit, Ct);

        var call = Assert.Single(runner.Calls);
        Assert.Equal("systemctl", call.FileName);
        Assert.Equal(["is-active", Unit], call.Arguments);
        Assert.Equal(SystemctlServiceController.QueryTimeout, call.Timeout);
    }

    [Theory]
    [InlineData(0, "active\n", true)]
    [InlineData(3, "activating\n", true)]
    [InlineData(0, "reloading\n", true)]
    [InlineData(3, "inactive\n", false)]
    [InlineData(3, "failed\n", false)]
    [InlineData(3, "deactivating\n", false)]
    public async Task IsActiveAsync_StateWord_MapsToActive(int exitCode, string stdout, bool expected)
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(exitCode, stdout, ""));

        var active = await Controller(runner).IsActiveAsync(Unit, Ct);

        Assert.Equal(expected, active);
    }

    [Fact]
    public async Task IsActiveAsync_NoStateWordAndBusError_ThrowsWithExitCodeAndStderr()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(1, "", BusError + "\n"));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).IsActiveAsync(Unit, Ct));

        Assert.Equal(1, e.ExitCode);
        Assert.Equal(BusError, e.StandardError); // trimmed
        Assert.Equal("systemctl", e.Command);
        Assert.Equal(["is-active", Unit], e.Arguments);
        Assert.Equal($"`systemctl is-active {Unit}` exited with code 1: {BusError}", e.Message);
    }

    [Fact]
    public async Task IsActiveAsync_UnknownWordOnStdoutOnly_ThrowsWithStdoutAsDetail()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(4, "bogus-state\n", ""));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).IsActiveAsync(Unit, Ct));

        Assert.Equal(4, e.ExitCode);
        Assert.Equal("bogus-state", e.StandardError);
    }

    [Fact]
    public async Task StartAsync_ExitZero_RunsStartWithUnitAndJobTimeout()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "", ""));

        await Controller(runner).StartAsync(Unit, Ct);

        var call = Assert.Single(runner.Calls);
        Assert.Equal("systemctl", call.FileName);
        Assert.Equal(["start", Unit], call.Arguments);
        Assert.Equal(SystemctlServiceController.JobTimeout, call.Timeout);
    }

    [Fact]
    public async Task StopAsync_ExitZero_OnlyQueuesTheStopJobWithTheShortTimeout()
    {
        // A backup whose ExecStop= takes long must not hold the check loop: the stop is queued, not waited for.
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "", ""));

        await Controller(runner).StopAsync(Unit, Ct);

        var call = Assert.Single(runner.Calls);
        Assert.Equal(["stop", "--no-block", Unit], call.Arguments);
        Assert.Equal(SystemctlServiceController.QueryTimeout, call.Timeout);
    }

    [Theory]
    [InlineData("start")]
    [InlineData("stop")]
    public async Task StartAndStopAsync_ExitOne_ThrowsWithExitCodeAndStderr(string verb)
    {
        const string stderr = "Job for cloudflared-backup.service failed because the control process exited with error code.";
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(1, "", stderr + "\n"));
        var controller = Controller(runner);

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => verb == "start" ? controller.StartAsync(Unit, Ct) : controller.StopAsync(Unit, Ct));

        Assert.Equal(1, e.ExitCode);
        Assert.Equal(stderr, e.StandardError);
        Assert.Equal(verb == "start" ? ["start", Unit] : ["stop", "--no-block", Unit], e.Arguments);
        Assert.Contains("exited with code 1", e.Message, StringComparison.Ordinal);
        Assert.Contains(stderr, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_LongStderr_TrimmedToFourHundredCharacters()
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(1, "", new string('x', 1000)));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).StartAsync(Unit, Ct));

        Assert.Equal(new string('x', 400) + "…", e.StandardError);
    }

    [Fact]
    public async Task StartAsync_RunnerTimesOut_ThrowsWithNoExitCode()
    {
        var timeout = new TimeoutException("systemctl did not finish within 60 s and was killed");
        var runner = new FakeProcessRunner((_, _) => throw timeout);

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).StartAsync(Unit, Ct));

        Assert.Null(e.ExitCode);
        Assert.Same(timeout, e.InnerException);
        Assert.Equal(["start", Unit], e.Arguments);
        Assert.Contains("did not complete", e.Message, StringComparison.Ordinal);
        Assert.Contains(timeout.Message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsActiveAsync_SystemctlMissing_ThrowsWithNoExitCode()
    {
        var runner = new FakeProcessRunner((_, _) => throw new Win32Exception(2, "No such file or directory"));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).IsActiveAsync(Unit, Ct));

        Assert.Null(e.ExitCode);
        Assert.IsType<Win32Exception>(e.InnerException);
    }

    [Theory]
    [InlineData("--now")]
    [InlineData("../x")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("-x")]
    [InlineData("cloudflared-backup\n")]
    public async Task AllMethods_InvalidUnitName_ThrowArgumentExceptionAndRunNothing(string unit)
    {
        var runner = new FakeProcessRunner((_, _) => new ProcessResult(0, "active\n", ""));
        var controller = Controller(runner);

        await Assert.ThrowsAsync<ArgumentException>(() => controller.IsActiveAsync(unit, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.StartAsync(unit, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.StopAsync(unit, Ct));

        Assert.Empty(runner.Calls);
    }
}
