using System.Collections.Concurrent;
using FailoverMonitor.Configuration;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// <c>--dry-run</c>: reads real unit states, but start, stop and restart are only logged. What they would have
/// done is remembered, so the monitor's later checks see the unit as the action would have left it.
/// </summary>
public sealed class DryRunServiceController(IServiceController inner, ILogger<DryRunServiceController> logger) : IServiceController
{
    private readonly ConcurrentDictionary<string, bool> _simulated = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<bool> IsActiveAsync(string unit, CancellationToken cancellationToken) =>
        _simulated.TryGetValue(unit, out var active) ? active : await inner.IsActiveAsync(unit, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, UnitState>> GetStatesAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var states = await inner.GetStatesAsync(units, cancellationToken).ConfigureAwait(false);
        return states.ToDictionary(p => p.Key, p => _simulated.TryGetValue(p.Key, out var active) ? p.Value with { ActiveState = active ? "active" : "inactive" } : p.Value);
    }

    /// <inheritdoc />
    public Task<string> GetLoadStateAsync(string unit, CancellationToken cancellationToken) => inner.GetLoadStateAsync(unit, cancellationToken);

    /// <inheritdoc />
    public Task StartAsync(string unit, CancellationToken cancellationToken) => Simulate("start", unit, true);

    /// <inheritdoc />
    public Task StopAsync(string unit, CancellationToken cancellationToken) => Simulate("stop", unit, false);

    /// <inheritdoc />
    public Task RestartAsync(string unit, CancellationToken cancellationToken) => Simulate("restart", unit, true);

    private Task Simulate(string verb, string unit, bool active)
    {
        ServiceName.Validate(unit);
        Logging.Log.WouldRun(logger, verb, unit);
        _simulated[unit] = active;
        return Task.CompletedTask;
    }
}
