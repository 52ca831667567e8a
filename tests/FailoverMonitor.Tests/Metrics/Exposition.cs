using System.Globalization;
using System.Text;

namespace FailoverMonitor.Tests.Metrics;

/// <summary>One sample line of Prometheus text: its name, labels (unescaped) and value.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A scraped <c>/metrics</c> body, read back the way Prometheus reads it: label order does not matter, label values
/// are unescaped. Only what the tests need (no timestamps, no exemplars).
/// </summary>
internal sealed class Exposition(string text)
{
    /// <summary>The body as served.</summary>
    public string Text { get; } = text;

    /// <summary>Every sample line, in the served order.</summary>
    public IReadOnlyList<Sample> Samples { get; } = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(Parse).ToList();

    /// <summary>The <c># TYPE</c> of each family, by family name.</summary>
    public IReadOnlyDictionary<string, string> Types { get; } = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
        .Select(l => l.Split(' ')).ToDictionary(p => p[2], p => p[3]);

    /// <summary>The value of the sample <paramref name="name"/> with exactly <paramref name="labels"/>; null when there is none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels) =>
        Samples.SingleOrDefault(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))?.Value;

    /// <summary>The samples named <paramref name="name"/>.</summary>
    public IReadOnlyList<Sample> Named(string name) => Samples.Where(s => s.Name == name).ToList();

    private static Sample Parse(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = space;
        if (brace >= 0 && brace < space)
        {
            i = brace + 1;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var name = line[i..equals];
                var value = new StringBuilder();
                for (i = equals + 2; line[i] != '"'; i++)
                {
                    value.Append(line[i] != '\\' ? line[i] : line[++i] == 'n' ? '\n' : line[i]);
                }

                labels[name] = value.ToString();
                i += line[i + 1] == ',' ? 2 : 1;
            }

            i++;
        }

        var fields = line[(i + 1)..].Split(' ');
        return new Sample(line[..(brace >= 0 && brace < space ? brace : space)], labels, double.Parse(fields[0], CultureInfo.InvariantCulture));
    }
}
