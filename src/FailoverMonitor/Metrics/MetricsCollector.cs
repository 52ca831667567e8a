using System.Diagnostics.Metrics;
using System.Globalization;

namespace FailoverMonitor.Metrics;

/// <summary>
/// Aggregates what one <see cref="Meter"/>'s instruments report, through a <see cref="MeterListener"/>: counters are
/// summed, histograms bucketed, and observable instruments read at each <see cref="Collect"/>. Only the given meter
/// instance is listened to, so two monitors in one process (tests run in parallel) never mix.
/// </summary>
public sealed class MetricsCollector : IDisposable
{
    /// <summary>Bucket bounds of a histogram that gives no advice: Prometheus' defaults (seconds).</summary>
    public static readonly IReadOnlyList<double> DefaultBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly MeterListener _listener = new();
    private readonly object _lock = new();
    private readonly List<Aggregate> _aggregates = [];

    /// <summary>Starts listening to the instruments of <paramref name="meter"/>, those created later included.</summary>
    public MetricsCollector(Meter meter)
    {
        _meter = meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, _meter) || Aggregate.Create(instrument) is not { } aggregate)
            {
                return;
            }

            lock (_lock)
            {
                _aggregates.Add(aggregate);
            }

            listener.EnableMeasurementEvents(instrument, aggregate);
        };
        _listener.MeasurementsCompleted = (_, state) =>
        {
            lock (_lock)
            {
                _aggregates.Remove((Aggregate)state!);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => Record(state, value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => Record(state, value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and returns every instrument's values, sorted by name.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        lock (_lock)
        {
            // An observable's series are what its callback reports now: a tunnel removed by a reload disappears.
            foreach (var aggregate in _aggregates.Where(a => a.Instrument.IsObservable))
            {
                aggregate.Series.Clear();
            }

            _listener.RecordObservableInstruments();
            return _aggregates.Select(a => a.ToFamily()).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var aggregate = (Aggregate)state!;
        lock (_lock)
        {
            aggregate.Record(value, tags);
        }
    }

    private sealed class Aggregate(Instrument instrument, MetricKind kind, bool sums, IReadOnlyList<double>? bounds)
    {
        public Instrument Instrument { get; } = instrument;

        public Dictionary<string, SeriesData> Series { get; } = new(StringComparer.Ordinal);

        public static Aggregate? Create(Instrument instrument)
        {
            var type = instrument.GetType();
            var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
            if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
            {
                return new Aggregate(instrument, MetricKind.Counter, sums: !instrument.IsObservable, null);
            }

            if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
                || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
            {
                return new Aggregate(instrument, MetricKind.Gauge, sums: definition == typeof(UpDownCounter<>), null);
            }

            if (definition == typeof(Histogram<>))
            {
                var advice = instrument switch
                {
                    Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
                    Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                    Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                    _ => null,
                };
                return new Aggregate(instrument, MetricKind.Histogram, sums: true, advice ?? DefaultBounds);
            }

            return null;
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new KeyValuePair<string, string>[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                labels[i] = new(tags[i].Key, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
            }

            var key = string.Join('\u0001', labels.Select(l => l.Key + '\u0002' + l.Value));
            if (!Series.TryGetValue(key, out var series))
            {
                series = new SeriesData(labels, bounds is null ? null : new long[bounds.Count + 1]);
                Series[key] = series;
            }

            series.Value = sums ? series.Value + value : value;
            if (series.Buckets is { } buckets)
            {
                // Prometheus buckets are "less than or equal": a value on a bound counts in that bound's bucket.
                var index = 0;
                while (index < bounds!.Count && value > bounds[index])
                {
                    index++;
                }

                buckets[index]++;
                series.Count++;
            }
        }

        public MetricFamily ToFamily() => new(
            Instrument.Name,
            Instrument.Unit ?? "",
            Instrument.Description ?? "",
            kind,
            Series.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new MetricSeries(s.Value.Labels, s.Value.Value,
                    s.Value.Buckets is { } buckets ? new HistogramData(bounds!, [.. buckets], s.Value.Count) : null))
                .ToList());
    }

    private sealed class SeriesData(IReadOnlyList<KeyValuePair<string, string>> labels, long[]? buckets)
    {
        public IReadOnlyList<KeyValuePair<string, string>> Labels { get; } = labels;

        public long[]? Buckets { get; } = buckets;

        public double Value { get; set; }

        public long Count { get; set; }
    }
}
