using System.Text.Json;
using FailoverMonitor.Configuration;
using FailoverMonitor.Status;

namespace FailoverMonitor.Commands;

/// <summary><c>failover-monitor status</c>: what the running daemon believes, read from its state file.</summary>
public static class StatusCommand
{
    /// <summary>Prints the status; 0 when a daemon is running, 3 when none is.</summary>
    public static int Run(string? stateFilePath, bool json, TextWriter output)
    {
        var path = stateFilePath ?? MonitorOptions.DefaultStateFile;
        StatusSnapshot? snapshot;
        try
        {
            snapshot = new StateFile(path).Read();
        }
        catch (JsonException e)
        {
            output.WriteLine($"The state file {path} cannot be read ({e.Message}).");
            return ExitCodes.NotRunning;
        }

        if (snapshot is null || !StatusReport.IsAlive(snapshot))
        {
            output.WriteLine(snapshot is null
                ? $"No FailoverMonitor daemon is running (no state file at {path}). Start it with: systemctl start failover-monitor"
                : $"No FailoverMonitor daemon is running (pid {snapshot.Pid} from {path} has exited). Start it with: systemctl start failover-monitor");
            return ExitCodes.NotRunning;
        }

        output.Write(json ? StatusReport.ToJson(snapshot) + Environment.NewLine : StatusReport.ToTable(snapshot, TimeProvider.System.GetUtcNow()));
        return ExitCodes.Ok;
    }
}
