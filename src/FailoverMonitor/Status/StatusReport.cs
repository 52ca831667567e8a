using System.Text;
using System.Text.Json;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Text;

namespace FailoverMonitor.Status;

/// <summary>Renders a <see cref="StatusSnapshot"/> for <c>failover-monitor status</c>: a plain table, or JSON for scripts.</summary>
public static class StatusReport
{
    /// <summary>Exit code when no daemon is running (the LSB convention <c>systemctl status</c> also uses).</summary>
    public const int ExitNotRunning = 3;

    /// <summary>
    /// What runs under the snapshot's pid: the daemon when the pid is positive and runs and, where <c>/proc</c>
    /// tells (Linux), the process under it started when the daemon did (<see cref="StatusSnapshot.ProcessStartTicks"/>),
    /// so a later process that reused the pid is not taken for the daemon.
    /// </summary>
    public static DaemonLiveness Liveness(StatusSnapshot snapshot)
    {
        if (snapshot.Pid <= 0)
        {
            return DaemonLiveness.Exited;
        }

        if (snapshot.ProcessStartTicks is { } recorded && ProcessIdentity.StartTicks(snapshot.Pid) is { } current)
        {
            return current == recorded ? DaemonLiveness.Running : DaemonLiveness.PidReused;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(snapshot.Pid);
            return process.HasExited ? DaemonLiveness.Exited : DaemonLiveness.Running;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return DaemonLiveness.Exited;
        }
    }

    /// <summary>The snapshot as indented JSON.</summary>
    public static string ToJson(StatusSnapshot snapshot) => JsonSerializer.Serialize(snapshot, StatusJsonContext.Default.StatusSnapshot);

    /// <summary>The snapshot as a table, times in UTC.</summary>
    public static string ToTable(StatusSnapshot snapshot, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.AppendLine($"FailoverMonitor {SafeText.Clean(snapshot.Version)}, pid {snapshot.Pid}, up since {snapshot.StartedAt:yyyy-MM-dd HH:mm:ss}Z, config {SafeText.Clean(snapshot.ConfigPath)}{(snapshot.DryRun ? ", DRY RUN" : "")}");
        text.AppendLine($"{LastCheck(snapshot, now)} (every {snapshot.CheckInterval} s); gateway {SafeText.Clean(snapshot.GatewayIp)} {(snapshot.GatewayReachable switch { true => "reachable", false => "UNREACHABLE", _ => "not probed yet" })}");
        text.AppendLine();
        var rows = new List<string[]> { new[] { "TUNNEL", "ID", "STATUS", "CONNECTORS", "BACKUP", "COUNTS", "LAST ACTION", "HOLD" } };
        foreach (var t in snapshot.Tunnels)
        {
            var connectors = t.LiveConnectors is null
                ? "-"
                : string.Join(" ", t.LiveConnectors.Select(c => Short(c) + (c == t.LocalConnectorId ? "(local)" : "")));
            rows.Add(
            [
                t.Name,
                Short(t.TunnelId),
                t.Status is "unknown" ? $"unknown: {t.UnknownReason}" : t.Status ?? "-",
                connectors.Length == 0 ? "none" : connectors,
                $"{t.Service} {(t.BackupActive switch { true => "active", false => "inactive", _ => "unreadable" })}",
                $"fail {t.ConsecutiveFailures} back {t.ConsecutiveRecoveries}",
                t.LastActionAt is { } at ? $"{at:MM-dd HH:mm:ss}Z {t.LastAction}" : "-",
                t.HeldSince is { } held ? $"since {held:HH:mm:ss}Z" : "-",
            ]);
        }

        text.Append(TextTable.Render(rows));
        foreach (var t in snapshot.Tunnels.Where(t => t.HeldUntil is not null))
        {
            text.AppendLine($"Tunnel {SafeText.Clean(t.Name)} on hold: {FailoverPolicy.DescribeHold(t.HeldUntil!.Value)}");
        }

        text.AppendLine();
        rows = [new[] { "TOKEN OF", "REQUESTS SENT", "BUDGET /5 MIN", "RATE LIMITED" }];
        rows.AddRange(snapshot.Tokens.Select(t => new[]
        {
            string.Join(",", t.Tunnels),
            t.RequestsSent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{t.BudgetPer5Minutes} of 1200",
            t.RateLimitedUntil is { } until ? $"until {until:HH:mm:ss}Z" : "no",
        }));
        text.Append(TextTable.Render(rows));
        return text.ToString();
    }

    // A loop that fails every time still writes the file after each attempt: the last good check tells them apart.
    private static string LastCheck(StatusSnapshot snapshot, DateTimeOffset now)
    {
        var attempt = $"Last check {(now - snapshot.UpdatedAt).TotalSeconds:0} s ago";
        if (snapshot.FailedChecks == 0)
        {
            return attempt;
        }

        var good = snapshot.LastGoodCheckAt is { } at ? $"{(now - at).TotalSeconds:0} s ago" : "never";
        return $"{attempt} FAILED ({snapshot.FailedChecks} in a row: {SafeText.Clean(snapshot.CheckError)}); last successful check {good}";
    }

    private static string Short(string id) => id.Length > 8 ? id[..8] : id;
}

/// <summary>What runs under a state file's pid.</summary>
public enum DaemonLiveness
{
    /// <summary>The daemon that wrote the file.</summary>
    Running,

    /// <summary>Nothing (or a pid that cannot be one).</summary>
    Exited,

    /// <summary>Another process that reused the pid.</summary>
    PidReused,
}
