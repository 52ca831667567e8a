using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A small in-memory systemd behind <see cref="FakeProcessRunner"/>: answers <c>systemctl is-active|start|stop</c>
/// like the real one and runs hooks on start and stop (e.g. a fake backup connector joining the fake API).
/// </summary>
public sealed class FakeUnits
{
    private readonly Dictionary<string, bool> _active = new(StringComparer.Ordinal);

    /// <summary>Creates the fake; the <see cref="Runner"/> answers for it.</summary>
    public FakeUnits() => Runner = new FakeProcessRunner(Respond);

    /// <summary>The process runner to give to <see cref="SystemctlServiceController"/>.</summary>
    public FakeProcessRunner Runner { get; }

    /// <summary>Called with the unit name after a successful start.</summary>
    public Action<string>? OnStart { get; set; }

    /// <summary>Called with the unit name after a successful stop.</summary>
    public Action<string>? OnStop { get; set; }

    /// <summary>How many <c>systemctl show</c> calls were made (each reads many units).</summary>
    public int Reads { get; private set; }

    /// <summary>Units systemd does not know (<c>LoadState=not-found</c>).</summary>
    public HashSet<string> Missing { get; } = [];

    /// <summary>When true, <c>start</c> exits 1 with a systemd-like message and the unit stays inactive.</summary>
    public bool FailStarts { get; set; }

    /// <summary>Sets a unit's state directly (e.g. active before the monitor starts).</summary>
    public void Set(string unit, bool active)
    {
        lock (_active)
        {
            _active[unit] = active;
        }
    }

    /// <summary>Whether a unit is active.</summary>
    public bool IsActive(string unit)
    {
        lock (_active)
        {
            return _active.GetValueOrDefault(unit);
        }
    }

    /// <summary>How many <c>systemctl VERB</c> calls were made.</summary>
    public int Count(string verb) => Runner.Calls.Count(c => c.Arguments[0] == verb);

    private ProcessResult Respond(string fileName, IReadOnlyList<string> arguments)
    {
        var unit = arguments[^1];
        lock (_active)
        {
            Reads += arguments[0] == "show" ? 1 : 0;
        }

        switch (arguments[0])
        {
            case "is-active":
                var active = IsActive(unit);
                return new ProcessResult(active ? 0 : 3, active ? "active\n" : "inactive\n", "");
            case "start" when FailStarts:
                return new ProcessResult(1, "", $"Job for {unit}.service failed because the control process exited with error code.");
            case "start":
                Set(unit, true);
                OnStart?.Invoke(unit);
                return new ProcessResult(0, "", "");
            case "restart" when FailStarts:
                Set(unit, false);
                return new ProcessResult(1, "", $"Job for {unit}.service failed because the control process exited with error code.");
            case "restart":
                Set(unit, false);
                OnStop?.Invoke(unit);
                Set(unit, true);
                OnStart?.Invoke(unit);
                return new ProcessResult(0, "", "");
            case "show" when arguments[1] == "--property=ActiveState,LoadState":
                return new ProcessResult(0, string.Concat(arguments.Skip(2).Select(u =>
                    $"ActiveState={(IsActive(u) ? "active" : "inactive")}\nLoadState={(Missing.Contains(u) ? "not-found" : "loaded")}\n\n")), "");
            case "show":
                return new ProcessResult(0, Missing.Contains(unit) ? "not-found\n" : "loaded\n", "");
            case "stop":
                Set(unit, false);
                OnStop?.Invoke(unit);
                return new ProcessResult(0, "", "");
            default:
                return new ProcessResult(1, "", $"Unknown command verb {arguments[0]}.");
        }
    }
}
