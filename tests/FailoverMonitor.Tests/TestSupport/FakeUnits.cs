using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A small in-memory systemd behind <see cref="FakeProcessRunner"/>: answers <c>systemctl is-active|start|stop</c>
/// like the real one and runs hooks on start and stop (e.g. a fake backup connector joining the fake API).
/// With <see cref="SlowStops"/> a unit's <c>ExecStop=</c> runs until <see cref="FinishStops"/>: <c>stop --no-block</c>
/// leaves it <c>deactivating</c>, a plain <c>stop</c> waits as long.
/// </summary>
public sealed class FakeUnits
{
    private readonly Dictionary<string, bool> _active = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stopping = new(StringComparer.Ordinal);
    private TaskCompletionSource _stopsFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the fake; the <see cref="Runner"/> answers for it.</summary>
    public FakeUnits() => Runner = new FakeProcessRunner(RespondAsync);

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

    /// <summary>When true, a stop takes until <see cref="FinishStops"/> (a backup with a long <c>ExecStop=</c>).</summary>
    public bool SlowStops { get; set; }

    /// <summary>Ends the stops in progress: their units become inactive.</summary>
    public void FinishStops()
    {
        List<string> stopped;
        TaskCompletionSource finished;
        lock (_active)
        {
            stopped = [.. _stopping];
            _stopping.Clear();
            finished = _stopsFinished;
            _stopsFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        stopped.ForEach(unit => OnStop?.Invoke(unit));
        finished.TrySetResult();
    }

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

    private bool IsStopping(string unit)
    {
        lock (_active)
        {
            return _stopping.Contains(unit);
        }
    }

    private string ActiveState(string unit) => IsStopping(unit) ? "deactivating" : IsActive(unit) ? "active" : "inactive";

    private async Task<ProcessResult> RespondAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var unit = arguments[^1];
        if (arguments[0] != "stop" || !SlowStops)
        {
            return Respond(arguments);
        }

        Task finished;
        lock (_active)
        {
            _active[unit] = false;
            _stopping.Add(unit);
            finished = _stopsFinished.Task;
        }

        if (!arguments.Contains("--no-block"))
        {
            await finished.WaitAsync(cancellationToken);
        }

        return new ProcessResult(0, "", "");
    }

    private ProcessResult Respond(IReadOnlyList<string> arguments)
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
                return new ProcessResult(active ? 0 : 3, ActiveState(unit) + "\n", "");
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
                    $"ActiveState={ActiveState(u)}\nLoadState={(Missing.Contains(u) ? "not-found" : "loaded")}\n\n")), "");
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
