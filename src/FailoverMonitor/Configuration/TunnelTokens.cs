namespace FailoverMonitor.Configuration;

/// <summary>
/// The API token of each tunnel, by tunnel id (ignoring case), as the loader read them. Kept apart from the settings
/// records so that no record holds a secret; <see cref="ToString"/> prints only how many there are.
/// </summary>
public sealed class TunnelTokens
{
    private readonly Dictionary<string, ApiToken> _byTunnelId;

    /// <summary>Tokens by tunnel id.</summary>
    public TunnelTokens(IEnumerable<KeyValuePair<string, ApiToken>> byTunnelId) =>
        _byTunnelId = new Dictionary<string, ApiToken>(byTunnelId, StringComparer.OrdinalIgnoreCase);

    /// <summary>No tokens.</summary>
    public static TunnelTokens Empty { get; } = new([]);

    /// <summary>How many tunnels have a token.</summary>
    public int Count => _byTunnelId.Count;

    /// <summary>The token of <paramref name="tunnel"/>.</summary>
    /// <exception cref="KeyNotFoundException">The tunnel was not loaded with these tokens (a bug, never the file's fault).</exception>
    public ApiToken this[TunnelSettings tunnel] =>
        _byTunnelId.TryGetValue(tunnel.TunnelId, out var token) ? token : throw new KeyNotFoundException($"no token for tunnel {tunnel.Name}");

    /// <summary><paramref name="tunnels"/> grouped by token, in order of first appearance; tunnels without a token are left out.</summary>
    public IEnumerable<IGrouping<ApiToken, TunnelSettings>> GroupByToken(IEnumerable<TunnelSettings> tunnels) =>
        tunnels.Select(t => (Tunnel: t, Token: _byTunnelId.GetValueOrDefault(t.TunnelId)))
            .Where(p => p.Token is not null)
            .GroupBy(p => p.Token!, p => p.Tunnel);

    /// <summary>How many tokens, never a token.</summary>
    public override string ToString() => $"{nameof(TunnelTokens)} {{ Count = {Count} }}";
}
