namespace FailoverMonitor.Configuration;

/// <summary>How the daemon runs, from the command line (not from <c>tunnels.json</c>).</summary>
/// <param name="DryRun">Decide and log, but never start or stop a unit (<c>--dry-run</c>).</param>
public sealed record RunMode(bool DryRun);
