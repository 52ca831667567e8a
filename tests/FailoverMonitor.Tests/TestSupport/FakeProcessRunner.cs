using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>An <see cref="IProcessRunner"/> that records each call and answers from a script, at once or when the script's task completes.</summary>
public sealed class FakeProcessRunner(Func<string, IReadOnlyList<string>, CancellationToken, Task<ProcessResult>> respond) : IProcessRunner
{
    /// <summary>A runner whose every process exits at once with what <paramref name="respond"/> says.</summary>
    public FakeProcessRunner(Func<string, IReadOnlyList<string>, ProcessResult> respond)
        : this((fileName, arguments, _) => Task.FromResult(respond(fileName, arguments)))
    {
    }

    private readonly List<(string FileName, IReadOnlyList<string> Arguments, TimeSpan Timeout)> _calls = [];

    /// <summary>Every call so far.</summary>
    public IReadOnlyList<(string FileName, IReadOnlyList<string> Arguments, TimeSpan Timeout)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <inheritdoc />
    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_calls)
        {
            _calls.Add((fileName, arguments.ToList(), timeout));
        }

        return respond(fileName, arguments, cancellationToken);
    }
}
