namespace FailoverMonitor.Configuration;

/// <summary>One tunnel to watch and the local systemd unit that backs it up. Its token is in <see cref="TunnelTokens"/>, never here.</summary>
public sealed record TunnelSettings
{
    /// <summary>The name log lines use: <c>name</c> from the file, else the tunnel id.</summary>
    public string Name { get; init; } = "";

    /// <summary>Cloudflare account id: 32 hexadecimal characters (<c>account_id</c>).</summary>
    public string AccountId { get; init; } = "";

    /// <summary>The tunnel's UUID (<c>tunnel_id</c>); unique among the tunnels (compared ignoring case).</summary>
    public string TunnelId { get; init; } = "";

    /// <summary>systemd unit of the local backup connector (<c>service</c>), e.g. <c>cloudflared-backup</c>.</summary>
    public string Service { get; init; } = "";

    /// <summary><c>host:port</c> of the backup <c>cloudflared</c>'s metrics server (<c>backup_metrics</c>), whose <c>/ready</c> names the backup's connector; null when not given.</summary>
    public string? BackupMetrics { get; init; }

    /// <summary>
    /// Where the token comes from, for messages and <c>check-config</c>: <c>token_file PATH</c>, <c>credential NAME</c>
    /// or <c>inline token of tunnel NAME</c>; never the token itself.
    /// </summary>
    public string TokenSource { get; init; } = "";
}
