using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// The tunnels being watched, each with its running state, keyed by tunnel id, and the configuration in force for
/// them. A reload (<see cref="Reload"/>) reconciles a newly loaded configuration with that state in one place
/// (<see cref="Reconcile"/>): a tunnel whose id, account, token and unit are unchanged keeps its state (a hold is
/// released: a reload is the operator's word); a new one starts afresh and has its unit read at the next cycle; a
/// dropped one is forgotten and its unit left as it is. Keys bound at start (<see cref="RestartOnlyKeys"/>) are
/// only reported: whatever uses them was built at start and keeps the running values.
/// </summary>
public sealed class TunnelSet
{
    /// <summary>The keys a reload cannot apply, with how each is compared: they are bound into the process at start.</summary>
    public static readonly IReadOnlyList<(string Key, Func<MonitorOptions, MonitorOptions, bool> Changed)> RestartOnlyKeys =
    [
        ("gateway_ip", (a, b) => a.GatewayIp != b.GatewayIp),
        ("gateway_timeout", (a, b) => a.GatewayTimeout != b.GatewayTimeout),
        ("api_base_url", (a, b) => a.ApiBaseUrl != b.ApiBaseUrl),
        ("api_timeout", (a, b) => a.ApiTimeout != b.ApiTimeout),
        ("log_file", (a, b) => a.LogFile != b.LogFile),
        ("state_file", (a, b) => a.StateFile != b.StateFile),
        ("metrics_listen", (a, b) => a.MetricsListen != b.MetricsListen),
        ("otlp_endpoint", (a, b) => a.OtlpEndpoint != b.OtlpEndpoint),
        ("alerts", (a, b) => !a.Alerts.Select(x => (x.Url, x.Format)).SequenceEqual(b.Alerts.Select(x => (x.Url, x.Format)))),
    ];

    private readonly ConfigurationSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger<TunnelSet> _logger;
    private Dictionary<string, TunnelRuntime> _tunnels;

    /// <summary>Watches the tunnels of validated <paramref name="options"/>, loaded from <paramref name="source"/>.</summary>
    public TunnelSet(MonitorOptions options, ConfigurationSource source, TimeProvider time, ILogger<TunnelSet> logger)
    {
        _source = source;
        _time = time;
        _logger = logger;
        Options = options;
        Policy = new FailoverPolicy(PolicySettings.From(options));
        _tunnels = options.Tunnels.ToDictionary(t => t.TunnelId!, t => new TunnelRuntime(t, time), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The configuration in force for the tunnels and the checks; see <see cref="RestartOnlyKeys"/> for what it does not change.</summary>
    public MonitorOptions Options { get; private set; }

    /// <summary>The decision rules under <see cref="Options"/>.</summary>
    public FailoverPolicy Policy { get; private set; }

    /// <summary>The configuration file.</summary>
    public string ConfigPath => _source.Path;

    /// <summary>The current state of each tunnel, by tunnel id.</summary>
    public IReadOnlyDictionary<string, TunnelState> States => _tunnels.ToDictionary(p => p.Key, p => p.Value.State, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every tunnel, in configuration order.</summary>
    internal IReadOnlyCollection<TunnelRuntime> All => _tunnels.Values;

    /// <summary>The tunnel with <paramref name="tunnel"/>'s id.</summary>
    internal TunnelRuntime this[TunnelOptions tunnel] => _tunnels[tunnel.TunnelId!];

    /// <summary>Tunnels whose count has started and that a confirmation check may settle sooner (unit read, status known).</summary>
    internal List<TunnelRuntime> AwaitingConfirmation() =>
        _tunnels.Values.Where(t => t.UnitKnown && !t.Unknown.IsActive && Policy.AwaitsConfirmation(t.State)).ToList();

    /// <summary>Every tunnel as the monitor publishes it.</summary>
    public IReadOnlyList<TunnelView> Views() => _tunnels.Values.Select(t => t.View()).ToList();

    /// <summary>Re-reads the configuration file and reconciles it; a file that cannot be used is logged and the running configuration stays.</summary>
    public void Reload()
    {
        // A reload must never end the process: whatever goes wrong, the running configuration stays.
        try
        {
            var loaded = _source.Load();
            Reconcile(loaded.Options, loaded.Warnings);
        }
        catch (ConfigurationException e)
        {
            Log.ReloadFailed(_logger, e.Message);
        }
        catch (Exception e)
        {
            Log.ReloadFailedUnexpectedly(_logger, _source.Path, e.Message, e);
        }
    }

    /// <summary>Adopts validated <paramref name="loaded"/> options, keeping the state of every unchanged tunnel; logs the load's <paramref name="warnings"/>.</summary>
    public void Reconcile(MonitorOptions loaded, IReadOnlyList<string>? warnings = null)
    {
        foreach (var (key, changed) in RestartOnlyKeys)
        {
            if (changed(Options, loaded))
            {
                Log.ReloadNeedsRestart(_logger, key);
            }
        }

        var old = new Dictionary<string, TunnelRuntime>(_tunnels, StringComparer.OrdinalIgnoreCase);
        var tunnels = new Dictionary<string, TunnelRuntime>(StringComparer.OrdinalIgnoreCase);
        var kept = 0;
        foreach (var options in loaded.Tunnels)
        {
            var match = old.GetValueOrDefault(options.TunnelId!) is { } running && running.IsSameTunnel(options) ? running : null;
            if (match is not null)
            {
                old.Remove(options.TunnelId!);
                kept++;
                if (match.State.HeldSince is not null)
                {
                    Log.HoldReleased(_logger, match.Name);
                }
            }

            tunnels[options.TunnelId!] = match?.WithOptions(options) ?? new TunnelRuntime(options, _time);
        }

        foreach (var removed in old.Values)
        {
            Log.TunnelRemoved(_logger, removed.Name, removed.Service);
        }

        foreach (var warning in warnings ?? [])
        {
            Log.ConfigurationWarning(_logger, warning);
        }

        Options = loaded;
        Policy = new FailoverPolicy(PolicySettings.From(loaded));
        _tunnels = tunnels;
        Log.Reloaded(_logger, _source.Path, kept, loaded.Tunnels.Count - kept, old.Count);
    }
}
