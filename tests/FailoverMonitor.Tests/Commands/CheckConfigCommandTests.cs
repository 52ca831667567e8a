using FailoverMonitor.Commands;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Commands;

public sealed partial class CheckConfigCommandTests : IDisposable
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("alerts null", "$.alerts:")]
    [InlineData("line break in token", "$.tunnels[0].token:")]
    [InlineData("empty path", "$: no configuration file named")]
    public async Task RunAsync_HostileConfig_Exit78NamingTheFieldWithAndWithoutVerify(string kind, string field)
    {
        var alerts = kind == "alerts null" ? "\"alerts\": null," : "";
        var token = kind == "line break in token" ? "x\\r\\ny-secret" : "Zx9-secret-token-value-0001";
        var path = kind == "empty path" ? "" : _dir.Write("tunnels.json", $$"""
            { {{alerts}} "gateway_ip": "192.168.1.1",
              "tunnels": [ { "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{token}}", "service": "b" } ] }
            """);

        foreach (var verify in new[] { false, true })
        {
            using var output = new StringWriter();

            var exit = await CheckConfigCommand.RunAsync(path, verify, output, TestContext.Current.CancellationToken);

            Assert.Equal(ExitCodes.Configuration, exit);
            Assert.Contains(field, output.ToString());
            Assert.DoesNotContain("y-secret", output.ToString());
            Assert.DoesNotContain("   at ", output.ToString());
        }
    }
}
