namespace FailoverMonitor.ServiceControl;

/// <summary>A service-control command failed: names the command line, its exit code and its trimmed stderr.</summary>
public sealed class ServiceControlException : Exception
{
    /// <summary>Creates the exception; <paramref name="exitCode"/> is null when the command timed out or could not run.</summary>
    public ServiceControlException(string command, IReadOnlyList<string> arguments, int? exitCode, string standardError, Exception? inner = null)
        : base(Format(command, arguments, exitCode, standardError), inner)
    {
        Command = command;
        Arguments = arguments;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The program run, e.g. <c>systemctl</c>.</summary>
    public string Command { get; }

    /// <summary>Its argument list.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Its exit code, or null when it timed out or could not be started.</summary>
    public int? ExitCode { get; }

    /// <summary>Its standard error, trimmed to a few hundred characters.</summary>
    public string StandardError { get; }

    private static string Format(string command, IReadOnlyList<string> arguments, int? exitCode, string standardError)
    {
        var line = string.Join(' ', [command, .. arguments]);
        var outcome = exitCode is { } code ? $"exited with code {code}" : "did not complete";
        return string.IsNullOrWhiteSpace(standardError) ? $"`{line}` {outcome}" : $"`{line}` {outcome}: {standardError}";
    }
}
