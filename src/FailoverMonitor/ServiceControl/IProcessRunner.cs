namespace FailoverMonitor.ServiceControl;

/// <summary>Runs a program with an argument list (never a shell string) and collects its output.</summary>
public interface IProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>, killing it after <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/> (it was killed).</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What a finished process left: exit code and its two output streams.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
