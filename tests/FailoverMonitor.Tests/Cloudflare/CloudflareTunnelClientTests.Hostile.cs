using System.Net;
using System.Text;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.AspNetCore.Http;

namespace FailoverMonitor.Tests.Cloudflare;

// Answers a real Cloudflare never gives, played by WireMock.Net stubs or, where the body must stream or stall, by a
// bare loopback server: each must end as a status or a
// CloudflareApiException, never another exception, a huge allocation or an answer from another host.
public sealed partial class CloudflareTunnelClientTests
{
    private const string MalformedAuthorizationBody =
        """{"success":false,"errors":[{"code":6003,"message":"Invalid request headers","error_chain":[{"code":6111,"message":"Invalid format for Authorization header"}]}],"messages":[],"result":null}""";

    [Fact]
    public async Task GetTunnelAsync_BadRequest6003With6111_UnauthorizedConfigurationProblemNamingTheHeader()
    {
        Stub().RespondWith(Json(400, MalformedAuthorizationBody));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.Unauthorized);

        Assert.True(e.IsConfigurationProblem);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
        Assert.Contains("code 6111", e.Message, StringComparison.Ordinal);
        Assert.Contains("Authorization header", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cf token")]
    [InlineData("cf-token…")]
    [InlineData("cf-\u007ftoken")]
    public async Task GetTunnelAsync_TokenWithCharacterNoHeaderCarries_UnauthorizedWithoutRequest(string secret)
    {
        var e = await FailAsync(_client.GetTunnelAsync(Account, TunnelId, new ApiToken(secret), Ct), ApiFailureKind.Unauthorized);

        Assert.True(e.IsConfigurationProblem);
        Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, _api.CountRequests());
    }

    [Fact]
    public async Task GetTunnelAsync_HundredMegabyteBody_MalformedBodyReadNoFurtherThanTheCap()
    {
        await using var server = await LoopbackServer.StartAsync(
            async ctx =>
            {
                ctx.Response.ContentType = "application/json";
                var chunk = Encoding.UTF8.GetBytes(new string(' ', 64 * 1024));
                try
                {
                    await ctx.Response.WriteAsync("{\"success\":true,\"errors\":[],\"result\":{\"id\":\"x\",\"name\":\"", ctx.RequestAborted);
                    for (var i = 0; i < 1600 && !ctx.RequestAborted.IsCancellationRequested; i++) // 100 MiB
                    {
                        await ctx.Response.Body.WriteAsync(chunk, ctx.RequestAborted);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // the client hung up, as it should
                }
            },
            Ct);
        var counting = new CountingHandler(new SocketsHttpHandler());
        using var http = new HttpClient(counting) { BaseAddress = new Uri($"http://{server.Address}/client/v4/") };

        var e = await FailAsync(CreateClient(http).GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Contains("4 MiB", e.Message, StringComparison.Ordinal);
        Assert.InRange(counting.BytesRead, CloudflareTunnelClient.MaxBodyBytes, CloudflareTunnelClient.MaxBodyBytes + (1024 * 1024));
    }

    [Fact]
    public async Task GetTunnelAsync_DeclaredLengthOverCap_MalformedBodyOneRequest()
    {
        var requests = 0;
        await using var server = await LoopbackServer.StartAsync(
            async ctx =>
            {
                Interlocked.Increment(ref requests);
                ctx.Response.ContentType = "application/json";
                ctx.Response.ContentLength = CloudflareTunnelClient.MaxBodyBytes + 1;
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await LoopbackServer.HangAsync(ctx);
            },
            Ct);

        var e = await FailAsync(ClientFor(server).GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.MalformedBody);

        Assert.Contains("4 MiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, requests);
    }

    [Fact]
    public async Task GetTunnelAsync_RedirectToAnotherHost_HttpErrorAndTheOtherHostsAnswerUnused()
    {
        var elsewhere = 0;
        await using var other = await LoopbackServer.StartAsync(
            async ctx =>
            {
                Interlocked.Increment(ref elsewhere);
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync($$$"""{"success":true,"errors":[],"result":{"id":"{{{TunnelId}}}","status":"healthy"}}""", ctx.RequestAborted);
            },
            Ct);
        await using var server = await LoopbackServer.StartAsync(
            ctx =>
            {
                ctx.Response.StatusCode = 302;
                ctx.Response.Headers.Location = $"http://localhost:{other.Port}{ctx.Request.Path}";
                return Task.CompletedTask;
            },
            Ct);

        // A plain HttpClient follows redirects: the client itself must refuse the answer.
        var followed = await FailAsync(ClientFor(server).GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.HttpError);
        using var http = new HttpClient(CloudflareTunnelClient.CreateHandler()) { BaseAddress = new Uri($"http://{server.Address}/client/v4/") };
        var refused = await FailAsync(CreateClient(http).GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.HttpError);

        Assert.Contains("redirect", followed.Message, StringComparison.Ordinal);
        Assert.Contains($"localhost:{other.Port}", followed.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Contains("redirect", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, elsewhere); // only the plain client's request; the real handler never went there
    }

    [Fact]
    public void CreateHandler_Always_FollowsNoRedirect() => Assert.False(CloudflareTunnelClient.CreateHandler().AllowAutoRedirect);

    [Fact]
    public async Task GetTunnelAsync_ErrorMessageWithEscapesAndNewlines_SanitisedAndCapped()
    {
        var hostile = "Forbidden\n2026-01-01 00:00:00 [CRITICAL] forged\u001b]0;title\u0007" + new string('x', 10_000);
        Stub().RespondWith(Json(403, $$$"""{"success":false,"errors":[{"code":10000,"message":{{{System.Text.Json.JsonSerializer.Serialize(hostile)}}}}]}"""));

        var e = await FailAsync(_stubClient.GetTunnelAsync(Account, TunnelId, _token, Ct), ApiFailureKind.Unauthorized);

        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.Contains("\\n2026-01-01", e.Message, StringComparison.Ordinal);
        Assert.InRange(e.Message.Length, 1, 600);
    }

    [Fact]
    public async Task ListTunnelsAsync_NullWrongTypesAndHostileStrings_EachBadItemMarkedRestUsed()
    {
        const string good = "00000000-0000-0000-0000-000000000001";
        const string wrongTypes = "00000000-0000-0000-0000-000000000002";
        Stub().RespondWith(Json(200, $$$"""
            {"success":true,"errors":[],"result":[
              null,
              {"id":"{{{good}}}","name":"web\n[CRITICAL] x","status":"healthy","conns_active_at":null,"extra":{"deep":[1,2,3]}},
              {"id":"{{{wrongTypes}}}","name":5,"status":["down"]},
              42,
              {"id":7}
            ],"result_info":{"page":1,"per_page":100,"count":5,"total_count":5}}
            """));

        var tunnels = await CompleteAsync(_stubClient.ListTunnelsAsync(Account, _token, Ct));

        Assert.Equal(5, tunnels.Count);
        var readable = Assert.Single(tunnels, t => t.Problem is null);
        Assert.Equal(good, readable.Id);
        Assert.Equal("healthy", readable.Status);
        Assert.Equal("web\\n[CRITICAL] x", readable.Name);
        Assert.Equal(wrongTypes, Assert.Single(tunnels, t => t.Problem is not null && t.Id is not null).Id);
        Assert.All(tunnels.Where(t => t.Problem is not null), t => Assert.Null(t.Status));
    }

    [Fact]
    public async Task GetConnectorsAsync_NullAndUnreadableItems_LeftOutRestUsed()
    {
        Stub().RespondWith(Json(200, """
            {"success":true,"errors":[],"result":[
              null,
              {"id":"live-a","conns":[null,{"id":"c1","client_id":"live-a","colo_name":"icn\u001b[2J01","is_pending_reconnect":false}]},
              {"id":"bad","conns":"many"},
              {"conns":[{"id":"c2","is_pending_reconnect":false}]},
              "text"
            ]}
            """));

        var connectors = await CompleteAsync(_stubClient.GetConnectorsAsync(Account, TunnelId, _token, Ct));

        var live = Assert.Single(connectors);
        Assert.Equal("live-a", live.Id);
        var conn = Assert.Single(live.Conns!);
        Assert.Equal("icn\\x1B[2J01", conn.ColoName);
    }

    private CloudflareTunnelClient ClientFor(LoopbackServer server)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://{server.Address}/client/v4/") };
        _extraClients.Add(http);
        return CreateClient(http);
    }

    /// <summary>Counts the body bytes the client really reads off the connection.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private long _bytesRead;

        public long BytesRead => Interlocked.Read(ref _bytesRead);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var counted = new StreamContent(new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken), n => Interlocked.Add(ref _bytesRead, n)));
            foreach (var header in response.Content.Headers)
            {
                counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = counted;
            return response;
        }
    }

    private sealed class CountingStream(Stream inner, Action<int> onRead) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush() => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(int read)
        {
            onRead(read);
            return read;
        }
    }
}
