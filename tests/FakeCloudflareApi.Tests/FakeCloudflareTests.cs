using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace FakeCloudflareApi.Tests;

/// <summary>Tests of the fake Cloudflare API itself, over real HTTP on loopback.</summary>
public sealed class FakeCloudflareTests : IAsyncLifetime
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string Token = "token-a";
    private const string TunnelId = "11111111-1111-1111-1111-111111111111";

    private FakeCloudflare _fake = null!;
    private HttpClient _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fake = await FakeCloudflare.StartAsync(ct: Ct);
        _fake.AddTunnel(Account, TunnelId, "primary", Token);
        _http = Client(_fake, Token);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    [Fact]
    public void BaseUrl_Default_IsLoopbackHttpWithTrailingSlash()
    {
        Assert.Equal("http", _fake.BaseUrl.Scheme);
        Assert.Equal("127.0.0.1", _fake.BaseUrl.Host);
        Assert.EndsWith("/client/v4/", _fake.BaseUrl.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTunnel_KnownTunnel_ReturnsEnvelopeWithTunnelAndEmptyDeprecatedConnections()
    {
        _fake.AddConnector(TunnelId, "c1");

        using var response = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(0, body.GetProperty("errors").GetArrayLength());
        Assert.Equal(0, body.GetProperty("messages").GetArrayLength());
        var tunnel = body.GetProperty("result");
        Assert.Equal(TunnelId, tunnel.GetProperty("id").GetString());
        Assert.Equal("primary", tunnel.GetProperty("name").GetString());
        Assert.Equal("healthy", tunnel.GetProperty("status").GetString());
        Assert.Equal("cfd_tunnel", tunnel.GetProperty("tun_type").GetString());
        Assert.Equal(JsonValueKind.Null, tunnel.GetProperty("deleted_at").ValueKind);
        Assert.Equal(0, tunnel.GetProperty("connections").GetArrayLength());
        Assert.False(body.TryGetProperty("result_info", out _));
    }

    [Fact]
    public async Task GetConnections_ConnectorWithFourConnections_ListsConnectorAndConns()
    {
        _fake.AddConnector(TunnelId, "c1");

        var result = (await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}/connections", Ct))).GetProperty("result");

        var connector = Assert.Single(result.EnumerateArray());
        Assert.Equal("c1", connector.GetProperty("id").GetString());
        var conns = connector.GetProperty("conns").EnumerateArray().ToList();
        Assert.Equal(4, conns.Count);
        Assert.All(conns, c =>
        {
            Assert.Equal("c1", c.GetProperty("client_id").GetString());
            Assert.Equal(c.GetProperty("id").GetString(), c.GetProperty("uuid").GetString());
            Assert.False(c.GetProperty("is_pending_reconnect").GetBoolean());
        });
    }

    [Fact]
    public async Task ListTunnels_ThreeTunnelsTwoPerPage_SplitsAcrossTwoPages()
    {
        _fake.AddTunnel(Account, "t2", "second", Token);
        _fake.AddTunnel(Account, "t3", "third", Token);
        _fake.AddTunnel("other-account", "t4", "elsewhere", Token);

        var first = await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel?is_deleted=false&page=1&per_page=2", Ct));
        var second = await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel?is_deleted=false&page=2&per_page=2", Ct));

        Assert.Equal([TunnelId, "t2"], Ids(first));
        Assert.Equal(["t3"], Ids(second));
        var info = second.GetProperty("result_info");
        Assert.Equal(2, info.GetProperty("page").GetInt32());
        Assert.Equal(2, info.GetProperty("per_page").GetInt32());
        Assert.Equal(1, info.GetProperty("count").GetInt32());
        Assert.Equal(3, info.GetProperty("total_count").GetInt32());
        Assert.Equal(2, info.GetProperty("total_pages").GetInt32());
    }

    [Fact]
    public async Task ListTunnels_NameAndUuidFilters_ReturnOnlyMatches()
    {
        _fake.AddTunnel(Account, "t2", "second", Token);

        var byName = await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel?name=second", Ct));
        var byUuid = await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel?uuid={TunnelId}", Ct));

        Assert.Equal(["t2"], Ids(byName));
        Assert.Equal([TunnelId], Ids(byUuid));
    }

    [Theory]
    [InlineData("wrong-token")]
    [InlineData(null)]
    public async Task GetTunnel_WrongOrMissingToken_Returns403AuthenticationError(string? token)
    {
        using var http = Client(_fake, token);

        using var response = await http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(10000, body.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task GetTunnel_TokenOfAnotherAccount_Returns403()
    {
        _fake.AddTunnel("account-b", "tb", "b", "token-b");

        using var response = await Client(_fake, "token-b").GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetTunnel_UnknownTunnel_Returns404WithErrorEnvelope()
    {
        using var response = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/no-such-tunnel", Ct);
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.NotEqual(0, body.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task VerifyToken_KnownAndUnknown_ActiveOr401()
    {
        var known = await JsonAsync(await _http.GetAsync("user/tokens/verify", Ct));
        using var unknown = await Client(_fake, "nope").GetAsync($"accounts/{Account}/tokens/verify", Ct);

        Assert.Equal("active", known.GetProperty("result").GetProperty("status").GetString());
        Assert.DoesNotContain(Token, known.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(1000, (await JsonAsync(unknown)).GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task DerivedStatus_Flow_Inactive_Healthy_PendingDown_Healthy_RemovedDown_Overridden()
    {
        Assert.Equal("inactive", await StatusAsync());

        _fake.AddConnector(TunnelId, "c1");
        var healthy = await TunnelAsync();
        Assert.Equal("healthy", healthy.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, healthy.GetProperty("conns_active_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, healthy.GetProperty("conns_inactive_at").ValueKind);

        _fake.MarkConnectorPendingReconnect(TunnelId, "c1");
        var down = await TunnelAsync();
        Assert.Equal("down", down.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, down.GetProperty("conns_active_at").ValueKind);
        Assert.Equal(JsonValueKind.String, down.GetProperty("conns_inactive_at").ValueKind);
        Assert.Empty(_fake.GetTunnel(TunnelId)!.LiveConnectorIds);
        var conns = (await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}/connections", Ct)))
            .GetProperty("result")[0].GetProperty("conns").EnumerateArray();
        Assert.All(conns, c => Assert.True(c.GetProperty("is_pending_reconnect").GetBoolean()));

        _fake.AddConnector(TunnelId, "c1"); // reconnect
        Assert.Equal("healthy", await StatusAsync());

        Assert.True(_fake.RemoveConnector(TunnelId, "c1"));
        Assert.Equal("down", await StatusAsync());

        _fake.SetStatus(TunnelId, "degraded");
        Assert.Equal("degraded", await StatusAsync());
        _fake.SetStatus(TunnelId, null);
        Assert.Equal("down", await StatusAsync());
    }

    [Fact]
    public async Task SetStatus_ForTwoReads_AListAndAGetSeeItThenTheDerivedStatusAgain()
    {
        _fake.AddConnector(TunnelId, "c1");
        _fake.SetStatus(TunnelId, "down", reads: 2);

        Assert.Equal("down", await ListedStatusAsync());
        Assert.Equal("down", await StatusAsync());
        Assert.Equal("healthy", await ListedStatusAsync());
        Assert.Null(_fake.GetTunnel(TunnelId)!.StatusOverride);
    }

    private async Task<string?> ListedStatusAsync()
    {
        var list = await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel?uuid={TunnelId}", Ct));
        return list.GetProperty("result")[0].GetProperty("status").GetString();
    }

    [Fact]
    public async Task Fault_WithTimes_HitsOnlyThatManyRequests()
    {
        _fake.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 503, Times: 2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK], statuses);
        Assert.Equal(2, _fake.CountRequests(r => r.StatusCode == 503));
    }

    [Fact]
    public async Task Fault_TokenAndPathFilters_HitOnlyMatchingRequests()
    {
        _fake.AddTunnel("account-b", "tb", "b", "token-b");
        _fake.InjectFault(new FakeFault(FaultKind.TooManyRequests, RetryAfterSeconds: 7, PathContains: "/cfd_tunnel", Token: "token-b"));

        using var other = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        using var verify = await Client(_fake, "token-b").GetAsync("user/tokens/verify", Ct);
        using var limited = await Client(_fake, "token-b").GetAsync("accounts/account-b/cfd_tunnel/tb", Ct);

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
        Assert.False((await JsonAsync(limited)).GetProperty("success").GetBoolean());
    }

    [Theory]
    [InlineData(FaultKind.SuccessFalse)]
    [InlineData(FaultKind.WrongShape)]
    [InlineData(FaultKind.NotJson)]
    public async Task Fault_Malformed200_IsNotAUsableTunnel(FaultKind kind)
    {
        _fake.InjectFault(new FakeFault(kind));

        using var response = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        switch (kind)
        {
            case FaultKind.NotJson:
                Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
                break;
            case FaultKind.SuccessFalse:
                Assert.False(JsonDocument.Parse(text).RootElement.GetProperty("success").GetBoolean());
                break;
            default:
                Assert.Equal(JsonValueKind.String, JsonDocument.Parse(text).RootElement.GetProperty("result").ValueKind);
                break;
        }
    }

    [Fact]
    public async Task Fault_Hang_ClientTimeoutCancelsAndRequestIsLoggedWithoutStatus()
    {
        _fake.InjectFault(new FakeFault(FaultKind.Hang, Times: 1));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pending = _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", timeout.Token);
        var hung = await _fake.WaitForRequestAsync(ct: Ct);

        timeout.CancelAfter(TimeSpan.FromMilliseconds(100)); // the client's timeout, armed once the server holds the request

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(0, hung.StatusCode);
        using var next = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, _fake.CountRequests());
    }

    [Fact]
    public async Task Fault_Hang_ServerStopDropsTheConnection()
    {
        _fake.InjectFault(new FakeFault(FaultKind.Hang));
        var pending = _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);
        await _fake.WaitForRequestAsync(r => r.StatusCode == 0, Ct);

        await _fake.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
    }

    [Fact]
    public async Task ClearFaults_AfterUnlimitedFault_RequestsSucceedAgain()
    {
        _fake.InjectFault(new FakeFault(FaultKind.Status, StatusCode: 500));
        using var failed = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);

        _fake.ClearFaults();
        using var ok = await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Requests_RecordTokenPathQueryAndStatus_AndClear()
    {
        using var response = await _http.GetAsync($"accounts/{Account}/cfd_tunnel?per_page=5", Ct);

        var request = Assert.Single(_fake.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal($"/client/v4/accounts/{Account}/cfd_tunnel", request.Path);
        Assert.Equal("?per_page=5", request.Query);
        Assert.Equal(Token, request.Token);
        Assert.Equal(200, request.StatusCode);

        _fake.ClearRequests();
        Assert.Equal(0, _fake.CountRequests());
    }

    [Fact]
    public async Task AdminApi_AddsTunnelAndConnector_SharedWithInProcessState()
    {
        using var admin = new HttpClient { BaseAddress = new Uri(_fake.BaseUrl, "/_fake/") };

        using var added = await admin.PostAsync(
            "tunnels", new StringContent("""{"account_id":"acc-x","tunnel_id":"tx","name":"x","token":"tok-x"}"""), Ct);
        using var connector = await admin.PutAsync("tunnels/tx/connectors/cx?connections=2", null, Ct);
        using var fault = await admin.PostAsync("faults", new StringContent("""{"kind":"status","status_code":502,"times":1}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, connector.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, fault.StatusCode);
        var tunnel = _fake.GetTunnel("tx");
        Assert.NotNull(tunnel);
        Assert.Equal(["cx"], tunnel.LiveConnectorIds);
        Assert.Equal(2, tunnel.Connectors[0].Connections.Count);
        using var faulted = await Client(_fake, "tok-x").GetAsync("accounts/acc-x/cfd_tunnel/tx", Ct);
        Assert.Equal(HttpStatusCode.BadGateway, faulted.StatusCode);
        Assert.Equal(1, _fake.CountRequests());
        Assert.DoesNotContain(_fake.Requests, r => r.Path.StartsWith("/_fake", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"account_id":"a","tunnel_id":"t","name":"n","token":"k"}""", "inactive")]
    [InlineData("""{"account_id":"a","tunnel_id":"t","name":"n","token":"k","connectors":[]}""", "down")]
    [InlineData("""{"account_id":"a","tunnel_id":"t","name":"n","token":"k","connectors":["c"]}""", "healthy")]
    [InlineData("""{"account_id":"a","tunnel_id":"t","name":"n","token":"k","connectors":["c"],"status":"degraded"}""", "degraded")]
    public async Task AdminApi_PostTunnel_ConnectorsAndStatusDecideStatus(string json, string status)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(_fake.BaseUrl, "/_fake/") };

        using var response = await admin.PostAsync("tunnels", new StringContent(json), Ct);

        Assert.Equal(status, (await JsonAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Latency_Set_DelaysApiResponses()
    {
        _fake.Latency = TimeSpan.FromMinutes(1);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _http.GetAsync("user/tokens/verify", timeout.Token));
        using var admin = new HttpClient { BaseAddress = new Uri(_fake.BaseUrl, "/_fake/") };
        using var adminResponse = await admin.GetAsync("tunnels", Ct); // admin calls get no latency
        Assert.Equal(HttpStatusCode.OK, adminResponse.StatusCode);
    }

    [Fact]
    public async Task StartAsync_WithPemCertificate_ServesHttps()
    {
        var dir = Directory.CreateTempSubdirectory("fake-cf-tls-");
        try
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), Ct);
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), Ct);

            await using var fake = await FakeCloudflare.StartAsync(new FakeCloudflareOptions { CertificatePemPath = certPath, KeyPemPath = keyPath }, Ct);
            fake.AddTunnel(Account, TunnelId, "tls", Token);
            // Trust exactly this certificate (test only): the real code uses the system trust store.
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint,
            };
            using var http = new HttpClient(handler) { BaseAddress = fake.BaseUrl };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

            using var response = await http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct);

            Assert.Equal("https", fake.BaseUrl.Scheme);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private async Task<string?> StatusAsync() => (await TunnelAsync()).GetProperty("status").GetString();

    private async Task<JsonElement> TunnelAsync() =>
        (await JsonAsync(await _http.GetAsync($"accounts/{Account}/cfd_tunnel/{TunnelId}", Ct))).GetProperty("result");

    private static HttpClient Client(FakeCloudflare fake, string? token)
    {
        var http = new HttpClient { BaseAddress = fake.BaseUrl };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return document.RootElement.Clone();
    }

    private static string[] Ids(JsonElement envelope) =>
        [.. envelope.GetProperty("result").EnumerateArray().Select(t => t.GetProperty("id").GetString() ?? string.Empty)];
}
