using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace FakeCloudflareApi;

/// <summary>
/// A fake Cloudflare API on real HTTP(S) over loopback: tunnels and connectors as state, injected faults,
/// and a log of every API request. All members are thread-safe. The <c>/_fake/</c> admin API on the same
/// port drives the same state for out-of-process callers.
/// </summary>
public sealed class FakeCloudflare : IAsyncDisposable
{
    private readonly FakeState _state;
    private readonly FaultList _faults = new();
    private readonly RequestLog _log;
    private long _latencyTicks;
    private WebApplication? _app;
    private X509Certificate2? _certificate;
    private int _disposed;

    private FakeCloudflare(FakeCloudflareOptions options)
    {
        _state = new FakeState(options.TimeProvider);
        _log = new RequestLog(options.RequestLogWriter is null ? null : TextWriter.Synchronized(options.RequestLogWriter));
        _latencyTicks = options.Latency.Ticks;
    }

    /// <summary>API root with a trailing slash, e.g. <c>http://127.0.0.1:41234/client/v4/</c> (https when a certificate is served).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Delay added to every API response; starts as <see cref="FakeCloudflareOptions.Latency"/>.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>API requests received so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _log.Snapshot();

    /// <summary>Starts Kestrel and returns once it listens. Throws when the address cannot be bound or the certificate not loaded.</summary>
    /// <param name="options">Where and how to listen; null for plain HTTP on 127.0.0.1 and a free port.</param>
    /// <param name="ct">Cancels the start.</param>
    public static async Task<FakeCloudflare> StartAsync(FakeCloudflareOptions? options = null, CancellationToken ct = default)
    {
        options ??= new FakeCloudflareOptions();
        var fake = new FakeCloudflare(options);
        try
        {
            await fake.StartServerAsync(options, ct).ConfigureAwait(false);
            return fake;
        }
        catch
        {
            await fake.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds a tunnel, or updates name, account and token of an existing one. <paramref name="token"/> is a bearer token accepted for <paramref name="accountId"/>.</summary>
    public void AddTunnel(string accountId, string tunnelId, string name, string token) => _state.AddTunnel(accountId, tunnelId, name, token);

    /// <summary>Registers a connector with <paramref name="connections"/> live connections; re-adding an id replaces it (a reconnect). Throws <see cref="KeyNotFoundException"/> for an unknown tunnel.</summary>
    public void AddConnector(string tunnelId, string connectorId, int connections = 4) => _state.AddConnector(tunnelId, connectorId, connections);

    /// <summary>Removes a connector entirely; false when the tunnel had no such connector. Throws <see cref="KeyNotFoundException"/> for an unknown tunnel.</summary>
    public bool RemoveConnector(string tunnelId, string connectorId) => _state.RemoveConnector(tunnelId, connectorId);

    /// <summary>Marks every connection of a connector <c>is_pending_reconnect:true</c>: it stays listed but is no longer live. Throws <see cref="KeyNotFoundException"/> when unknown.</summary>
    public void MarkConnectorPendingReconnect(string tunnelId, string connectorId) => _state.MarkConnectorPendingReconnect(tunnelId, connectorId);

    /// <summary>
    /// Overrides the reported status (e.g. <c>degraded</c>); null returns to the derived one (<c>healthy</c>,
    /// <c>down</c>, <c>inactive</c>). With <paramref name="reads"/>, only for that many API reads of the tunnel (a
    /// list or a get; then derived again): a blip that lasts exactly N checks, however fast the client polls.
    /// </summary>
    public void SetStatus(string tunnelId, string? status, int? reads = null) => _state.SetStatus(tunnelId, status, reads);

    /// <summary>A tunnel's current state, or null when unknown.</summary>
    public TunnelSnapshot? GetTunnel(string tunnelId) => _state.Find(tunnelId);

    /// <summary>Every tunnel's current state, in the order added.</summary>
    public IReadOnlyList<TunnelSnapshot> GetTunnels() => _state.All();

    /// <summary>Adds a fault after those already injected (the first matching one wins).</summary>
    public void InjectFault(FakeFault fault) => _faults.Add(fault);

    /// <summary>Removes every injected fault.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>Number of recorded API requests, optionally only those matching <paramref name="predicate"/>.</summary>
    public int CountRequests(Func<RecordedRequest, bool>? predicate = null) => _log.Count(predicate);

    /// <summary>Empties the request log.</summary>
    public void ClearRequests() => _log.Clear();

    /// <summary>Completes with the first recorded request matching <paramref name="predicate"/> (already logged or still to come); bound it with <paramref name="ct"/>.</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool>? predicate = null, CancellationToken ct = default) =>
        _log.WaitAsync(predicate, ct);

    /// <summary>Stops the server; hung requests are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _certificate?.Dispose();
    }

    internal void AddTunnel(SeedTunnel seed)
    {
        AddTunnel(seed.AccountId, seed.TunnelId, seed.Name, seed.Token);
        if (seed.Connectors is not null)
        {
            _state.MarkRan(seed.TunnelId);
            foreach (var connectorId in seed.Connectors)
            {
                AddConnector(seed.TunnelId, connectorId);
            }
        }

        if (seed.Status is not null)
        {
            SetStatus(seed.TunnelId, seed.Status);
        }
    }

    private async Task StartServerAsync(FakeCloudflareOptions options, CancellationToken ct)
    {
        X509Certificate2Collection? chain = null;
        if (options.CertificatePemPath is not null)
        {
            _certificate = X509Certificate2.CreateFromPemFile(options.CertificatePemPath, options.KeyPemPath);
            chain = [];
            chain.ImportFromPemFile(options.CertificatePemPath); // leaf + intermediates, so clients can build the chain
        }

        var builder = FakeHost.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Address, options.Port, listen =>
        {
            if (_certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = _certificate, ServerCertificateChain = chain });
            }
        }));
        var app = builder.Build();
        _app = app;
        app.Use(new ApiGate(_faults, _log, options.TimeProvider, () => Latency, app.Lifetime.ApplicationStopping).InvokeAsync);
        ApiEndpoints.Map(app, _state);
        AdminEndpoints.Map(app, this);
        await app.StartAsync(ct).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var scheme = _certificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        BaseUrl = new UriBuilder(scheme, options.HostName ?? options.Address.ToString(), new Uri(address).Port, ApiEndpoints.Prefix + "/").Uri;
    }
}
