namespace FailoverMonitor.ServiceControl;

/// <summary>A unit's state as systemd names it (systemctl(1), <c>show -p ActiveState,LoadState</c>).</summary>
/// <param name="ActiveState"><c>active</c>, <c>reloading</c>, <c>inactive</c>, <c>failed</c>, <c>activating</c>, <c>deactivating</c>, …</param>
/// <param name="LoadState"><c>loaded</c>, <c>not-found</c>, <c>masked</c>, <c>bad-setting</c>, <c>error</c>.</param>
public sealed record UnitState(string ActiveState, string LoadState)
{
    /// <summary>Whether the unit is active or on its way there (activating, reloading).</summary>
    public bool IsActive => ActiveState is "active" or "reloading" or "activating" or "refreshing";

    /// <summary>Whether systemd has the unit at all (a start could work).</summary>
    public bool Exists => LoadState is not ("not-found" or "masked" or "bad-setting" or "error");
}
