namespace FailoverMonitor.Configuration;

/// <summary>
/// What <see cref="ConfigurationLoader"/> hands back: settings that passed every rule, each tunnel's token (read from
/// the file, a token file or a credential) apart from them, and the things worth a WARNING that did not stop the load
/// (a secret file readable by others, /metrics off loopback, a tight API budget), in the order found.
/// </summary>
/// <param name="Settings">The validated settings.</param>
/// <param name="Tokens">Every tunnel's token.</param>
/// <param name="Warnings">One sentence each, never holding a token or a webhook URL.</param>
public sealed record LoadedConfiguration(MonitorSettings Settings, TunnelTokens Tokens, IReadOnlyList<string> Warnings);
