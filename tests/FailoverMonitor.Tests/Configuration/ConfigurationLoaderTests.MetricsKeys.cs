using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Configuration;

// metrics_listen and otlp_endpoint: parsed, validated, warned about, off by default.
public sealed partial class ConfigurationLoaderTests
{
    private const string Tunnel = """{ "account_id": "0123456789abcdef0123456789abcdef", "tunnel_id": "11111111-2222-3333-4444-555555555555", "token": "t", "service": "cloudflared-backup" }""";

    [Fact]
    public void Load_NeitherKey_BothOff()
    {
        var loaded = Load("");

        Assert.Null(loaded.Settings.Telemetry.MetricsListen);
        Assert.Null(loaded.Settings.Telemetry.OtlpEndpoint);
    }

    [Fact]
    public void Load_LoopbackListenAndOtlp_AcceptedWithoutWarning()
    {
        var loaded = Load("""
            "metrics_listen": "127.0.0.1:9464", "otlp_endpoint": "http://127.0.0.1:4318",
            """);

        Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9464), loaded.Settings.Telemetry.MetricsListen);
        Assert.Equal(new Uri("http://127.0.0.1:4318"), loaded.Settings.Telemetry.OtlpEndpoint);
        Assert.DoesNotContain(loaded.Warnings, w => w.Contains("metrics_listen", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ListenOnEveryInterface_AcceptedWithAWarning()
    {
        var loaded = Load("""
            "metrics_listen": "0.0.0.0:9464",
            """);

        Assert.Contains(loaded.Warnings, w => w.StartsWith("metrics_listen 0.0.0.0:9464 serves /metrics without authentication", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"metrics_listen\": \"9464\",", "$.metrics_listen: \"9464\" is not address:port")]
    [InlineData("\"metrics_listen\": \"127.0.0.1:0\",", "$.metrics_listen: \"127.0.0.1:0\" is not address:port")]
    [InlineData("\"metrics_listen\": \"prometheus.lan:9464\",", "$.metrics_listen: \"prometheus.lan:9464\" is not address:port")]
    [InlineData("\"otlp_endpoint\": \"127.0.0.1:4318\",", "$.otlp_endpoint: must be an absolute http or https URL")]
    [InlineData("\"otlp_endpoint\": \"ftp://127.0.0.1/\",", "$.otlp_endpoint: must be an absolute http or https URL")]
    public void Load_BadValue_RefusedNamingTheKey(string keys, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => Load(keys));

        Assert.Contains(e.Problems, p => p.StartsWith(problem, StringComparison.Ordinal));
    }

    private static LoadedConfiguration Load(string keys)
    {
        using var dir = new TempDirectory();
        var path = dir.Write("tunnels.json", $$"""{ "gateway_ip": "192.0.2.1", {{keys}} "tunnels": [ {{Tunnel}} ] }""");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return ConfigurationLoader.Load(path);
    }
}
