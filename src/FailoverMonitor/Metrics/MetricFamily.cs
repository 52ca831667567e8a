namespace FailoverMonitor.Metrics;

/// <summary>How a metric's values behave, in the terms both Prometheus and OpenTelemetry use.</summary>
public enum MetricKind
{
    /// <summary>A value that only grows (a total since start).</summary>
    Counter,

    /// <summary>A value that goes up and down (a current reading).</summary>
    Gauge,

    /// <summary>Observations counted into buckets, with their sum and count.</summary>
    Histogram,
}

/// <summary>
/// One instrument's current values, independent of any exposition format.
/// </summary>
/// <param name="Name">The instrument's name (e.g. <c>failover_monitor.cycle.duration</c>).</param>
/// <param name="Unit">UCUM unit (<c>s</c>) or an annotation in braces (<c>{failover}</c>); may be empty.</param>
/// <param name="Description">One line of help.</param>
/// <param name="Kind">How the values behave.</param>
/// <param name="Series">One entry per distinct label set, in a stable order.</param>
public sealed record MetricFamily(string Name, string Unit, string Description, MetricKind Kind, IReadOnlyList<MetricSeries> Series);

/// <summary>One label set's value (counters, gauges) or distribution (histograms).</summary>
/// <param name="Labels">Label names and values, in the order the instrument reports them.</param>
/// <param name="Value">The value of a counter or gauge; the sum of a histogram.</param>
/// <param name="Histogram">Bucket counts of a histogram, else null.</param>
public sealed record MetricSeries(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, HistogramData? Histogram = null);

/// <summary>A histogram's buckets.</summary>
/// <param name="Bounds">Upper bounds, ascending, without +Inf.</param>
/// <param name="Counts">Observations per bucket (not cumulative): one more entry than <paramref name="Bounds"/>, the last for values above every bound.</param>
/// <param name="Count">Observations in all.</param>
public sealed record HistogramData(IReadOnlyList<double> Bounds, IReadOnlyList<long> Counts, long Count);
