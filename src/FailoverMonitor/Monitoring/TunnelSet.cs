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
    /// <summary>
    /// The keys a reload cannot apply, with how each is compared: they are bound into the process at start. A reload
    /// compares them with the file loaded last (not with the running values), so a change is reported once.
    /// </summary>
    public static readonly IReadOnlyList<(string Key, Func<MonitorSettings, MonitorSettings, bool> Changed)> RestartOnlyKeys =
    [
        ("gateway_ip", (a, b) => !a.Gateway.Address.Equals(b.Gateway.Address)),
        ("gateway_timeout", (a, b) => a.Gateway.Timeout != b.Gateway.Timeout),
        ("api_base_url", (a, b) => !Same(a.Api.BaseUrl, b.Api.BaseUrl)),
        ("api_timeout", (a, b) => a.Api.Timeout != b.Api.Timeout),
        ("log_file", (a, b) => a.Output.LogFile != b.Output.LogFile),
        ("state_file", (a, b) => a.Output.StateFile != b.Output.StateFile),
        ("metrics_listen", (a, b) => !Equals(a.Telemetry.MetricsListen, b.Telemetry.MetricsListen)),
        ("otlp_endpoint", (a, b) => !Same(a.Telemetry.OtlpEndpoint, b.Telemetry.OtlpEndpoint)),
        ("alerts", (a, b) => a.Alerts.Count != b.Alerts.Count
            || a.Alerts.Zip(b.Alerts).Any(p => p.First.Url.OriginalString != p.Second.Url.OriginalString || p.First.Format != p.Second.Format || !p.First.Events.SetEquals(p.Second.Events))),
    ];

    private readonly ConfigurationSource _source;
    private readonly TimeProvider _time;
    private readonly ILogger<TunnelSet> _logger;
    private Dictionary<string, TunnelRuntime> _tunnels;
    private MonitorSettings _lastLoaded;

    /// <summary>Watches the tunnels of <paramref name="loaded"/>, loaded from <paramref name="source"/>.</summary>
    public TunnelSet(LoadedConfiguration loaded, ConfigurationSource source, TimeProvider time, ILogger<TunnelSet> logger)
    {
        _source = source;
        _time = time;
        _logger = logger;
        Settings = _lastLoaded = loaded.Settings;
        Tokens = loaded.Tokens;
        Policy = new FailoverPolicy(Settings.Checks);
        _tunnels = Settings.Tunnels.ToDictionary(t => t.TunnelId, t => new TunnelRuntime(t, Tokens[t], time), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The configuration in force: the tunnels and checks of the last load; the records of the keys in
    /// <see cref="RestartOnlyKeys"/> (gateway, API, output, telemetry, alerts) as they were at start, as they run.
    /// </summary>
    public MonitorSettings Settings { get; private set; }

    /// <summary>The tokens of <see cref="Settings"/>' tunnels.</summary>
    public TunnelTokens Tokens { get; private set; }

    /// <summary>The decision rules under <see cref="Settings"/>.</summary>
    public FailoverPolicy Policy { get; private set; }

    /// <summary>The configuration file.</summary>
    public string ConfigPath => _source.Path;

    /// <summary>The current state of each tunnel, by tunnel id.</summary>
    public IReadOnlyDictionary<string, TunnelState> States => _tunnels.ToDictionary(p => p.Key, p => p.Value.State, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every tunnel, in configuration order.</summary>
    internal IReadOnlyCollection<TunnelRuntime> All => _tunnels.Values;

    /// <summary>The tunnel with <paramref name="tunnel"/>'s id.</summary>
    internal TunnelRuntime this[TunnelSettings tunnel] => _tunnels[tunnel.TunnelId];

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
            Reconcile(loaded);
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

    /// <summary>Adopts <paramref name="loaded"/>, keeping the state of every unchanged tunnel; logs the load's warnings.</summary>
    public void Reconcile(LoadedConfiguration loaded)
    {
        foreach (var (key, changed) in RestartOnlyKeys)
        {
            if (changed(_lastLoaded, loaded.Settings))
            {
                Log.ReloadNeedsRestart(_logger, key);
            }
        }

        var old = new Dictionary<string, TunnelRuntime>(_tunnels, StringComparer.OrdinalIgnoreCase);
        var tunnels = new Dictionary<string, TunnelRuntime>(StringComparer.OrdinalIgnoreCase);
        var kept = 0;
        foreach (var settings in loaded.Settings.Tunnels)
        {
            var token = loaded.Tokens[settings];
            var match = old.GetValueOrDefault(settings.TunnelId) is { } running && running.IsSameTunnel(settings, token) ? running : null;
            if (match is not null)
            {
                old.Remove(settings.TunnelId);
                kept++;
                if (match.State.HeldSince is not null)
                {
                    Log.HoldReleased(_logger, match.Name);
                }
            }

            tunnels[settings.TunnelId] = match?.WithSettings(settings) ?? new TunnelRuntime(settings, token, _time);
        }

        foreach (var removed in old.Values)
        {
            Log.TunnelRemoved(_logger, removed.Name, removed.Service);
        }

        foreach (var warning in loaded.Warnings)
        {
            Log.ConfigurationWarning(_logger, warning);
        }

        // What was bound at start keeps running as it was: the new file's tunnels and checks, the running rest.
        var atStart = Settings;
        _lastLoaded = loaded.Settings;
        Settings = loaded.Settings with { Gateway = atStart.Gateway, Api = atStart.Api, Output = atStart.Output, Telemetry = atStart.Telemetry, Alerts = atStart.Alerts };
        Tokens = loaded.Tokens;
        Policy = new FailoverPolicy(Settings.Checks);
        _tunnels = tunnels;
        Log.Reloaded(_logger, _source.Path, kept, loaded.Settings.Tunnels.Count - kept, old.Count);
    }

    private static bool Same(Uri? a, Uri? b) => string.Equals(a?.OriginalString, b?.OriginalString, StringComparison.Ordinal);
}
