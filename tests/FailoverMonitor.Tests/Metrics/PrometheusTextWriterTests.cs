using FailoverMonitor.Metrics;

namespace FailoverMonitor.Tests.Metrics;

public sealed class PrometheusTextWriterTests
{
    private static KeyValuePair<string, string> L(string name, string value) => new(name, value);

    [Fact]
    public void Write_CounterGaugeHistogram_ExactExpositionText()
    {
        var families = new[]
        {
            new MetricFamily("failover_monitor.tunnel.failovers", "{action}", "Failovers since start.", MetricKind.Counter,
            [
                new MetricSeries([L("tunnel", "db"), L("result", "ok")], 1),
                new MetricSeries([L("tunnel", "web"), L("result", "ok")], 2),
            ]),
            new MetricFamily("failover_monitor.gateway.reachable", "{gateway}", "Whether the gateway answered.", MetricKind.Gauge,
            [
                new MetricSeries([], 1),
            ]),
            new MetricFamily("failover_monitor.cycle.duration", "s", "Duration of check cycles.", MetricKind.Histogram,
            [
                new MetricSeries([], 0.75, new HistogramData([0.1, 0.5, 1], [1, 0, 2, 1], 4)),
            ]),
        };

        var text = PrometheusTextWriter.Write(families);

        Assert.Equal(
            """
            # HELP failover_monitor_tunnel_failovers_total Failovers since start.
            # TYPE failover_monitor_tunnel_failovers_total counter
            failover_monitor_tunnel_failovers_total{tunnel="db",result="ok"} 1
            failover_monitor_tunnel_failovers_total{tunnel="web",result="ok"} 2
            # HELP failover_monitor_gateway_reachable Whether the gateway answered.
            # TYPE failover_monitor_gateway_reachable gauge
            failover_monitor_gateway_reachable 1
            # HELP failover_monitor_cycle_duration_seconds Duration of check cycles.
            # TYPE failover_monitor_cycle_duration_seconds histogram
            failover_monitor_cycle_duration_seconds_bucket{le="0.1"} 1
            failover_monitor_cycle_duration_seconds_bucket{le="0.5"} 1
            failover_monitor_cycle_duration_seconds_bucket{le="1"} 3
            failover_monitor_cycle_duration_seconds_bucket{le="+Inf"} 4
            failover_monitor_cycle_duration_seconds_sum 0.75
            failover_monitor_cycle_duration_seconds_count 4

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Write_LabelValueWithBackslashQuoteAndNewline_Escaped()
    {
        var family = new MetricFamily("g", "", "Help with a \\ and a\nline feed.", MetricKind.Gauge,
            [new MetricSeries([L("tunnel", "edge \"eu\"\\west\nline2")], 1)]);

        var text = PrometheusTextWriter.Write([family]);

        Assert.Equal(
            "# HELP g Help with a \\\\ and a\\nline feed.\n"
            + "# TYPE g gauge\n"
            + "g{tunnel=\"edge \\\"eu\\\"\\\\west\\nline2\"} 1\n",
            text);
    }

    [Fact]
    public void Write_HistogramWithLabels_LeLastAndBucketsCumulative()
    {
        var family = new MetricFamily("api.call.duration", "s", "d", MetricKind.Histogram,
            [new MetricSeries([L("token", "web")], 3.5, new HistogramData([0.25, 2.5], [2, 3, 1], 6))]);

        var lines = PrometheusTextWriter.Write([family]).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
        [
            "# HELP api_call_duration_seconds d",
            "# TYPE api_call_duration_seconds histogram",
            "api_call_duration_seconds_bucket{token=\"web\",le=\"0.25\"} 2",
            "api_call_duration_seconds_bucket{token=\"web\",le=\"2.5\"} 5",
            "api_call_duration_seconds_bucket{token=\"web\",le=\"+Inf\"} 6",
            "api_call_duration_seconds_sum{token=\"web\"} 3.5",
            "api_call_duration_seconds_count{token=\"web\"} 6",
        ], lines);
    }

    [Theory]
    [InlineData("a.b-c", "", MetricKind.Gauge, "a_b_c")]
    [InlineData("x.duration", "s", MetricKind.Histogram, "x_duration_seconds")]
    [InlineData("x_seconds", "s", MetricKind.Gauge, "x_seconds")]
    [InlineData("x.requests", "{request}", MetricKind.Counter, "x_requests_total")]
    [InlineData("x_total", "", MetricKind.Counter, "x_total")]
    [InlineData("9lives", "", MetricKind.Gauge, "_9lives")]
    public void MetricName_OpenTelemetryConvention(string name, string unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.MetricName(new MetricFamily(name, unit, "", kind, [])));

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.005, "0.005")]
    [InlineData(1200.0, "1200")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void FormatNumber_GoParsableForms(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FormatNumber(value));

    [Fact]
    public void Write_FamilyWithoutSeries_HelpAndTypeOnly() =>
        Assert.Equal("# HELP r_total h\n# TYPE r_total counter\n",
            PrometheusTextWriter.Write([new MetricFamily("r", "", "h", MetricKind.Counter, [])]));
}
