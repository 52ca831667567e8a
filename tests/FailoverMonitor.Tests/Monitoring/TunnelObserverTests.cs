using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>
/// The real observer and client against a loopback server that plays one answer per path: one bad item in an
/// answer spoils that item only, and a bad token's failure names where the token came from.
/// </summary>
public sealed partial class TunnelObserverTests : IAsyncLifetime
{
    private const string AccountA = "0123456789abcdef0123456789abcdef";
    private const string AccountB = "fedcba9876543210fedcba9876543210";
    private const string Good = "00000000-0000-0000-0000-000000000001";
    private const string Conflicting = "00000000-0000-0000-0000-000000000002";
    private const string Agreeing = "00000000-0000-0000-0000-000000000003";
    private const string Unreadable = "00000000-0000-0000-0000-000000000004";
    private const string Missing = "00000000-0000-0000-0000-000000000005";
    private const string Lone = "00000000-0000-0000-0000-0000000000b1";

    private readonly Dictionary<string, (int Status, byte[] Body)> _answers = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _requested = new();
    private readonly Dictionary<string, ApiToken> _tokens = [];
    private LoopbackServer _server = null!;
    private HttpClient _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(
            async ctx =>
            {
                _requested.Enqueue(ctx.Request.Path.Value!);
                var (status, body) = _answers.TryGetValue(ctx.Request.Path.Value!, out var answer)
                    ? answer
                    : (404, """{"success":false,"errors":[{"code":7003,"message":"no route"}]}"""u8.ToArray());
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
            },
            Ct);
        _http = new HttpClient { BaseAddress = new Uri($"http://{_server.Address}/client/v4/") };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ObserveAsync_ListWithNullWrongTypesAndDuplicates_BadItemsUnknownRestObserved()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel", $$$"""
            {"success":true,"errors":[],"result":[
              null,
              {"id":"{{{Good}}}","status":"down"},
              {"id":"{{{Conflicting}}}","status":"down"},
              {"id":"{{{Conflicting}}}","status":"healthy"},
              {"id":"{{{Agreeing}}}","status":"degraded"},
              {"id":"{{{Agreeing}}}","status":"degraded"},
              {"id":"{{{Unreadable}}}","status":{"word":"down"}}
            ],"result_info":{"page":1,"per_page":100,"count":7,"total_count":7}}
            """);
        Answer($"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Lone}}}","status":"down"}}""");
        var tunnels = new[] { Tunnel(AccountA, Good), Tunnel(AccountA, Conflicting), Tunnel(AccountA, Agreeing), Tunnel(AccountA, Unreadable), Tunnel(AccountA, Missing), Tunnel(AccountB, Lone, "other-token") };

        var observed = await Observer().ObserveAsync(tunnels, Tokens, _ => false, Ct);

        Assert.Equal(TunnelStatus.Down, observed[tunnels[0]].Status);
        Assert.Contains("conflicting", Unknown(observed[tunnels[1]]).Message, StringComparison.Ordinal);
        Assert.Equal(TunnelStatus.Degraded, observed[tunnels[2]].Status);
        Assert.Equal(ApiFailureKind.MalformedBody, Unknown(observed[tunnels[3]]).Kind);
        var missing = Unknown(observed[tunnels[4]]);
        Assert.False(missing.IsConfigurationProblem); // an unreadable item without an id might have been this tunnel
        Assert.Equal(TunnelStatus.Down, observed[tunnels[5]].Status); // another account is evaluated whatever account A said
    }

    [Fact]
    public async Task ObserveAsync_UnknownStatusWord_UnknownNotDownAndSanitised()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"down\n[CRITICAL] forged"}}""");
        var tunnel = Tunnel(AccountA, Good);

        var observed = await Observer().ObserveAsync([tunnel], Tokens, _ => false, Ct);

        var failure = Unknown(observed[tunnel]);
        Assert.DoesNotContain('\n', failure.Message);
        Assert.Contains("down\\n[CRITICAL] forged", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ObserveAsync_ConnectionsWithNullAndConflictingDuplicates_NullLeftOutConflictNotLive()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"healthy"}}""");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}/connections", """
            {"success":true,"errors":[],"result":[
              null,
              {"id":"backup","conns":[{"id":"c1","is_pending_reconnect":false}]},
              {"id":"flip","conns":[{"id":"c2","is_pending_reconnect":false}]},
              {"id":"flip","conns":[{"id":"c3","is_pending_reconnect":true}]},
              {"id":"","conns":[{"id":"c4","is_pending_reconnect":false}]}
            ]}
            """);
        var tunnel = Tunnel(AccountA, Good);

        var observed = await Observer().ObserveAsync([tunnel], Tokens, _ => true, Ct);

        var connectors = observed[tunnel].Connectors!;
        Assert.Equal(["backup", "flip"], connectors.Select(c => c.Id));
        Assert.True(connectors[0].IsLive);
        Assert.False(connectors[1].IsLive); // live only when every copy says so: stopping a backup needs certainty
    }

    [Theory]
    [InlineData(null, "inline token of tunnel web")]
    [InlineData("/etc/failover-monitor/web.token", "token_file /etc/failover-monitor/web.token")]
    public async Task ObserveAsync_MalformedAuthorizationHeader_ConfigurationProblemNamingTheTokenSource(string? tokenFile, string source)
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", """{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}]}""", 400);
        // The loader words the source (ConfigurationLoaderTests checks it); the observer must attribute a rejection to it.
        var tunnel = Tunnel(AccountA, Good) with { Name = "web", TokenSource = tokenFile is null ? "inline token of tunnel web" : $"token_file {tokenFile}" };

        var observed = await Observer().ObserveAsync([tunnel], Tokens, _ => false, Ct);

        var failure = Unknown(observed[tunnel]);
        Assert.True(failure.IsConfigurationProblem);
        Assert.Contains(source, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", failure.Message, StringComparison.Ordinal);
    }

    private void Answer(string path, string body, int status = 200) => _answers[path] = (status, System.Text.Encoding.UTF8.GetBytes(body));

    private TunnelObserver Observer()
    {
        var clock = new FakeTimeProvider();
        var api = new ApiSettings { Timeout = TimeSpan.FromSeconds(10) };
        return new TunnelObserver(new CloudflareTunnelClient(_http, CloudflareResilience.Build(api, clock), new ApiUsage(clock)), new CloudflaredReadyClient(_http));
    }

    /// <summary>The tokens of the tunnels made by <see cref="Tunnel"/> in this test.</summary>
    private TunnelTokens Tokens => new(_tokens);

    /// <summary>A tunnel named by its id with an inline <paramref name="token"/>.</summary>
    private TunnelSettings Tunnel(string account, string id, string token = "secret-token-value")
    {
        _tokens[id] = new ApiToken(token);
        return new TunnelSettings { Name = id, AccountId = account, TunnelId = id, Service = "cloudflared-backup", TokenSource = $"inline token of tunnel {id}" };
    }

    private static CloudflareApiException Unknown(TunnelObservation observation)
    {
        Assert.True(observation.IsUnknown);
        return observation.Failure!;
    }
}
