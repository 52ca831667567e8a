using System.Net;

namespace FakeCloudflareApi;

/// <summary>How <see cref="FakeCloudflare.StartAsync"/> listens and behaves.</summary>
public sealed class FakeCloudflareOptions
{
    /// <summary>Address to bind. Default <see cref="IPAddress.Loopback"/>; keep it a loopback address.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port to bind. Default 0: a free port chosen by the OS (see <see cref="FakeCloudflare.BaseUrl"/>).</summary>
    public int Port { get; init; }

    /// <summary>
    /// Host name written into <see cref="FakeCloudflare.BaseUrl"/> instead of the address, e.g. <c>api.cloudflare.com</c>
    /// when a test maps that name to loopback and serves a certificate for it. Default null: the address.
    /// </summary>
    public string? HostName { get; init; }

    /// <summary>PEM certificate (leaf first, then any intermediates). When set the fake serves HTTPS only. Default null: plain HTTP.</summary>
    public string? CertificatePemPath { get; init; }

    /// <summary>PEM private key of the certificate. Default null: the key is read from <see cref="CertificatePemPath"/>.</summary>
    public string? KeyPemPath { get; init; }

    /// <summary>Delay added to every API response (not to <c>/_fake/</c> admin calls). Default zero; changeable later through <see cref="FakeCloudflare.Latency"/>.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Clock for <c>created_at</c>, <c>conns_*_at</c>, <c>run_at</c>, <c>opened_at</c> and <see cref="RecordedRequest.At"/>. Latency and hangs use real time. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>When set, one line per API request (time, method, path, query, status; never the token) is written here. Default null.</summary>
    public TextWriter? RequestLogWriter { get; init; }
}
