using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>An <see cref="IProcessRunner"/> that records each call and answers from a script.</summary>
public sealed class FakeProcessRunner(Func<string, IReadOnlyList<string>, ProcessResult> respond) : IProcessRunner
{
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

        return Task.FromResult(respond(fileName, arguments));
    }
}
