using System.Diagnostics.Metrics;
using FailoverMonitor.Metrics;

namespace FailoverMonitor.Tests.Metrics;

public sealed class MetricsCollectorTests : IDisposable
{
    private readonly Meter _meter = new("FailoverMonitor.Tests." + Guid.NewGuid().ToString("N"));
    private readonly MetricsCollector _collector;

    public MetricsCollectorTests() => _collector = new MetricsCollector(_meter);

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void Counter_AddsPerLabelSet()
    {
        var counter = _meter.CreateCounter<long>("c");
        counter.Add(1, new KeyValuePair<string, object?>("tunnel", "web"));
        counter.Add(2, new KeyValuePair<string, object?>("tunnel", "web"));
        counter.Add(5, new KeyValuePair<string, object?>("tunnel", "db"));

        var family = Assert.Single(_collector.Collect());

        Assert.Equal(MetricKind.Counter, family.Kind);
        Assert.Equal([("db", 5.0), ("web", 3.0)], family.Series.Select(s => (s.Labels.Single().Value, s.Value)));
    }

    [Fact]
    public void ObservableGauge_ReadAtEachCollect_SeriesThatVanishAreGone()
    {
        var tunnels = new List<string> { "web", "db" };
        _meter.CreateObservableGauge("g", () => tunnels.Select(t => new Measurement<int>(t.Length, new KeyValuePair<string, object?>("tunnel", t))));

        Assert.Equal(2, _collector.Collect().Single().Series.Count);
        tunnels.Remove("db");

        var series = Assert.Single(_collector.Collect().Single().Series);
        Assert.Equal("web", series.Labels.Single().Value);
        Assert.Equal(3, series.Value);
    }

    [Fact]
    public void ObservableCounter_ReportsTheCumulativeValueAsGiven()
    {
        var sent = 7L;
        _meter.CreateObservableCounter("sent", () => sent);
        Assert.Equal(7, _collector.Collect().Single().Series.Single().Value);

        sent = 9;

        var family = _collector.Collect().Single();
        Assert.Equal(MetricKind.Counter, family.Kind);
        Assert.Equal(9, family.Series.Single().Value);
    }

    [Fact]
    public void Histogram_ValueOnABoundCountsInThatBucket_AboveAllInOverflow()
    {
        var histogram = _meter.CreateHistogram("h", "s", "d", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        foreach (var value in new[] { 0.05, 0.1, 0.5, 1, 3 })
        {
            histogram.Record(value);
        }

        var data = _collector.Collect().Single().Series.Single();

        Assert.Equal([0.1, 1.0], data.Histogram!.Bounds);
        Assert.Equal([2L, 2L, 1L], data.Histogram.Counts);
        Assert.Equal(5, data.Histogram.Count);
        Assert.Equal(4.65, data.Value, 10);
    }

    [Fact]
    public void Histogram_WithoutAdvice_PrometheusDefaultBuckets()
    {
        _meter.CreateHistogram<double>("h").Record(0.2);

        Assert.Equal(MetricsCollector.DefaultBounds, _collector.Collect().Single().Series.Single().Histogram!.Bounds);
    }

    [Fact]
    public void Collect_AnotherMeterWithTheSameName_NotMixedIn()
    {
        using var other = new Meter(_meter.Name);
        other.CreateCounter<long>("c").Add(100);
        _meter.CreateCounter<long>("c").Add(1);

        Assert.Equal(1, _collector.Collect().Single().Series.Single().Value);
    }

    [Fact]
    public void Collect_FamiliesSortedByName_WithUnitAndDescription()
    {
        _meter.CreateCounter<long>("b", "{x}", "bee");
        _meter.CreateCounter<long>("a", "s", "ay");

        var families = _collector.Collect();

        Assert.Equal([("a", "s", "ay"), ("b", "{x}", "bee")], families.Select(f => (f.Name, f.Unit, f.Description)));
    }

    [Fact]
    public void Collect_InstrumentsOfADisposedMeter_Dropped()
    {
        var meter = new Meter("FailoverMonitor.Tests.Disposed");
        using var collector = new MetricsCollector(meter);
        meter.CreateCounter<long>("c").Add(1);
        Assert.Single(collector.Collect());

        meter.Dispose();

        Assert.Empty(collector.Collect());
    }
}
