using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Text;

namespace FailoverMonitor.Status;

/// <summary>
/// The monitor's snapshot as text: one line for systemd's STATUS= (<c>systemctl status</c>), the heartbeat's line
/// with every tunnel, and each tunnel's entry of the state file. The three renderings of a tunnel live here only.
/// </summary>
public static class StatusSummary
{
    /// <summary>
    /// The STATUS= line, e.g. <c>3 tunnels: 2 healthy, 1 failed over (web → cloudflared-backup since 03:12)</c>;
    /// led by <c>CHECKS FAILING since …</c> while cycles fail, so a loop that fails every time does not read like a
    /// healthy one. Times are UTC.
    /// </summary>
    public static string Brief(MonitorSnapshot snapshot)
    {
        var failing = snapshot.FailingSince is { } failingSince
            ? $"CHECKS FAILING since {failingSince:HH:mm:ss}Z ({snapshot.FailedCycles} in a row: {SafeText.Clean(snapshot.CycleError, 120)}); "
            : "";
        var tunnels = snapshot.Tunnels;
        var parts = tunnels.Where(t => !t.State.BackupActive && !t.IsUnknown && t.Status is not null)
            .GroupBy(t => t.Status!.Value.ToApiString())
            .Select(g => $"{g.Count()} {g.Key}")
            .ToList();
        var failedOver = tunnels.Where(t => t.State.BackupActive).ToList();
        if (failedOver.Count > 0)
        {
            parts.Add($"{failedOver.Count} failed over ({string.Join(", ", failedOver.Select(t => $"{t.Name} → {t.Service}{(t.State.BackupActiveSince is { } since ? $" since {since:HH:mm}" : "")}"))})");
        }

        var unknown = tunnels.Count(t => !t.State.BackupActive && (t.IsUnknown || !t.UnitKnown));
        if (unknown > 0)
        {
            parts.Add($"{unknown} unknown");
        }

        var held = tunnels.Count(t => t.State.HeldSince is not null);
        if (held > 0)
        {
            parts.Add($"{held} on hold");
        }

        return $"{failing}{tunnels.Count} tunnel{(tunnels.Count == 1 ? "" : "s")}: {(parts.Count == 0 ? "not checked yet" : string.Join(", ", parts))}";
    }

    /// <summary>The heartbeat's line: every tunnel's status, backup unit, hold and last action. Times are UTC.</summary>
    public static string Full(MonitorSnapshot snapshot) =>
        $"{snapshot.Tunnels.Count} tunnel(s): " + string.Join("; ", snapshot.Tunnels.Select(t =>
            $"{t.Name} {t.StatusText ?? "not checked"}, "
            + $"{t.Service} {(t.UnitKnown ? TunnelState.UnitWord(t.State.BackupActive) : "state unreadable")}"
            + (t.State.HeldSince is { } held ? $", ON HOLD since {held:HH:mm:ss}Z" : "")
            + (t.State.LastActionAt is { } at ? $", last action {at:yyyy-MM-dd HH:mm:ss}Z: {t.State.LastAction}" : "")));

    /// <summary>The tunnel's entry of the state file (<c>failover-monitor status</c>).</summary>
    public static TunnelStatusEntry Entry(TunnelView tunnel) => new()
    {
        Name = tunnel.Name,
        TunnelId = tunnel.Settings.TunnelId,
        Status = tunnel.StatusText,
        UnknownReason = tunnel.UnknownReason,
        LiveConnectors = tunnel.LiveConnectors,
        LocalConnectorId = tunnel.LastObservation?.LocalConnectorId,
        Service = tunnel.Service,
        BackupActive = tunnel.BackupActive,
        BackupActiveSince = tunnel.State.BackupActiveSince?.Wall,
        ConsecutiveFailures = tunnel.State.ConsecutiveFailures,
        ConsecutiveRecoveries = tunnel.State.ConsecutiveRecoveries,
        LastAction = tunnel.State.LastAction,
        LastActionAt = tunnel.State.LastActionAt?.Wall,
        HeldSince = tunnel.State.HeldSince?.Wall,
        HeldUntil = (tunnel.State.HeldSince + FailoverPolicy.HoldWindow)?.Wall,
        RetryAt = tunnel.State.RetryAt?.Wall,
    };
}
