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
}

/// <summary>A decision with its human-readable reason and the tunnel's state after counting this observation.</summary>
public sealed record Decision(DecisionKind Kind, string Reason, TunnelState State);
