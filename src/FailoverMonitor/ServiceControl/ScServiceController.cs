using System.ComponentModel;
using System.Globalization;
using System.Text.RegularExpressions;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// <see cref="IServiceController"/> on Windows, through <c>sc.exe query|start|stop</c>. <c>sc.exe start</c> and
/// <c>stop</c> return as soon as the request is sent (<c>START_PENDING</c>, <c>STOP_PENDING</c>), so each is
/// followed by <c>sc.exe query</c> until the service is <c>RUNNING</c> or <c>STOPPED</c>, within
/// <see cref="JobTimeout"/>: success means the same as with systemctl, the service reached the state. Output is
/// read by its codes (<c>STATE : 4 RUNNING</c>, <c>[SC] OpenService FAILED 1060:</c>), which do not depend on
/// the display language.
/// </summary>
public sealed partial class ScServiceController(IProcessRunner runner, TimeProvider timeProvider) : IServiceController
{
    /// <summary>The program run; resolved through PATH (it lives in <c>%SystemRoot%\System32</c>).</summary>
    public const string Command = "sc.exe";

    /// <summary>Longest wait for one <c>sc.exe</c> run.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait for a start or stop to reach <c>RUNNING</c> or <c>STOPPED</c>; past it the service is reported failed.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Pause between two <c>sc.exe query</c> runs while a start or stop is pending.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    // Win32 error codes sc.exe reports (and exits with).
    internal const int ErrorServiceDoesNotExist = 1060;
    internal const int ErrorServiceAlreadyRunning = 1056;
    internal const int ErrorServiceNotActive = 1062;

    /// <inheritdoc />
    public async Task<bool> IsActiveAsync(string unit, CancellationToken cancellationToken) =>
        IsActive(await QueryAsync(unit, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    /// <remarks>Starting a service that already runs (error 1056) succeeds, as <c>systemctl start</c> does.</remarks>
    public Task StartAsync(string unit, CancellationToken cancellationToken) =>
        RunJobAsync("start", unit, ErrorServiceAlreadyRunning, ServiceState.Running, cancellationToken);

    /// <inheritdoc />
    /// <remarks>sc.exe has no restart: stop (waiting for <c>STOPPED</c>), then start.</remarks>
    public async Task RestartAsync(string unit, CancellationToken cancellationToken)
    {
        await StopAsync(unit, cancellationToken).ConfigureAwait(false);
        await StartAsync(unit, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <returns><c>loaded</c> when the service exists, <c>not-found</c> when sc.exe says error 1060.</returns>
    public async Task<string> GetLoadStateAsync(string unit, CancellationToken cancellationToken)
    {
        string[] arguments = ["query", WindowsServiceName.Validate(unit)];
        var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (FailedWith(result) == ErrorServiceDoesNotExist)
        {
            return "not-found";
        }

        _ = ParseState(arguments, result);
        return "loaded";
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <c>sc.exe query</c> per service (sc.exe reads one at a time). A missing service (error 1060) is
    /// <c>not-found</c>, not an error, as <c>systemctl show</c> reports it. States map to systemd's words:
    /// RUNNING and PAUSED are <c>active</c>, START_PENDING <c>activating</c>, STOP_PENDING <c>deactivating</c>.
    /// </remarks>
    public async Task<IReadOnlyDictionary<string, UnitState>> GetStatesAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var distinct = units.Distinct(StringComparer.Ordinal).Select(WindowsServiceName.Validate).ToList();
        var states = new Dictionary<string, UnitState>(StringComparer.Ordinal);
        foreach (var unit in distinct)
        {
            string[] arguments = ["query", unit];
            var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
            states[unit] = FailedWith(result) == ErrorServiceDoesNotExist
                ? new UnitState("inactive", "not-found")
                : new UnitState(ToActiveState(ParseState(arguments, result)), "loaded");
        }

        return states;
    }

    /// <inheritdoc />
    /// <remarks>Stopping a service that is not running (error 1062) succeeds, as <c>systemctl stop</c> does.</remarks>
    public Task StopAsync(string unit, CancellationToken cancellationToken) =>
        RunJobAsync("stop", unit, ErrorServiceNotActive, ServiceState.Stopped, cancellationToken);

    /// <summary>Whether a service in <paramref name="state"/> counts as active: running, or on its way there.</summary>
    internal static bool IsActive(ServiceState state) => state is not (ServiceState.Stopped or ServiceState.StopPending);

    /// <summary>systemd's ActiveState word for <paramref name="state"/>, so callers read both platforms alike.</summary>
    internal static string ToActiveState(ServiceState state) => state switch
    {
        ServiceState.StartPending => "activating",
        ServiceState.StopPending => "deactivating",
        ServiceState.Stopped => "inactive",
        _ => "active",
    };

    /// <summary>
    /// The <c>STATE</c> of an <c>sc.exe query/start/stop</c> answer, or null when it has none. sc.exe writes
    /// everything, errors included, to standard output.
    /// </summary>
    internal static ServiceState? ParseStateCode(string output) =>
        StateLine().Match(output) is { Success: true } match
        && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
        && Enum.IsDefined((ServiceState)code)
            ? (ServiceState)code
            : null;

    /// <summary>The Win32 error of a <c>[SC] … FAILED nnnn:</c> answer, else of a non-zero exit code; null on success.</summary>
    internal static int? FailedWith(ProcessResult result) =>
        FailedLine().Match(result.StandardOutput + "\n" + result.StandardError) is { Success: true } match
        && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var error)
            ? error
            : result.ExitCode != 0 ? result.ExitCode : null;

    private async Task<ServiceState> QueryAsync(string unit, CancellationToken cancellationToken)
    {
        string[] arguments = ["query", WindowsServiceName.Validate(unit)];
        return ParseState(arguments, await RunAsync(arguments, cancellationToken).ConfigureAwait(false));
    }

    private async Task RunJobAsync(string verb, string unit, int alreadyThereError, ServiceState target, CancellationToken cancellationToken)
    {
        string[] arguments = [verb, WindowsServiceName.Validate(unit)];
        var deadline = timeProvider.GetUtcNow() + JobTimeout;
        var result = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        var error = FailedWith(result);
        if (error == alreadyThereError)
        {
            return;
        }

        var state = error is null ? ParseState(arguments, result) : throw Failure(arguments, result);
        while (state != target)
        {
            if (state is ServiceState.Stopped)
            {
                // Asked to start, it went (back) to STOPPED: it failed while starting. Its exit code says why.
                throw new ServiceControlException(Command, arguments, null, $"the service stopped while starting ({ExitCodesOf(result.StandardOutput)})");
            }

            if (timeProvider.GetUtcNow() >= deadline)
            {
                throw new ServiceControlException(Command, arguments, null, $"the service did not reach {target.ToWord()} within {JobTimeout.TotalSeconds:0} s (still {state.ToWord()})");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
            string[] query = ["query", unit];
            result = await RunAsync(query, cancellationToken).ConfigureAwait(false);
            state = ParseState(query, result);
        }
    }

    private async Task<ProcessResult> RunAsync(string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(Command, arguments, QueryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception or InvalidOperationException)
        {
            throw new ServiceControlException(Command, arguments, null, e.Message, e);
        }
    }

    private static ServiceState ParseState(string[] arguments, ProcessResult result) =>
        FailedWith(result) is null && ParseStateCode(result.StandardOutput) is { } state ? state : throw Failure(arguments, result);

    private static ServiceControlException Failure(string[] arguments, ProcessResult result)
    {
        var detail = Describe(string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError);

        // The worker recognises a missing unit by "not found" in the detail, as systemctl words it.
        if (FailedWith(result) == ErrorServiceDoesNotExist)
        {
            detail = "service not found: " + detail;
        }

        return new ServiceControlException(Command, arguments, result.ExitCode, detail);
    }

    // "WIN32_EXIT_CODE : 1067 (0x42b)" and "SERVICE_EXIT_CODE : 0 (0x0)": why a service stopped.
    private static string ExitCodesOf(string output) =>
        string.Join(", ", ExitCodeLine().Matches(output).Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}")) is { Length: > 0 } codes
            ? codes
            : "no exit code reported";

    // sc.exe spreads one message over several CRLF-separated lines: one line, trimmed.
    private static string Describe(string output)
    {
        var text = string.Join(' ', output.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        text = WhiteSpace().Replace(text, " ");
        return text.Length <= 400 ? text : text[..400] + "…";
    }

    // "        STATE              : 4  RUNNING": matched by code and state word, not by the label.
    [GeneratedRegex(@"^[^:\r\n]+:\s*([1-7])\s+(?:STOPPED|START_PENDING|STOP_PENDING|RUNNING|CONTINUE_PENDING|PAUSE_PENDING|PAUSED)\b", RegexOptions.Multiline)]
    private static partial Regex StateLine();

    // "[SC] OpenService FAILED 1060:"; the word FAILED is translated on localized Windows ("FEHLER"), the code is not.
    [GeneratedRegex(@"^\[SC\][^\r\n]*\s(\d+)\s*:", RegexOptions.Multiline)]
    private static partial Regex FailedLine();

    [GeneratedRegex(@"^\s*((?:WIN32|SERVICE)_EXIT_CODE)\s*:\s*(\d+)", RegexOptions.Multiline)]
    private static partial Regex ExitCodeLine();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex WhiteSpace();
}

/// <summary>A Windows service's current state (SERVICE_STATUS.dwCurrentState), as <c>sc.exe query</c> prints it.</summary>
public enum ServiceState
{
    /// <summary><c>1 STOPPED</c>.</summary>
    Stopped = 1,

    /// <summary><c>2 START_PENDING</c>.</summary>
    StartPending = 2,

    /// <summary><c>3 STOP_PENDING</c>.</summary>
    StopPending = 3,

    /// <summary><c>4 RUNNING</c>.</summary>
    Running = 4,

    /// <summary><c>5 CONTINUE_PENDING</c>.</summary>
    ContinuePending = 5,

    /// <summary><c>6 PAUSE_PENDING</c>.</summary>
    PausePending = 6,

    /// <summary><c>7 PAUSED</c>: the process still runs.</summary>
    Paused = 7,
}

/// <summary>sc.exe's words for <see cref="ServiceState"/>.</summary>
public static class ServiceStateExtensions
{
    /// <summary><c>RUNNING</c>, <c>STOP_PENDING</c>, …</summary>
    public static string ToWord(this ServiceState state) => state switch
    {
        ServiceState.Stopped => "STOPPED",
        ServiceState.StartPending => "START_PENDING",
        ServiceState.StopPending => "STOP_PENDING",
        ServiceState.Running => "RUNNING",
        ServiceState.ContinuePending => "CONTINUE_PENDING",
        ServiceState.PausePending => "PAUSE_PENDING",
        ServiceState.Paused => "PAUSED",
        _ => ((int)state).ToString(CultureInfo.InvariantCulture),
    };
}
