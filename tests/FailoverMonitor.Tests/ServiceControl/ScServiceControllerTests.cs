using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using static FailoverMonitor.Tests.ServiceControl.ScOutputs;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary>
/// <see cref="ScServiceController"/> over recorded sc.exe answers (<see cref="ScOutputs"/>) played by a
/// <see cref="FakeProcessRunner"/>: argv, parsing, waiting for pending states on the fake clock, failures.
/// </summary>
public sealed class ScServiceControllerTests
{
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task IsActiveAsync_Always_RunsScQueryWithNameAndQueryTimeout()
    {
        var runner = Script(("query", QueryRunning));

        await Controller(runner).IsActiveAsync(Service, Ct);

        var call = Assert.Single(runner.Calls);
        Assert.Equal("sc.exe", call.FileName);
        Assert.Equal(["query", Service], call.Arguments);
        Assert.Equal(ScServiceController.QueryTimeout, call.Timeout);
    }

    public static TheoryData<string, bool> States => new()
    {
        { nameof(QueryRunning), true },
        { nameof(QueryStartPending), true },
        { nameof(QueryPaused), true },
        { nameof(QueryStopped), false },
        { nameof(QueryStopPending), false },
        { nameof(QueryStoppedAfterCrash), false },
    };

    [Theory]
    [MemberData(nameof(States))]
    public async Task IsActiveAsync_RecordedState_MapsToActive(string recorded, bool expected)
    {
        var runner = Script(("query", Recorded(recorded)));

        Assert.Equal(expected, await Controller(runner).IsActiveAsync(Service, Ct));
    }

    [Fact]
    public async Task IsActiveAsync_ServiceMissing_ThrowsWithErrorCodeAndNotFound()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("query", QueryMissing))).IsActiveAsync(Service, Ct));

        Assert.Equal(1060, e.ExitCode);
        Assert.Equal("sc.exe", e.Command);
        Assert.Equal(["query", Service], e.Arguments);
        // One line, and worded so the worker's "not found" check recognises a missing unit.
        Assert.Equal("service not found: [SC] EnumQueryServicesStatus:OpenService FAILED 1060: The specified service does not exist as an installed service.", e.StandardError);
    }

    [Fact]
    public async Task IsActiveAsync_AccessDenied_ThrowsWithCodeFiveAndText()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("query", QueryAccessDenied))).IsActiveAsync(Service, Ct));

        Assert.Equal(5, e.ExitCode);
        Assert.Equal($"`sc.exe query {Service}` exited with code 5: [SC] EnumQueryServicesStatus:OpenService FAILED 5: Access is denied.", e.Message);
    }

    [Fact]
    public async Task IsActiveAsync_OutputWithoutState_Throws()
    {
        var runner = Script(("query", new ProcessResult(0, "\r\nsomething else entirely\r\n", "")));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(runner).IsActiveAsync(Service, Ct));

        Assert.Equal(0, e.ExitCode);
        Assert.Equal("something else entirely", e.StandardError);
    }

    [Fact]
    public async Task IsActiveAsync_ScTimesOut_ThrowsWithoutExitCode()
    {
        var runner = new ThrowingRunner(new TimeoutException("sc.exe did not finish within 5 s and was killed"));

        var e = await Assert.ThrowsAsync<ServiceControlException>(() => new ScServiceController(runner, _time).IsActiveAsync(Service, Ct));

        Assert.Null(e.ExitCode);
        Assert.Contains("did not finish within 5 s", e.Message);
    }

    [Theory]
    [InlineData(nameof(QueryRunning), "loaded")]
    [InlineData(nameof(QueryStopped), "loaded")]
    [InlineData(nameof(QueryMissing), "not-found")]
    [InlineData(nameof(QueryMissingGerman), "not-found")]
    public async Task GetLoadStateAsync_RecordedAnswer_MapsToLoadState(string recorded, string expected)
    {
        var runner = Script(("query", Recorded(recorded)));

        Assert.Equal(expected, await Controller(runner).GetLoadStateAsync(Service, Ct));
        Assert.Equal(["query", Service], Assert.Single(runner.Calls).Arguments);
    }

    [Fact]
    public async Task GetLoadStateAsync_AccessDenied_Throws()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("query", QueryAccessDenied))).GetLoadStateAsync(Service, Ct));

        Assert.Equal(5, e.ExitCode);
    }

    [Fact]
    public async Task GetStatesAsync_Services_OneQueryEachMissingIsNotFound()
    {
        var runner = new FakeProcessRunner((_, arguments) => arguments[1] switch
        {
            "running" => QueryRunning,
            "starting" => QueryStartPending,
            "stopping" => QueryStopPending,
            "stopped" => QueryStopped,
            _ => QueryMissing,
        });

        var states = await Controller(runner).GetStatesAsync(["running", "starting", "stopping", "stopped", "missing", "running"], Ct);

        Assert.Equal(new UnitState("active", "loaded"), states["running"]);
        Assert.Equal(new UnitState("activating", "loaded"), states["starting"]);
        Assert.Equal(new UnitState("deactivating", "loaded"), states["stopping"]);
        Assert.Equal(new UnitState("inactive", "loaded"), states["stopped"]);
        Assert.Equal(new UnitState("inactive", "not-found"), states["missing"]);
        Assert.False(states["missing"].Exists);
        Assert.True(states["starting"].IsActive);
        Assert.False(states["stopping"].IsActive);
        Assert.Equal(5, runner.Calls.Count);
        Assert.All(runner.Calls, c => Assert.Equal("query", c.Arguments[0]));
    }

    [Fact]
    public async Task GetStatesAsync_AccessDenied_Throws()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("query", QueryAccessDenied))).GetStatesAsync([Service], Ct));

        Assert.Equal(5, e.ExitCode);
    }

    [Fact]
    public async Task GetStatesAsync_OneInvalidName_ThrowsBeforeRunningSc()
    {
        var runner = Script();

        await Assert.ThrowsAsync<ArgumentException>(() => Controller(runner).GetStatesAsync([Service, "-x"], Ct));

        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task StartAsync_PendingThenRunning_PollsOnTheClockUntilRunning()
    {
        var runner = Script(("start", StartAccepted), ("query", QueryStartPending), ("query", QueryRunning));

        await _time.FireDelaysUntilAsync(Controller(runner).StartAsync(Service, Ct));

        Assert.Equal(
            [["start", Service], ["query", Service], ["query", Service]],
            runner.Calls.Select(c => c.Arguments.ToArray()).ToArray());
        Assert.Equal(FakeTimeProvider.Start + 2 * ScServiceController.PollInterval, _time.GetUtcNow());
    }

    [Fact]
    public async Task StartAsync_AlreadyRunning_SucceedsWithoutPolling()
    {
        var runner = Script(("start", StartAlreadyRunning));

        await Controller(runner).StartAsync(Service, Ct);

        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task StartAsync_Disabled_ThrowsWithCodeAndReason()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("start", StartDisabled))).StartAsync(Service, Ct));

        Assert.Equal(1058, e.ExitCode);
        Assert.Equal(["start", Service], e.Arguments);
        Assert.Contains("FAILED 1058: The service cannot be started, either because it is disabled", e.StandardError);
    }

    [Theory]
    [InlineData(nameof(StartMissing), 1060)]
    [InlineData(nameof(StartAccessDenied), 5)]
    public async Task StartAsync_OpenServiceFailed_Throws(string recorded, int code)
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("start", Recorded(recorded)))).StartAsync(Service, Ct));

        Assert.Equal(code, e.ExitCode);
    }

    [Fact]
    public async Task StartAsync_ProcessExitsWhileStarting_ThrowsWithItsExitCode()
    {
        var runner = Script(("start", StartAccepted), ("query", QueryStoppedAfterCrash));

        var e = await Assert.ThrowsAsync<ServiceControlException>(
            () => _time.FireDelaysUntilAsync(Controller(runner).StartAsync(Service, Ct)));

        Assert.Null(e.ExitCode);
        Assert.Equal("the service stopped while starting (WIN32_EXIT_CODE 1067, SERVICE_EXIT_CODE 0)", e.StandardError);
    }

    [Fact]
    public async Task StartAsync_PendingPastJobTimeout_Throws()
    {
        var runner = new FakeProcessRunner((_, arguments) => arguments[0] == "start" ? StartAccepted : QueryStartPending);

        var e = await Assert.ThrowsAsync<ServiceControlException>(
            () => _time.FireDelaysUntilAsync(Controller(runner).StartAsync(Service, Ct)));

        Assert.Equal("the service did not reach RUNNING within 20 s (still START_PENDING)", e.StandardError);
        Assert.Equal(ScServiceController.JobTimeout, _time.GetUtcNow() - FakeTimeProvider.Start);
        Assert.Equal(1 + (int)(ScServiceController.JobTimeout / ScServiceController.PollInterval), runner.Calls.Count);
    }

    [Fact]
    public async Task StopAsync_PendingThenStopped_Succeeds()
    {
        var runner = Script(("stop", StopAccepted), ("query", QueryStopPending), ("query", QueryStopped));

        await _time.FireDelaysUntilAsync(Controller(runner).StopAsync(Service, Ct));

        Assert.Equal(3, runner.Calls.Count);
        Assert.Equal(["stop", Service], runner.Calls[0].Arguments);
    }

    [Fact]
    public async Task StopAsync_NotStarted_Succeeds()
    {
        var runner = Script(("stop", StopNotStarted));

        await Controller(runner).StopAsync(Service, Ct);

        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task StopAsync_OtherServicesDepend_Throws()
    {
        var e = await Assert.ThrowsAsync<ServiceControlException>(() => Controller(Script(("stop", StopHasDependents))).StopAsync(Service, Ct));

        Assert.Equal(1051, e.ExitCode);
        Assert.Equal($"`sc.exe stop {Service}` exited with code 1051: [SC] ControlService FAILED 1051: A stop control has been sent to a service that other running services are dependent on.", e.Message);
    }

    [Fact]
    public async Task RestartAsync_Running_StopsUntilStoppedThenStarts()
    {
        var runner = Script(("stop", StopAccepted), ("query", QueryStopped), ("start", StartAccepted), ("query", QueryRunning));

        await _time.FireDelaysUntilAsync(Controller(runner).RestartAsync(Service, Ct));

        Assert.Equal(["stop", "query", "start", "query"], runner.Calls.Select(c => c.Arguments[0]).ToArray());
    }

    [Fact]
    public async Task RestartAsync_NotRunning_Starts()
    {
        var runner = Script(("stop", StopNotStarted), ("start", StartAccepted), ("query", QueryRunning));

        await _time.FireDelaysUntilAsync(Controller(runner).RestartAsync(Service, Ct));

        Assert.Equal(["stop", "start", "query"], runner.Calls.Select(c => c.Arguments[0]).ToArray());
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("a/b")]
    [InlineData(" padded")]
    [InlineData("type=")]
    public async Task AllVerbs_InvalidName_ThrowArgumentExceptionWithoutRunningSc(string name)
    {
        var runner = Script();
        var controller = Controller(runner);

        await Assert.ThrowsAsync<ArgumentException>(() => controller.IsActiveAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.GetLoadStateAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.StartAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.StopAsync(name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => controller.RestartAsync(name, Ct));
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task IsActiveAsync_NameWithInnerSpace_PassedAsOneArgument()
    {
        var runner = Script(("query", QueryRunning));

        await Controller(runner).IsActiveAsync("Cloudflared Backup", Ct);

        Assert.Equal(["query", "Cloudflared Backup"], Assert.Single(runner.Calls).Arguments);
    }

    private ScServiceController Controller(IProcessRunner runner) => new(runner, _time);

    private static ProcessResult Recorded(string name) =>
        (ProcessResult)typeof(ScOutputs).GetField(name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    // Plays the steps in order, checking each call's verb; a call past the script fails the test.
    private static FakeProcessRunner Script(params (string Verb, ProcessResult Result)[] steps)
    {
        var queue = new Queue<(string Verb, ProcessResult Result)>(steps);
        return new FakeProcessRunner((fileName, arguments) =>
        {
            Assert.Equal("sc.exe", fileName);
            Assert.True(queue.TryDequeue(out var step), $"unexpected call: sc.exe {string.Join(' ', arguments)}");
            Assert.Equal(step.Verb, arguments[0]);
            return step.Result;
        });
    }

    private sealed class ThrowingRunner(Exception exception) : IProcessRunner
    {
        public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
            Task.FromException<ProcessResult>(exception);
    }
}
