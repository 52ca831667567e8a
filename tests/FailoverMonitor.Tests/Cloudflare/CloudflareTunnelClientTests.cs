using System.Net;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;
using Microsoft.AspNetCore.Http;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;

namespace FailoverMonitor.Tests.Cloudflare;

/// <summary>
/// The real client and its real Polly pipeline over loopback: against the stateful fake Cloudflare API where a test
/// needs tunnels and connectors, against WireMock.Net stubs (one server per class) for canned answers and faults.
/// Retry delays and timeouts run on a fake clock: the helpers below move it only to fire what the test is about,
/// so the outcome never depends on how fast real I/O happens to be.
/// </summary>
public sealed partial class CloudflareTunnelClientTests : IAsyncLifetime, IClassFixture<WireMockFixture>
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string TunnelId = "11111111-2222-3333-4444-555555555555";
    private const string Secret = "cf-secret-Qz7WkR2pX9vN";

    // Per-attempt timeout; the whole call gets 1.5 × this. Long enough that no retry delay is ever mistaken for it.
    private const double ApiTimeoutSeconds = 10;

    private readonly FakeTimeProvider _clock = new();
    private readonly ApiToken _token = new(Secret);
    private readonly ApiUsage _usage;
    private readonly List<TimeSpan> _firedDelays = [];
    private readonly List<HttpClient> _extraClients = [];
    private readonly CancellationTokenSource _bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
    private readonly WireMockFixture _stubs;
    private readonly WireMockServer _stub;
    private FakeCloudflare _api = null!;
    private HttpClient _http = null!;
    private CloudflareTunnelClient _client = null!;
    private CloudflareTunnelClient _stubClient = null!;

    public CloudflareTunnelClientTests(WireMockFixture stubs)
    {
        _usage = new ApiUsage(_clock);
        _stubs = stubs;
        _stub = stubs.Fresh();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _bound.CancelAfter(FakeTimeProvider.DefaultWait);
        _api = await FakeCloudflare.StartAsync(ct: Ct);
        _api.AddTunnel(Account, TunnelId, "primary", Secret);
        _http = new HttpClient { BaseAddress = _api.BaseUrl };
        _client = CreateClient(_http);
        _stubClient = StubClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _extraClients.ForEach(c => c.Dispose());
        await _api.DisposeAsync();
        _bound.Dispose();
    }

    // ---- success paths ----

    [Fact]
    public async Task GetTunnelAsync_TunnelWithoutConnector_InactiveForFromServerDateAndConnsInactiveAt()
    {
        _api.AddConnector(TunnelId, "primary");
        _api.RemoveConnector(TunnelId, "primary");

        var tunnel = await _client.GetTunnelAsync(Account, TunnelId, _token, Ct);

        Assert.NotNull(tunnel.ObservedAt);
        Assert.NotNull(tunnel.ConnsInactiveAt);
        Assert.NotNull(tunnel.InactiveFor);
        Assert.InRange(tunnel.InactiveFor.Value, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task GetTunnelAsync_ConnectedTunnel_NoInactiveFor()
    {
        _api.AddConnector(TunnelId, "primary");

        var tunnel = await _client.GetTunnelAsync(Account, TunnelId, _token, Ct);

        Assert.Null(tunnel.InactiveFor);
    }

    [Theory]
    [InlineData("healthy", TunnelStatus.Healthy)]
    [InlineData("degraded", TunnelStatus.Degraded)]
    [InlineData("down", TunnelStatus.Down)]
    [InlineData("inactive", TunnelStatus.Inactive)]
    public async Task GetTunnelAsync_EachStatus_ParsedFromResult(string apiStatus, TunnelStatus expected)
    {
        _api.SetStatus(TunnelId, apiStatus);

        var tunnel = await CompleteAsync(_client.GetTunnelAsync(Account, TunnelId, _token, Ct));

        Assert.Equal(TunnelId, tunnel.Id);
        Assert.Equal("primary", tunnel.Name);
        Assert.Equal(apiStatus, tunnel.Status);
        Assert.Equal(expected, TunnelStatuses.Parse(tunnel.Status));
        Assert.Equal(1, _api.CountRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_TunnelWithConnector_HealthyAndNoInactiveSince()
    {
        _api.AddConnector(TunnelId, "connector-a");

        var tunnel = await CompleteAsync(_client.GetTunnelAsync(Account, TunnelId, _token, Ct));

        Assert.Equal(TunnelStatus.Healthy, TunnelStatuses.Parse(tunnel.Status));
        Assert.Null(tunnel.ConnsInactiveAt);
    }

    [Fact]
    public async Task AllCalls_Always_SendTokenAsBearerToTheRightPath()
    {
        // Each stub answers only its path with "Authorization: Bearer <token>"; anything else gets WireMock's 404.
        Stub($"/client/v4/accounts/{Account}/cfd_tunnel/{TunnelId}").RespondWith(Json(200, TunnelBody));
        Stub($"/client/v4/accounts/{Account}/cfd_tunnel").RespondWith(Json(200, ListBody));
        Stub($"/client/v4/accounts/{Account}/cfd_tunnel/{TunnelId}/connections").RespondWith(Json(200, EmptyListBody));

        await CompleteAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct));
        await CompleteAsync(_stubClient.ListTunnelsAsync(Account, _token, Ct));
        await CompleteAsync(_stubClient.GetConnectorsAsync(Account, TunnelId, _token, Ct));

        var requests = StubRequests();
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("GET", r.RequestMessage.Method);
            Assert.Equal([$"Bearer {Secret}"], r.RequestMessage.Headers!["Authorization"]);
            Assert.Equal(200, StatusOf(r));
        });
        Assert.Equal($"/client/v4/accounts/{Account}/cfd_tunnel/{TunnelId}", requests[0].RequestMessage.Path);
        Assert.Equal($"/client/v4/accounts/{Account}/cfd_tunnel", requests[1].RequestMessage.Path);
        Assert.Equal($"/client/v4/accounts/{Account}/cfd_tunnel/{TunnelId}/connections", requests[2].RequestMessage.Path);
    }

    [Fact]
    public async Task ListTunnelsAsync_150Tunnels_TwoPagesAllReturned()
    {
        // The fixture's tunnel plus 149 more in the same account.
        var ids = new List<string> { TunnelId };
        for (var i = 1; i < 150; i++)
        {
            var id = $"00000000-0000-0000-0000-{i:D12}";
            ids.Add(id);
            _api.AddTunnel(Account, id, $"tunnel-{i}", Secret);
        }

        _api.SetStatus(ids[120], "down");

        var tunnels = await CompleteAsync(_client.ListTunnelsAsync(Account, _token, Ct));

        Assert.Equal(ids, tunnels.Select(t => t.Id));
        Assert.Equal("down", tunnels[120].Status);
        var requests = _api.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal($"?is_deleted=false&per_page={ApiBudget.PageSize}&page=1", requests[0].Query);
        Assert.Equal($"?is_deleted=false&per_page={ApiBudget.PageSize}&page=2", requests[1].Query);
    }

    [Fact]
    public async Task ListTunnelsAsync_ExactlyOneFullPage_OneRequest()
    {
        for (var i = 1; i < ApiBudget.PageSize; i++)
        {
            _api.AddTunnel(Account, $"00000000-0000-0000-0000-{i:D12}", $"tunnel-{i}", Secret);
        }

        var tunnels = await CompleteAsync(_client.ListTunnelsAsync(Account, _token, Ct));

        Assert.Equal(ApiBudget.PageSize, tunnels.Count);
        Assert.Equal(1, _api.CountRequests());
    }

    [Fact]
    public async Task GetConnectorsAsync_LiveAndPendingReconnectConnectors_BothReturnedWithPendingFlag()
    {
        _api.AddConnector(TunnelId, "live-connector");
        _api.AddConnector(TunnelId, "ghost-connector", connections: 2);
        _api.MarkConnectorPendingReconnect(TunnelId, "ghost-connector");

        var connectors = await CompleteAsync(_client.GetConnectorsAsync(Account, TunnelId, _token, Ct));

        Assert.Equal(["live-connector", "ghost-connector"], connectors.Select(c => c.Id));
        var live = connectors[0].Conns!;
        Assert.Equal(4, live.Count);
        Assert.All(live, c =>
        {
            Assert.False(c.IsPendingReconnect);
            Assert.Equal("live-connector", c.ClientId);
            Assert.False(string.IsNullOrEmpty(c.ColoName));
        });
        var ghost = connectors[1].Conns!;
        Assert.Equal(2, ghost.Count);
        Assert.All(ghost, c =>
        {
            Assert.True(c.IsPendingReconnect);
            Assert.Equal("ghost-connector", c.ClientId);
        });
    }

    [Fact]
    public async Task GetConnectorsAsync_NoConnectors_EmptyList()
    {
        var connectors = await CompleteAsync(_client.GetConnectorsAsync(Account, TunnelId, _token, Ct));

        Assert.Empty(connectors);
    }

    // ---- failures that are retried ----

    [Fact]
    public async Task GetTunnelAsync_PersistentServerError_RetriedTwiceThenServerError()
    {
        Stub().RespondWith(Status(500));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.ServerError);

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("code 10002", e.Message, StringComparison.Ordinal); // the envelope's error is carried
        Assert.False(e.IsConfigurationProblem);
        Assert.Equal(3, StubRequests().Count);
        Assert.Equal(2, _firedDelays.Count);
    }

    [Fact]
    public async Task GetTunnelAsync_ServiceUnavailableOnce_RetriedAndSucceeds()
    {
        StubOnceThenTunnel(Status(503));

        var tunnel = await CompleteAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct));

        Assert.Equal(TunnelId, tunnel.Id);
        Assert.Equal([503, 200], StubRequests().Select(StatusOf));
        Assert.Single(_firedDelays);
    }

    [Fact]
    public async Task GetTunnelAsync_TooManyRequestsRetryAfterOneSecondOnce_WaitsRetryAfterAndSucceeds()
    {
        StubOnceThenTunnel(TooManyRequests(retryAfterSeconds: 1));

        var tunnel = await CompleteAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct));

        Assert.Equal(TunnelId, tunnel.Id);
        Assert.Equal([429, 200], StubRequests().Select(StatusOf));
        Assert.Equal([TimeSpan.FromSeconds(1)], _firedDelays); // Retry-After, not the jittered backoff
    }

    [Fact]
    public async Task GetTunnelAsync_PersistentTooManyRequestsRetryAfterOneSecond_RetriedThenRateLimited()
    {
        Stub().RespondWith(TooManyRequests(retryAfterSeconds: 1));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.RateLimited);

        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Equal(3, StubRequests().Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)], _firedDelays);
    }

    [Fact]
    public async Task GetTunnelAsync_ConnectionRefused_RetriedTwiceThenTransport()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{LoopbackPort.Unused()}/client/v4/") };
        var client = CreateClient(http);

        var e = await FailAsync(client.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.Transport);

        Assert.Null(e.StatusCode);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Contains(nameof(HttpRequestError.ConnectionError), e.Message, StringComparison.Ordinal);
        Assert.Equal(2, _firedDelays.Count);
    }

    [Fact]
    public async Task GetTunnelAsync_FirstAttemptHangs_AttemptTimesOutAndRetrySucceeds()
    {
        var hang = Guid.NewGuid();
        Stub().WithGuid(hang).AtPriority(1).RespondWith(_stubs.Hang());
        Stub().AtPriority(2).RespondWith(Json(200, TunnelBody));
        var call = _stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct);

        await _stubs.WaitForHungRequestAsync(Bounded());
        _stub.DeleteMapping(hang); // the retry finds the answering stub
        _clock.Advance(TimeSpan.FromSeconds(ApiTimeoutSeconds)); // the attempt's timeout
        await FireNextRetryDelayAsync();
        var tunnel = await call.WaitAsync(Bounded());

        Assert.Equal(TunnelId, tunnel.Id);
        Assert.Equal([200], StubRequests().Select(StatusOf)); // the hung attempt never got an answer; the retry did
    }

    [Fact]
    public async Task GetTunnelAsync_ApiHangs_TimeoutAfterTotalBudget()
    {
        Stub().RespondWith(_stubs.Hang());
        var call = Capture(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct));

        await _stubs.WaitForHungRequestAsync(Bounded());
        _clock.Advance(TimeSpan.FromSeconds(ApiTimeoutSeconds)); // first attempt times out
        await FireNextRetryDelayAsync();
        await _stubs.WaitForHungRequestAsync(Bounded()); // second attempt hangs too
        Assert.False(call.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(ApiTimeoutSeconds * 0.5)); // total budget 1.5 × api_timeout is spent

        var e = AssertApiFailure(await call.WaitAsync(Bounded()), ApiFailureKind.Timeout);
        Assert.Contains("15 s", e.Message, StringComparison.Ordinal);
        Assert.Null(e.StatusCode);
        Assert.Equal(2, _stubs.HungRequests);
    }

    [Fact]
    public async Task GetTunnelAsync_BodyStallsAfterHeaders_TimeoutWithinTotalBudget()
    {
        // Headers and half an envelope, then silence: the fake API has no such fault, so a bare server plays it.
        using var stalled = new SemaphoreSlim(0);
        await using var server = await LoopbackServer.StartAsync(
            async ctx =>
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("""{"success":true,"errors":[],"result":{"id":""", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                stalled.Release();
                await LoopbackServer.HangAsync(ctx);
            },
            Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{server.Address}/client/v4/") };
        var client = CreateClient(http);
        var call = Capture(client.GetTunnelAsync(Account, TunnelId, _token, Ct));

        await stalled.WaitAsync(Bounded());
        _clock.Advance(TimeSpan.FromSeconds(ApiTimeoutSeconds)); // the first attempt's timeout
        await FireNextRetryDelayAsync();
        await stalled.WaitAsync(Bounded()); // the second attempt stalls too
        Assert.False(call.IsCompleted);
        _clock.Advance(TimeSpan.FromSeconds(ApiTimeoutSeconds * 0.5)); // total budget 1.5 × api_timeout is spent

        var e = AssertApiFailure(await call.WaitAsync(Bounded()), ApiFailureKind.Timeout);
        Assert.Contains("15 s", e.Message, StringComparison.Ordinal);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task GetTunnelAsync_CallerCancelsDuringHang_OperationCanceledNotApiFailure()
    {
        Stub().RespondWith(_stubs.Hang());
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = _stubClient.GetTunnelAsync(Account, TunnelId, _token, caller.Token);
        await _stubs.WaitForHungRequestAsync(Bounded());

        await caller.CancelAsync();

        var caught = await Capture(call).WaitAsync(Bounded());
        Assert.IsAssignableFrom<OperationCanceledException>(caught);
        Assert.Equal(1, _stubs.HungRequests);
    }

    // ---- failures that are not retried ----

    [Fact]
    public async Task GetTunnelAsync_TooManyRequestsRetryAfterThirtySeconds_RateLimitedAtOnce()
    {
        Stub().RespondWith(TooManyRequests(retryAfterSeconds: 30));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.RateLimited);

        Assert.Equal(HttpStatusCode.TooManyRequests, e.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), e.RetryAfter);
        Assert.Single(StubRequests());
        Assert.Empty(_firedDelays);
    }

    [Fact]
    public async Task GetTunnelAsync_AfterTooManyRequests_NoRequestForThatTokenUntilRetryAfterPasses()
    {
        const string otherSecret = "cf-other-secret-8mKd";
        const string otherTunnel = "99999999-2222-3333-4444-555555555555";
        _api.AddTunnel("fedcba9876543210fedcba9876543210", otherTunnel, "other", otherSecret);
        _api.InjectFault(new FakeFault(FaultKind.TooManyRequests, RetryAfterSeconds: 30, Times: 1));
        await FailAsync(_client.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.RateLimited);

        // Every call with the token fails at once, without a request, list and connections calls included.
        var blocked = await FailAsync(_client.ListTunnelsAsync(Account, _token, Ct), ApiFailureKind.RateLimited);
        await FailAsync(_client.GetConnectorsAsync(Account, TunnelId, _token, Ct), ApiFailureKind.RateLimited);
        Assert.Null(blocked.StatusCode);
        Assert.Contains("no request sent", blocked.Message);
        Assert.Equal(1, _api.CountRequests());
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(30), _usage.BlockedUntil(_token));

        // Another token is not affected.
        await _client.GetTunnelAsync("fedcba9876543210fedcba9876543210", otherTunnel, new ApiToken(otherSecret), Ct);
        Assert.Equal(2, _api.CountRequests());

        _clock.Advance(TimeSpan.FromSeconds(29));
        await FailAsync(_client.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.RateLimited);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var tunnel = await _client.GetTunnelAsync(Account, TunnelId, _token, Ct);
        Assert.Equal(TunnelId, tunnel.Id);
        Assert.Equal(3, _api.CountRequests());
        Assert.Equal(2, _usage.RequestsSent(_token));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task GetTunnelAsync_AuthenticationStatus_UnauthorizedAfterOneRequest(int status)
    {
        Stub().RespondWith(Status(status));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.Unauthorized);

        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.True(e.IsConfigurationProblem);
        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_TokenOfNoAccount_UnauthorizedWithCloudflareCodeAndNeverTheToken()
    {
        const string wrongSecret = "cf-wrong-Lm3Vb8Tc1Yh";

        var e = await FailAsync(_client.GetTunnelAsync(Account, TunnelId, new ApiToken(wrongSecret), Ct), ApiFailureKind.Unauthorized);

        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Contains("code 10000", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongSecret, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(wrongSecret, _api.Requests.Single().Token);
    }

    [Fact]
    public async Task GetTunnelAsync_UnknownTunnel_NotFoundAfterOneRequest()
    {
        var e = await FailAsync(
            _client.GetTunnelAsync(Account, "99999999-9999-9999-9999-999999999999", _token, Ct), ApiFailureKind.NotFound);

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.True(e.IsConfigurationProblem);
        Assert.Equal(1, _api.CountRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_BodyNotJson_MalformedBodyAfterOneRequest()
    {
        Stub().RespondWith(NotJson());

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Contains("text/html", e.Message, StringComparison.Ordinal);
        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_SuccessFalse_ApiErrorWithCodeAfterOneRequest()
    {
        Stub().RespondWith(SuccessFalse());

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.ApiError);

        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Contains("code 1002", e.Message, StringComparison.Ordinal);
        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_ResultOfWrongShape_MalformedBodyAfterOneRequest()
    {
        Stub().RespondWith(WrongShape());

        await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Single(StubRequests());
    }

    [Theory]
    [InlineData(nameof(WrongShape), ApiFailureKind.MalformedBody)]
    [InlineData(nameof(NotJson), ApiFailureKind.MalformedBody)]
    [InlineData(nameof(SuccessFalse), ApiFailureKind.ApiError)]
    public async Task ListTunnelsAndGetConnectors_BadBody_SameClassificationAsGetTunnel(string fault, ApiFailureKind expected)
    {
        Stub().RespondWith(fault switch { nameof(WrongShape) => WrongShape(), nameof(NotJson) => NotJson(), _ => SuccessFalse() });

        await FailAsync(_stubClient.ListTunnelsAsync(Account, _token, Ct), expected);
        await FailAsync(_stubClient.GetConnectorsAsync(Account, TunnelId, _token, Ct), expected);

        Assert.Equal(2, StubRequests().Count);
    }

    [Fact]
    public async Task ListTunnelsAsync_Forbidden_UnauthorizedAfterOneRequest()
    {
        Stub().RespondWith(Status(403));

        await FailAsync(_stubClient.ListTunnelsAsync(Account, _token, Ct), ApiFailureKind.Unauthorized);

        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_UnexpectedClientStatus_HttpErrorAfterOneRequest()
    {
        Stub().RespondWith(Status(400));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.HttpError);

        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_EmptyBody_MalformedBodyAfterOneRequest()
    {
        Stub().RespondWith(Response.Create().WithFault(FaultType.EMPTY_RESPONSE));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_GarbledBody_MalformedBodyAfterOneRequest()
    {
        Stub().RespondWith(Json(200, TunnelBody).WithFault(FaultType.MALFORMED_RESPONSE_CHUNK));

        await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Single(StubRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_ConnectionReset_RetriedTwiceThenTransport()
    {
        // WireMock.Net's faults (an empty or a garbled body) all finish the response; a bare server resets instead.
        var resets = 0;
        await using var server = await LoopbackServer.StartAsync(
            ctx =>
            {
                Interlocked.Increment(ref resets);
                ctx.Abort();
                return Task.CompletedTask;
            },
            Ct);

        var e = await FailAsync(ClientFor(server).GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.Transport);

        Assert.Null(e.StatusCode);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Equal(3, resets);
        Assert.Equal(2, _firedDelays.Count);
    }

    // ---- helpers ----

    private const string TunnelJson = $$"""{"id":"{{TunnelId}}","name":"primary","status":"healthy","conns_active_at":null,"conns_inactive_at":null}""";
    private const string TunnelBody = """{"success":true,"errors":[],"messages":[],"result":""" + TunnelJson + "}";
    private const string ListBody =
        """{"success":true,"errors":[],"messages":[],"result":[""" + TunnelJson + """],"result_info":{"page":1,"per_page":100,"count":1,"total_count":1}}""";
    private const string EmptyListBody = """{"success":true,"errors":[],"messages":[],"result":[]}""";

    /// <summary>A stub for GET <paramref name="path"/> (a wildcard) with this test's token as the bearer token.</summary>
    private IRespondWithAProvider Stub(string path = "/client/v4/*") =>
        _stub.Given(Request.Create().UsingGet().WithPath(new WildcardMatcher(path)).WithHeader("Authorization", $"Bearer {Secret}"));

    /// <summary>Answers the first call with <paramref name="fault"/>, every later one with the tunnel.</summary>
    private void StubOnceThenTunnel(IResponseBuilder fault)
    {
        Stub().InScenario("fault once").WillSetStateTo("answered").RespondWith(fault);
        Stub().InScenario("fault once").WhenStateIs("answered").RespondWith(Json(200, TunnelBody));
    }

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    private static IResponseBuilder Error(int status, int code, string message) =>
        Json(status, $$"""{"success":false,"errors":[{"code":{{code}},"message":"{{message}}"}],"messages":[],"result":null}""");

    /// <summary>An error envelope with the code Cloudflare gives that status (10000 authentication, 971 throttling, 10002 other).</summary>
    private static IResponseBuilder Status(int status) =>
        Error(status, status is 401 or 403 ? 10000 : status == 429 ? 971 : 10002, $"Injected fault: HTTP {status}");

    private static IResponseBuilder TooManyRequests(int retryAfterSeconds) =>
        Error(429, 971, "Please wait and consider throttling your request speed").WithHeader("Retry-After", retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static IResponseBuilder NotJson() =>
        Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/html; charset=utf-8")
            .WithBody("<!DOCTYPE html><html><head><title>Error</title></head><body><h1>not JSON</h1></body></html>");

    private static IResponseBuilder SuccessFalse() => Error(200, 1002, "Injected fault: success false");

    private static IResponseBuilder WrongShape() =>
        Json(200, """{"success":true,"errors":[],"messages":[],"result":"injected fault: result is a string"}""");

    /// <summary>Requests the stubs answered, in order.</summary>
    private List<WireMock.Logging.ILogEntry> StubRequests() => [.. _stub.LogEntries];

    private static int StatusOf(WireMock.Logging.ILogEntry entry) => Convert.ToInt32(entry.ResponseMessage!.StatusCode, System.Globalization.CultureInfo.InvariantCulture);

    private CloudflareTunnelClient StubClient()
    {
        var http = new HttpClient { BaseAddress = new Uri($"{_stub.Url}/client/v4/") };
        _extraClients.Add(http);
        return CreateClient(http);
    }

    private CloudflareTunnelClient CreateClient(HttpClient http) =>
        new(http, CloudflareResilience.Build(new ApiSettings { Timeout = TimeSpan.FromSeconds(ApiTimeoutSeconds) }, _clock), _usage);

    /// <summary>The real-time bound on every wait of a test (<see cref="FakeTimeProvider.DefaultWait"/> in all): it fails rather than hangs.</summary>
    private CancellationToken Bounded() => _bound.Token;

    private static async Task<Exception?> Capture(Task call)
    {
        try
        {
            await call;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Asserts a <see cref="CloudflareApiException"/> of <paramref name="kind"/> that never shows the token.</summary>
    private static CloudflareApiException AssertApiFailure(Exception? caught, ApiFailureKind kind)
    {
        var e = Assert.IsType<CloudflareApiException>(caught);
        Assert.Equal(kind, e.Kind);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.ToString(), StringComparison.Ordinal); // inner exceptions included
        return e;
    }

    private async Task<CloudflareApiException> FailAsync(Task call, ApiFailureKind kind) =>
        AssertApiFailure(await CompleteAsync(Capture(call)), kind);

    /// <summary>
    /// Completes <paramref name="call"/>, moving the fake clock only to fire retry delays, each once it is armed
    /// (recorded in <see cref="_firedDelays"/>). Attempt and total timeouts never fire here, however slow the real
    /// loopback I/O is: nothing moves while a request is in flight.
    /// </summary>
    private Task<T> CompleteAsync<T>(Task<T> call) => _clock.FireDelaysUntilAsync(call, _firedDelays.Add);

    private async Task FireNextRetryDelayAsync() => _firedDelays.Add(await _clock.FireNextDelayAsync());
}
