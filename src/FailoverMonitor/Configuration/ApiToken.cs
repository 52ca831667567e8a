namespace FailoverMonitor.Configuration;

/// <summary>
/// A Cloudflare API token. Wrapped so that string formatting (log templates, exception messages, debugger
/// displays) prints a placeholder instead of the secret; only the HTTP client reads <see cref="Reveal"/>.
/// </summary>
public sealed class ApiToken : IEquatable<ApiToken>
{
    private readonly string _value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public ApiToken(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value;
    }

    /// <summary>The secret itself, for the Authorization header only.</summary>
    public string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => "[token]";

    /// <inheritdoc />
    public bool Equals(ApiToken? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ApiToken);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
