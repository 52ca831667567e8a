namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// Tests that set process environment variables belong to this collection: it never runs in parallel with any other
/// test, so no other test can see the temporary value.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "environment variables";
}

/// <summary>Sets an environment variable for the life of the object and restores its previous value on dispose.</summary>
public sealed class EnvironmentVariable : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    private EnvironmentVariable(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> (null unsets it) until disposed.</summary>
    public static EnvironmentVariable Set(string name, string? value) => new(name, value);

    /// <inheritdoc />
    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
