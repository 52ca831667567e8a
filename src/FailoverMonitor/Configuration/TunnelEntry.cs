using System.ComponentModel.DataAnnotations;
using FailoverMonitor.Text;

namespace FailoverMonitor.Configuration;

/// <summary>The shape of one entry of <c>tunnels[]</c> (see <see cref="TunnelsFile"/>); once valid, a <see cref="TunnelSettings"/> and its token.</summary>
internal sealed class TunnelEntry
{
    /// <summary>Optional name used in log lines; defaults to <see cref="TunnelId"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Cloudflare account id: 32 hexadecimal characters (dashboard, account home). Required.</summary>
    [Required(ErrorMessage = "{0}: missing (the Cloudflare account id, 32 hexadecimal characters)")]
    public string? AccountId { get; set; }

    /// <summary>Tunnel id: a UUID (not the tunnel's name). Required.</summary>
    [Required(ErrorMessage = "{0}: missing (the tunnel's UUID)")]
    public string? TunnelId { get; set; }

    /// <summary>API token with Account › Cloudflare Tunnel › Read; exactly one of this and <see cref="TokenFile"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Path of a file holding the API token (trimmed); alternative to <see cref="Token"/>.</summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// Name of a systemd credential holding the API token (<c>LoadCredential=NAME:/path</c> in a drop-in; read from
    /// <c>$CREDENTIALS_DIRECTORY/NAME</c>, systemd.exec(5)); alternative to <see cref="Token"/>.
    /// </summary>
    public string? TokenCredential { get; set; }

    /// <summary>systemd unit of the local backup connector, e.g. <c>cloudflared-backup</c>. Required.</summary>
    [Required(ErrorMessage = "{0}: missing (the systemd unit of the local backup connector)")]
    public string? Service { get; set; }

    /// <summary>
    /// Optional <c>host:port</c> of the backup <c>cloudflared</c>'s metrics server (its <c>--metrics</c>, e.g.
    /// <c>127.0.0.1:20241</c>). Its <c>/ready</c> names the backup's connector id, so failback can tell the
    /// primary from the backup; without it, two distinct live connectors stand in.
    /// </summary>
    public string? BackupMetrics { get; set; }

    /// <summary>
    /// Where the token comes from, for messages and <c>check-config</c>: <c>token_file PATH</c>, <c>credential NAME</c>
    /// or <c>inline token of tunnel NAME</c>; never the token itself.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string TokenSource =>
        TokenFile is { } file ? $"token_file {SafeText.Clean(file)}"
        : TokenCredential is { } credential ? $"credential {SafeText.Clean(credential)}"
        : $"inline token of tunnel {SafeText.Clean(DisplayName)}";

    /// <summary>The name log lines use.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DisplayName => string.IsNullOrWhiteSpace(Name) ? TunnelId ?? "?" : Name;
}
