namespace FailoverMonitor.Monitoring;

/// <summary>What to do with a tunnel's backup unit this cycle.</summary>
public enum DecisionKind
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>Fail over: start the backup.</summary>
    StartBackup,

    /// <summary>Fail back: stop the backup.</summary>
    StopBackup,

    /// <summary>The backup is active but never connected: restart it.</summary>
    RestartBackup,

    /// <summary>
    /// Too many actions within an hour: from now on no stop or restart until a reload or the hour has passed. A start
    /// still goes ahead: a down tunnel with no backup is never left dark.
    /// </summary>
    Hold,
}

/// <summary>A decision with its human-readable reason and the tunnel's state after counting this observation.</summary>
public sealed record Decision(DecisionKind Kind, string Reason, TunnelState State)
{
    /// <summary>Whether the decision runs a <c>systemctl</c> action.</summary>
    public bool IsAction => Kind is DecisionKind.StartBackup or DecisionKind.StopBackup or DecisionKind.RestartBackup;
}
