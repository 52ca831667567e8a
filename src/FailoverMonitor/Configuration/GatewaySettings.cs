using System.Net;

namespace FailoverMonitor.Configuration;

/// <summary>The local gateway, pinged (ICMP echo) before each cycle: no answer, no API call and no action that cycle.</summary>
public sealed record GatewaySettings
{
    /// <summary>Default for <see cref="Timeout"/>: 1 second.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The gateway's address (<c>gateway_ip</c>, required in the file; the loopback address only as a default for tests).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>How long to wait for the echo reply (<c>gateway_timeout</c>, seconds); default <see cref="DefaultTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
}
