using System.Net;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>Settings and tokens built in code, as <see cref="ConfigurationLoader"/> would return them, for tests that need no file.</summary>
internal static class TestSettings
{
    /// <summary>The account of <see cref="Tunnel"/> unless told otherwise.</summary>
    public const string Account = "0123456789abcdef0123456789abcdef";

    /// <summary>The gateway of <see cref="Settings"/>.</summary>
    public static readonly IPAddress Gateway = IPAddress.Parse("192.0.2.1");

    /// <summary>A tunnel with an inline token (its token goes in <see cref="Tokens"/>); a new id unless <paramref name="id"/> is given.</summary>
    public static TunnelSettings Tunnel(string name, string? id = null, string? service = null, string account = Account) => new()
    {
        Name = name,
        AccountId = account,
        TunnelId = id ?? Guid.NewGuid().ToString(),
        Service = service ?? $"cloudflared-{name}",
        TokenSource = $"inline token of tunnel {name}",
    };

    /// <summary>Default settings (gateway <see cref="Gateway"/>) over <paramref name="tunnels"/>.</summary>
    public static MonitorSettings Settings(params TunnelSettings[] tunnels) =>
        new() { Gateway = new GatewaySettings { Address = Gateway }, Tunnels = tunnels };

    /// <summary><paramref name="token"/> for each of <paramref name="tunnels"/>.</summary>
    public static TunnelTokens Tokens(string token, IEnumerable<TunnelSettings> tunnels) =>
        new(tunnels.Select(t => KeyValuePair.Create(t.TunnelId, new ApiToken(token))));

    /// <summary>Each tunnel with its own token.</summary>
    public static TunnelTokens Tokens(params (TunnelSettings Tunnel, string Token)[] tokens) =>
        new(tokens.Select(t => KeyValuePair.Create(t.Tunnel.TunnelId, new ApiToken(t.Token))));

    /// <summary><paramref name="settings"/> as loaded, every tunnel with <paramref name="token"/>, no warnings.</summary>
    public static LoadedConfiguration Loaded(MonitorSettings settings, string token) => new(settings, Tokens(token, settings.Tunnels), []);
}
