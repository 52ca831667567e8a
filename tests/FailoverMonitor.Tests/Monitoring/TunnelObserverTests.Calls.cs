using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Tests.Monitoring;

// Which calls the observer makes (one list call per account and token, connectors only where needed) and what it
// makes of the connectors call and of the local cloudflared's /ready.
public sealed partial class TunnelObserverTests
{
    private const string Second = "00000000-0000-0000-0000-000000000006";

    [Fact]
    public async Task ObserveAsync_TunnelsSharingAccountAndToken_OneListCallForAll()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel", $$$"""
            {"success":true,"errors":[],"result":[{"id":"{{{Good}}}","status":"healthy"},{"id":"{{{Second}}}","status":"down"}],
             "result_info":{"page":1,"per_page":100,"count":2,"total_count":2}}
            """);
        var tunnels = new[] { Tunnel(AccountA, Good), Tunnel(AccountA, Second) };

        var observed = await Observer().ObserveAsync(tunnels, Tokens, _ => false, Ct);

        Assert.Equal(TunnelStatus.Healthy, observed[tunnels[0]].Status);
        Assert.Equal(TunnelStatus.Down, observed[tunnels[1]].Status);
        Assert.Equal([$"/client/v4/accounts/{AccountA}/cfd_tunnel"], _requested);
    }

    [Fact]
    public async Task ObserveAsync_SameAccountTwoTokens_OneSingleTunnelCallPerToken()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"healthy"}}""");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Second}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Second}}}","status":"inactive"}}""");
        var tunnels = new[] { Tunnel(AccountA, Good), Tunnel(AccountA, Second, "other-token") };

        var observed = await Observer().ObserveAsync(tunnels, Tokens, _ => false, Ct);

        Assert.Equal(TunnelStatus.Healthy, observed[tunnels[0]].Status);
        Assert.Equal(TunnelStatus.Inactive, observed[tunnels[1]].Status);
        Assert.Equal(
            [$"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $"/client/v4/accounts/{AccountA}/cfd_tunnel/{Second}"],
            _requested.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ObserveAsync_TunnelNotInAFullyReadableList_NotFoundConfigurationProblem()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel", $$$"""
            {"success":true,"errors":[],"result":[{"id":"{{{Good}}}","status":"healthy"}],"result_info":{"page":1,"per_page":100,"count":1,"total_count":1}}
            """);
        var tunnels = new[] { Tunnel(AccountA, Good), Tunnel(AccountA, Missing) };

        var observed = await Observer().ObserveAsync(tunnels, Tokens, _ => false, Ct);

        var missing = Unknown(observed[tunnels[1]]);
        Assert.Equal(ApiFailureKind.NotFound, missing.Kind);
        Assert.True(missing.IsConfigurationProblem);
        Assert.Equal(TunnelStatus.Healthy, observed[tunnels[0]].Status);
    }

    [Fact]
    public async Task ObserveAsync_ConnectorsOnlyWhereNeededAndKnown_NoCallForTheOthers()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"healthy"}}""");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}/connections", """{"success":true,"errors":[],"result":[{"id":"primary","conns":[{"id":"c1","is_pending_reconnect":false}]}]}""");
        Answer($"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}", """{"success":false,"errors":[{"code":10000,"message":"server error"}]}""", 400);
        var needed = Tunnel(AccountA, Good);
        var unknown = Tunnel(AccountB, Lone, "other-token");
        var notNeeded = Tunnel(AccountA, Second, "third-token");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Second}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Second}}}","status":"down"}}""");

        var observed = await Observer().ObserveAsync([needed, unknown, notNeeded], Tokens, t => t != notNeeded, Ct);

        Assert.Equal(["primary"], observed[needed].Connectors!.Select(c => c.Id));
        Assert.True(observed[needed].Connectors![0].IsLive);
        Assert.True(observed[unknown].IsUnknown);
        Assert.Null(observed[unknown].Connectors); // an Unknown tunnel decides nothing, so its connectors are not read
        Assert.Null(observed[notNeeded].Connectors);
        Assert.Equal([$"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}/connections"], _requested.Where(p => p.EndsWith("/connections", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ObserveAsync_ConnectorsCallFails_StatusKeptAndConnectorsFailureNamingTheTokenSource()
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"healthy"}}""");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}/connections", """{"success":false,"errors":[{"code":10000,"message":"Authentication error"}]}""", 403);
        var tunnel = Tunnel(AccountA, Good);

        var observed = await Observer().ObserveAsync([tunnel], Tokens, _ => true, Ct);

        Assert.Equal(TunnelStatus.Healthy, observed[tunnel].Status);
        Assert.Null(observed[tunnel].Connectors);
        var failure = observed[tunnel].ConnectorsFailure!;
        Assert.Equal(ApiFailureKind.Unauthorized, failure.Kind);
        Assert.Contains("(token: inline token of tunnel", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, """{"status":200,"readyConnections":4,"connectorId":"local-connector-id"}""", "local-connector-id")]
    [InlineData(503, """{"status":503,"readyConnections":0,"connectorId":"local-connector-id"}""", "local-connector-id")]
    [InlineData(200, "not json", null)]
    public async Task ObserveAsync_BackupMetricsSet_LocalConnectorIdFromItsReadyEndpoint(int status, string ready, string? expected)
    {
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}", $$$"""{"success":true,"errors":[],"result":{"id":"{{{Good}}}","status":"healthy"}}""");
        Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel/{Good}/connections", """{"success":true,"errors":[],"result":[{"id":"local-connector-id","conns":[{"id":"c1","is_pending_reconnect":false}]}]}""");
        Answer("/ready", ready, status);
        var tunnel = Tunnel(AccountA, Good) with { BackupMetrics = _server.Address };

        var observed = await Observer().ObserveAsync([tunnel], Tokens, _ => true, Ct);

        Assert.Equal(expected, observed[tunnel].LocalConnectorId);
        Assert.Contains("/ready", _requested);
    }
}
