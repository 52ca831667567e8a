using FailoverMonitor.Configuration;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// <see cref="IUnitStateReader"/> through one <c>systemctl show --property=ActiveState,LoadState u1 u2 …</c>
/// process per read: a block of <c>Key=Value</c> lines per unit, in argument order. The fallback where no D-Bus is
/// reachable (<see cref="UnitStateReaderWithFallback"/>).
/// </summary>
public sealed class SystemctlUnitStateReader(IProcessRunner runner) : IUnitStateReader
{
    /// <inheritdoc />
    public string Source => "systemctl show";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, UnitState>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var distinct = units.Distinct(StringComparer.Ordinal).Select(UnitName.Validate).ToList();
        var states = new Dictionary<string, UnitState>(StringComparer.Ordinal);
        if (distinct.Count == 0)
        {
            return states;
        }

        string[] arguments = ["show", "--property=ActiveState,LoadState", .. distinct];
        var result = await SystemctlServiceController.RunAsync(runner, arguments, SystemctlServiceController.QueryTimeout, cancellationToken).ConfigureAwait(false);
        var blocks = result.StandardOutput.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.ExitCode != 0 || blocks.Length != distinct.Count)
        {
            throw SystemctlServiceController.Failure(arguments, result);
        }

        for (var i = 0; i < distinct.Count; i++)
        {
            var values = blocks[i].Split('\n').Select(line => line.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
            states[distinct[i]] = new UnitState(values.GetValueOrDefault("ActiveState", "unknown"), values.GetValueOrDefault("LoadState", "unknown"));
        }

        return states;
    }
}
