namespace FailoverMonitor.Configuration;

/// <summary>
/// What <see cref="ConfigurationLoader"/> hands back: options that passed every rule (each tunnel's token already
/// read, see <see cref="TunnelOptions.ResolvedToken"/>) and the things worth a WARNING that did not stop the load
/// (a secret file readable by others, /metrics off loopback, a tight API budget), in the order found.
/// </summary>
/// <param name="Options">The validated options.</param>
/// <param name="Warnings">One sentence each, never holding a token or a webhook URL.</param>
public sealed record LoadedConfiguration(MonitorOptions Options, IReadOnlyList<string> Warnings);
