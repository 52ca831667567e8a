using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;

namespace FailoverMonitor.Tests.Gateway;

public sealed class IcmpGatewayProbeTests
{
    [Fact]
    public async Task ProbeAsync_Loopback_IsReachable()
    {
        // Only loopback is ever probed from tests; unreachable gateways are covered in the systemd sandbox. Loopback
        // answers at once: the long timeout only keeps a loaded machine from failing the test.
        var probe = new IcmpGatewayProbe(new GatewaySettings { Address = System.Net.IPAddress.Loopback, Timeout = TimeSpan.FromSeconds(10) });

        var result = await probe.ProbeAsync(TestContext.Current.CancellationToken);

        Assert.True(result.Reachable, result.Problem);
        Assert.False(result.IsProbeError);
    }
}
