using FailoverMonitor.Logging;

namespace FailoverMonitor.Configuration;

/// <summary>Where the daemon writes: its log file (and how it rotates) and its state file.</summary>
public sealed record OutputSettings
{
    /// <summary>Default for <see cref="LogFile"/>: the original script's <c>/var/log/failover_monitor.log</c>; on Windows under <c>%ProgramData%\FailoverMonitor</c>.</summary>
    public static string DefaultLogFile => OperatingSystem.IsWindows() ? MonitorSettings.WindowsPath("failover_monitor.log") : "/var/log/failover_monitor.log";

    /// <summary>Default for <see cref="StateFile"/>: <c>/run/failover-monitor/state.json</c> (systemd's RuntimeDirectory); on Windows under <c>%ProgramData%\FailoverMonitor</c>.</summary>
    public static string DefaultStateFile => OperatingSystem.IsWindows() ? MonitorSettings.WindowsPath("state.json") : "/run/failover-monitor/state.json";

    /// <summary>Path of the plain-text log file (<c>log_file</c>); default <see cref="DefaultLogFile"/>.</summary>
    public string LogFile { get; init; } = DefaultLogFile;

    /// <summary>Size at which the log file rotates, MiB (<c>log_max_size_mb</c>; 0 is never); default <see cref="FileLog.DefaultMaxSizeMegabytes"/>.</summary>
    public int LogMaxSizeMegabytes { get; init; } = FileLog.DefaultMaxSizeMegabytes;

    /// <summary>Rotated log files kept (<c>log_retained_files</c>); default <see cref="FileLog.DefaultRetainedFiles"/>.</summary>
    public int LogRetainedFiles { get; init; } = FileLog.DefaultRetainedFiles;

    /// <summary>Where the daemon keeps what it believes, for <c>failover-monitor status</c> (<c>state_file</c>); default <see cref="DefaultStateFile"/>.</summary>
    public string StateFile { get; init; } = DefaultStateFile;
}
