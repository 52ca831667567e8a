using FailoverMonitor.Configuration;
using FailoverMonitor.Status;
using FailoverMonitor.Text;

namespace FailoverMonitor.Commands;

/// <summary><c>failover-monitor status</c>: what the running daemon believes, read from its state file.</summary>
public static class StatusCommand
{
    /// <summary>Prints the status; 0 when a daemon is running, 3 when none is.</summary>
    public static int Run(string? stateFilePath, bool json, TextWriter output)
    {
        var path = stateFilePath ?? OutputSettings.DefaultStateFile;
        StatusSnapshot? snapshot;
        try
        {
            snapshot = new StateFile(path).Read();
        }
        catch (InvalidDataException e)
        {
            output.WriteLine($"The state file {SafeText.Clean(path)} cannot be read ({e.Message}); no daemon can be seen.");
            return ExitCodes.NotRunning;
        }

        var liveness = snapshot is null ? DaemonLiveness.Exited : StatusReport.Liveness(snapshot);
        if (snapshot is null || liveness != DaemonLiveness.Running)
        {
            output.WriteLine((snapshot, liveness) switch
            {
                (null, _) => $"No FailoverMonitor daemon is running (no state file at {SafeText.Clean(path)}). Start it with: systemctl start failover-monitor",
                (_, DaemonLiveness.PidReused) => $"No FailoverMonitor daemon is running (pid {snapshot.Pid} from {SafeText.Clean(path)} is now another process). Start it with: systemctl start failover-monitor",
                _ => $"No FailoverMonitor daemon is running (pid {snapshot.Pid} from {SafeText.Clean(path)} has exited). Start it with: systemctl start failover-monitor",
            });
            return ExitCodes.NotRunning;
        }

        output.Write(json ? StatusReport.ToJson(snapshot) + Environment.NewLine : StatusReport.ToTable(snapshot, TimeProvider.System.GetUtcNow()));
        return ExitCodes.Ok;
    }
}
