using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FakeCloudflareApi;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>The fake Cloudflare API over loopback with a Cloudflare client and a <see cref="TokenVerifier"/> on it: what the tests of token verification share.</summary>
internal sealed class VerifierRig : IAsyncDisposable
{
    private readonly HttpClient _http;

    private VerifierRig(FakeCloudflare api, HttpClient http, TokenVerifier verifier)
    {
        Api = api;
        _http = http;
        Verifier = verifier;
    }

    /// <summary>The fake API; tests add their tunnels and tokens to it.</summary>
    public FakeCloudflare Api { get; }

    /// <summary>The verifier under test or in use, on the default API options and <c>clock</c>.</summary>
    public TokenVerifier Verifier { get; }

    /// <summary>Starts the fake API on a free loopback port.</summary>
    public static async Task<VerifierRig> StartAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var api = await FakeCloudflare.StartAsync(ct: cancellationToken);
        var http = new HttpClient { BaseAddress = api.BaseUrl };
        var client = new CloudflareTunnelClient(http, CloudflareResilience.Build(new ApiSettings(), clock), new ApiUsage(clock));
        return new VerifierRig(api, http, new TokenVerifier(client, clock));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Api.DisposeAsync();
    }
}
