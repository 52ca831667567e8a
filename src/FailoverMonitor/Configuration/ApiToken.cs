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

    /// <summary>
    /// What makes <paramref name="value"/> unusable as a Cloudflare API token, or null when nothing does. Cloudflare
    /// tokens are printable ASCII without spaces; a line break would split the Authorization header, other control
    /// characters and spaces make Cloudflare reject it (HTTP 400). The answer never quotes the value.
    /// </summary>
    public static string? FindProblem(string value)
    {
        if (value.Length == 0)
        {
            return "is empty";
        }

        foreach (var c in value)
        {
            var problem = c switch
            {
                '\r' or '\n' => "holds a line break (CR or LF)",
                ' ' or '\t' => "holds a space or tab",
                < ' ' or '\x7f' => "holds a control character",
                > '\x7f' => "holds a non-ASCII character",
                _ => null,
            };
            if (problem is not null)
            {
                return problem + "; a Cloudflare API token is printable ASCII without spaces";
            }
        }

        return null;
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
