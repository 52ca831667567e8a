namespace FailoverMonitor.Configuration;

/// <summary>
/// The words a mode is written with in <c>tunnels.json</c> (and the API, for statuses), in the order messages list
/// them, and the enum value each stands for: the one table both parsing and writing a mode read.
/// </summary>
/// <typeparam name="TEnum">The mode.</typeparam>
public sealed class ConfigWords<TEnum>
    where TEnum : struct, Enum
{
    private readonly (string Word, TEnum Value)[] _pairs;

    /// <summary>Creates the table; every value of <typeparamref name="TEnum"/> needs exactly one word.</summary>
    public ConfigWords(params (string Word, TEnum Value)[] pairs)
    {
        _pairs = pairs;
        All = [.. pairs.Select(p => p.Word)];
    }

    /// <summary>Every accepted word, in table order (e.g. for "is not one of …").</summary>
    public IReadOnlyList<string> All { get; }

    /// <summary>The value <paramref name="word"/> (exact, lower case) stands for; null for any other text.</summary>
    public TEnum? Parse(string? word)
    {
        foreach (var (w, value) in _pairs)
        {
            if (string.Equals(w, word, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The word of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not in the table.</exception>
    public string Word(TEnum value)
    {
        foreach (var (word, v) in _pairs)
        {
            if (EqualityComparer<TEnum>.Default.Equals(v, value))
            {
                return word;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "no word for this value");
    }
}
