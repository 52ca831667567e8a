using System.Globalization;
using System.Text;

namespace FailoverMonitor.Metrics;

/// <summary>
/// Writes <see cref="MetricFamily"/> values in the Prometheus text exposition format 0.0.4 (Prometheus docs,
/// "Exposition formats"). Our package source has no Prometheus exporter, so this is ours, kept to what the format
/// needs. Names follow the OpenTelemetry-to-Prometheus convention, so a collector relaying our OTLP export names
/// things the same: characters outside <c>[a-zA-Z0-9_:]</c> become <c>_</c>, unit <c>s</c> adds <c>_seconds</c>,
/// counters end in <c>_total</c>; <c>{annotation}</c> units add nothing.
/// </summary>
public static class PrometheusTextWriter
{
    /// <summary>The Content-Type of the text this writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes <paramref name="families"/> as exposition text (lines end in <c>\n</c> on every OS).</summary>
    public static void Write(TextWriter writer, IEnumerable<MetricFamily> families)
    {
        foreach (var family in families)
        {
            var name = MetricName(family);
            writer.Write($"# HELP {name} {EscapeHelp(family.Description)}\n");
            writer.Write($"# TYPE {name} {family.Kind.ToString().ToLowerInvariant()}\n");
            foreach (var series in family.Series)
            {
                if (family.Kind == MetricKind.Histogram && series.Histogram is { } histogram)
                {
                    long cumulative = 0;
                    for (var i = 0; i < histogram.Bounds.Count; i++)
                    {
                        cumulative += histogram.Counts[i];
                        WriteSample(writer, name + "_bucket", series.Labels, ("le", FormatNumber(histogram.Bounds[i])), cumulative);
                    }

                    WriteSample(writer, name + "_bucket", series.Labels, ("le", "+Inf"), histogram.Count);
                    WriteSample(writer, name + "_sum", series.Labels, null, series.Value);
                    WriteSample(writer, name + "_count", series.Labels, null, histogram.Count);
                }
                else
                {
                    WriteSample(writer, name, series.Labels, null, series.Value);
                }
            }
        }
    }

    /// <summary>Writes <paramref name="families"/> to a string.</summary>
    public static string Write(IEnumerable<MetricFamily> families)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, families);
        return writer.ToString();
    }

    /// <summary>The Prometheus name of <paramref name="family"/>: sanitized, with unit suffix and, for counters, <c>_total</c>.</summary>
    public static string MetricName(MetricFamily family)
    {
        var name = Sanitize(family.Name, allowColon: true);
        var suffix = family.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        return family.Kind == MetricKind.Counter && !name.EndsWith("_total", StringComparison.Ordinal) ? name + "_total" : name;
    }

    /// <summary>A label value as it goes between double quotes: <c>\</c>, <c>"</c> and line feeds escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>A number as the format writes it: shortest round-trip form, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatNumber(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    private static string EscapeHelp(string text) =>
        text.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    private static void WriteSample(TextWriter writer, string name, IReadOnlyList<KeyValuePair<string, string>> labels, (string Name, string Value)? extra, double value)
    {
        writer.Write(name);
        if (labels.Count > 0 || extra is not null)
        {
            writer.Write('{');
            var first = true;
            foreach (var (labelName, labelValue) in labels.Select(l => (l.Key, l.Value)).Concat(extra is { } e ? [e] : []))
            {
                writer.Write(first ? "" : ",");
                writer.Write($"{Sanitize(labelName, allowColon: false)}=\"{EscapeLabelValue(labelValue)}\"");
                first = false;
            }

            writer.Write('}');
        }

        writer.Write($" {FormatNumber(value)}\n");
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }
}
