namespace FailoverMonitor.Configuration;

/// <summary>When the backup is stopped again: the <c>failback</c> key, parsed into <see cref="CheckSettings.Failback"/>.</summary>
public enum FailbackMode
{
    /// <summary>A live connector other than the local backup is present (<c>second_connector</c>).</summary>
    SecondConnector,

    /// <summary>The tunnel is healthy (<c>healthy</c>).</summary>
    Healthy,

    /// <summary>Never (<c>never</c>, the original script's behaviour).</summary>
    Never,
}

/// <summary>The words of <see cref="FailbackMode"/> in <c>tunnels.json</c>.</summary>
public static class FailbackModes
{
    /// <summary>Every mode and its word.</summary>
    public static ConfigWords<FailbackMode> Words { get; } = new(
        ("second_connector", FailbackMode.SecondConnector), ("healthy", FailbackMode.Healthy), ("never", FailbackMode.Never));
}
