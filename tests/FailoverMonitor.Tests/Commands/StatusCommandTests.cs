using FailoverMonitor.Commands;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Commands;

public sealed class StatusCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string StatePath => Path.Combine(_dir.Path, "state.json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Run_StateFileIsDirectory_NotRunningWithMessage()
    {
        Directory.CreateDirectory(StatePath);

        var (exit, output) = Run();

        Assert.Equal(ExitCodes.NotRunning, exit);
        Assert.Contains("cannot be read", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Run_NonPositivePid_NotRunning(int pid)
    {
        Write(new StatusSnapshot { Pid = pid });

        Assert.Equal(ExitCodes.NotRunning, Run().Exit);
    }

    [Fact]
    public void Run_PidNowOfAnotherProcess_NotRunning()
    {
        // This test process stands in for a process that reused the daemon's pid: it started at another time.
        var self = ProcessIdentity.StartTicks(Environment.ProcessId)!.Value;
        Write(new StatusSnapshot { Pid = Environment.ProcessId, ProcessStartTicks = self + 1 });

        var (exit, output) = Run();

        Assert.Equal(ExitCodes.NotRunning, exit);
        Assert.Contains("another process", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RunningDaemonWithHostileStrings_PrintedEscaped()
    {
        Write(new StatusSnapshot
        {
            Pid = Environment.ProcessId,
            ProcessStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId),
            Version = "1.0\u001b]0;pwned\u0007",
            Tunnels = [new TunnelStatusEntry { Name = "web\n[CRITICAL] forged", TunnelId = "x", Status = "unknown", UnknownReason = "\u001b[2J" + new string('y', 5000) }],
        });

        var (exit, output) = Run();

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain("\n[CRITICAL]", output, StringComparison.Ordinal);
        Assert.InRange(output.Split('\n').Max(l => l.Length), 1, 1000);
    }

    [Fact]
    public void Run_NoStateFile_NotRunningNamingThePathAndHowToStart()
    {
        var (exit, output) = Run();

        Assert.Equal(ExitCodes.NotRunning, exit);
        Assert.Contains($"no state file at {StatePath}", output, StringComparison.Ordinal);
        Assert.Contains("systemctl start failover-monitor", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_PidOfNoProcess_NotRunningHasExited()
    {
        Write(new StatusSnapshot { Pid = int.MaxValue }); // above any pid_max

        var (exit, output) = Run();

        Assert.Equal(ExitCodes.NotRunning, exit);
        Assert.Contains($"pid {int.MaxValue} from {StatePath} has exited", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RunningDaemon_TableOfItsTunnels()
    {
        Write(Running() with { Tunnels = [new TunnelStatusEntry { Name = "web", TunnelId = "6ff42ae2-765d", Status = "healthy", Service = "backup", BackupActive = false }] });

        var (exit, output) = Run();

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith($"FailoverMonitor 9.9.9, pid {Environment.ProcessId},", output, StringComparison.Ordinal);
        Assert.Matches(@"\nweb +6ff42ae2 +healthy +- +backup inactive ", output);
    }

    [Fact]
    public void Run_RunningDaemonAsJson_TheSnapshotAsJson()
    {
        Write(Running() with { GatewayIp = "192.0.2.1" });

        using var output = new StringWriter();
        var exit = StatusCommand.Run(StatePath, json: true, output);

        Assert.Equal(ExitCodes.Ok, exit);
        using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
        Assert.Equal(Environment.ProcessId, json.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("9.9.9", json.RootElement.GetProperty("version").GetString());
        Assert.Equal("192.0.2.1", json.RootElement.GetProperty("gateway_ip").GetString());
    }

    private static StatusSnapshot Running() =>
        new() { Pid = Environment.ProcessId, ProcessStartTicks = ProcessIdentity.StartTicks(Environment.ProcessId), Version = "9.9.9" };

    private void Write(StatusSnapshot snapshot) => Assert.Null(new StateFile(StatePath).TryWrite(snapshot));

    private (int Exit, string Output) Run()
    {
        using var output = new StringWriter();
        var exit = StatusCommand.Run(StatePath, json: false, output);
        return (exit, output.ToString());
    }
}
