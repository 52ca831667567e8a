using System.ComponentModel;
using System.Diagnostics;
using System.IO.Pipes;
using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary>The real <see cref="ProcessRunner"/> against real processes (the only tests here on the real clock).</summary>
public sealed class ProcessRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_ProcessWritesBothStreamsAndExits3_ReturnsExitCodeAndBothStreams()
    {
        var runner = new ProcessRunner(TimeProvider.System);

        var result = await runner.RunAsync("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(new ProcessResult(3, "out\n", "err\n"), result);
    }

    [Fact]
    public async Task RunAsync_Arguments_PassedVerbatimWithoutAShell()
    {
        var runner = new ProcessRunner(TimeProvider.System);

        var result = await runner.RunAsync("/bin/sh", ["-c", "printf '%s|' \"$@\"", "sh", "a b", "$HOME", "--now"], TimeSpan.FromSeconds(10), Ct);

        Assert.Equal("a b|$HOME|--now|", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_Always_TurnsOffSystemdPagerAndColours()
    {
        var runner = new ProcessRunner(TimeProvider.System);

        var result = await runner.RunAsync("/bin/sh", ["-c", "echo \"[$SYSTEMD_PAGER][$SYSTEMD_COLORS]\""], TimeSpan.FromSeconds(10), Ct);

        Assert.Equal("[][0]\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_RunsPastTimeout_ThrowsTimeoutQuicklyAndKillsProcess()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(10));

        // The child inherits the pipe's write end; its read end reaches end-of-file only once every holder has
        // exited, so a finished read proves the process is gone (no polling of /proc).
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var runner = new ProcessRunner(TimeProvider.System);
        var started = Stopwatch.GetTimestamp();

        var run = runner.RunAsync("/bin/sleep", ["30"], TimeSpan.FromMilliseconds(200), bound.Token); // started before this returns
        pipe.DisposeLocalCopyOfClientHandle();

        var e = await Assert.ThrowsAsync<TimeoutException>(() => run.WaitAsync(bound.Token));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the timeout did not end the wait early");
        Assert.Contains("/bin/sleep", e.Message, StringComparison.Ordinal);
        var read = await pipe.ReadAsync(new byte[1], bound.Token).AsTask().WaitAsync(bound.Token);
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task RunAsync_ProgramMissing_ThrowsWin32Exception()
    {
        var runner = new ProcessRunner(TimeProvider.System);

        await Assert.ThrowsAsync<Win32Exception>(() => runner.RunAsync("/nonexistent/failover-monitor-test", [], TimeSpan.FromSeconds(10), Ct));
    }
}
