using FailoverMonitor.Status;

namespace FailoverMonitor.Tests.Status;

public sealed class StatusSnapshotTests
{
    [Fact]
    public void Normalized_NullsWhereTextsAndListsBelong_EmptyValuesAndNullItemsDropped()
    {
        var damaged = new StatusSnapshot
        {
            Version = null!,
            ConfigPath = null!,
            GatewayIp = null!,
            Tunnels = [null!, new TunnelStatusEntry { Name = null!, TunnelId = null!, Service = null!, LiveConnectors = [null!, "c1"], Status = "down" }],
            Tokens = [null!, new TokenStatusEntry { Tunnels = null! }, new TokenStatusEntry { Tunnels = ["web", null!] }],
        };

        var clean = damaged.Normalized();

        Assert.Equal("", clean.Version);
        Assert.Equal("", clean.ConfigPath);
        Assert.Equal("", clean.GatewayIp);
        var tunnel = Assert.Single(clean.Tunnels);
        Assert.Equal(("", "", ""), (tunnel.Name, tunnel.TunnelId, tunnel.Service));
        Assert.Equal(["c1"], tunnel.LiveConnectors!);
        Assert.Equal("down", tunnel.Status);
        Assert.Equal(2, clean.Tokens.Count);
        Assert.Empty(clean.Tokens[0].Tunnels);
        Assert.Equal(["web"], clean.Tokens[1].Tunnels);
    }

    [Fact]
    public void Normalized_NullLists_EmptyListsButConnectorsNotFetchedStayNull()
    {
        var clean = new StatusSnapshot { Tunnels = null!, Tokens = null! }.Normalized();
        var tunnel = Assert.Single(new StatusSnapshot { Tunnels = [new TunnelStatusEntry { LiveConnectors = null }] }.Normalized().Tunnels);

        Assert.Empty(clean.Tunnels);
        Assert.Empty(clean.Tokens);
        Assert.Null(tunnel.LiveConnectors); // null means "not fetched", which the table shows apart from "none"
    }

    [Fact]
    public void Normalized_CleanSnapshot_SameValues()
    {
        var snapshot = new StatusSnapshot
        {
            Pid = 7,
            Version = "1.0.0",
            ConfigPath = "/c",
            GatewayIp = "192.0.2.1",
            Tunnels = [new TunnelStatusEntry { Name = "web", TunnelId = "t", Service = "s", LiveConnectors = ["a", "b"] }],
            Tokens = [new TokenStatusEntry { Tunnels = ["web"], RequestsSent = 3 }],
        };

        Assert.Equal(StatusReport.ToJson(snapshot), StatusReport.ToJson(snapshot.Normalized()));
    }
}
