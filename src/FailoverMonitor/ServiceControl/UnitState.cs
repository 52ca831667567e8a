namespace FailoverMonitor.ServiceControl;

/// <summary>A unit's state as systemd names it (systemctl(1), <c>show -p ActiveState,LoadState</c>; org.freedesktop.systemd1(5), <c>ListUnitsByNames</c>).</summary>
/// <param name="ActiveState"><c>active</c>, <c>reloading</c>, <c>inactive</c>, <c>failed</c>, <c>activating</c>, <c>deactivating</c>, …</param>
/// <param name="LoadState"><c>loaded</c>, <c>not-found</c>, <c>masked</c>, <c>bad-setting</c>, <c>error</c>.</param>
/// <param name="Job">
/// The type of the unit's queued job (<c>start</c>, <c>stop</c>, <c>restart</c>, …), empty when none. Read over
/// D-Bus only; the <c>systemctl show</c> fallback leaves it empty.
/// </param>
public sealed record UnitState(string ActiveState, string LoadState, string Job = "")
{
    /// <summary>
    /// Whether the unit is on its way down: deactivating, or still active with a stop job queued (right after
    /// <c>systemctl stop --no-block</c>, before systemd has begun the job).
    /// </summary>
    public bool IsStopping => ActiveState == "deactivating" || Job == "stop";

    /// <summary>Whether the unit is active or on its way there (activating, reloading), and not on its way down.</summary>
    public bool IsActive => !IsStopping && ActiveState is "active" or "reloading" or "activating" or "refreshing";

    /// <summary>Whether systemd has the unit at all (a start could work).</summary>
    public bool Exists => LoadState is not ("not-found" or "masked" or "bad-setting" or "error");
}
