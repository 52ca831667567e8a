using System.ComponentModel;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// <see cref="IServiceController"/> through <c>systemctl</c> (systemctl(1)). <c>start</c> and <c>restart</c> wait
/// for their job, so success means the unit reached the state (for a <c>Type=notify</c> backup: it said READY).
/// <c>stop</c> only queues its job (<c>--no-block</c>): a backup whose <c>ExecStop=</c> takes long must not stall
/// the check loop (and trip the watchdog); the caller reads the unit's real state afterwards.
/// The states of every unit, read on each check, come from <paramref name="states"/>.
/// </summary>
public sealed class SystemctlServiceController(IProcessRunner runner, IUnitStateReader states) : IServiceController
{
    /// <summary>The program run; resolved through PATH.</summary>
    public const string Command = "systemctl";

    /// <summary>Longest wait for <c>is-active</c>.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest wait for a start, stop or restart job; past it the job is left to systemd and reported failed. Below
    /// the unit's WatchdogSec (30 s) so a hanging systemctl is reported rather than the monitor restarted.
    /// </summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(20);

    // systemctl is-active prints one of these (systemctl(1), "is-active"); exit code 0 only for active/reloading.
    private static readonly string[] ActiveStates = ["active", "reloading", "activating", "refreshing"];
    private static readonly string[] InactiveStates = ["inactive", "failed", "deactivating", "maintenance", "unknown"];

    /// <inheritdoc />
    public async Task<bool> IsActiveAsync(string unit, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["is-active", UnitName.Validate(unit)], QueryTimeout, cancellationToken).ConfigureAwait(false);
        var state = result.Result.StandardOutput.Trim();
        if (ActiveStates.Contains(state))
        {
            return true;
        }

        if (InactiveStates.Contains(state))
        {
            return false;
        }

        throw Failure(result.Arguments, result.Result);
    }

    /// <inheritdoc />
    public Task StartAsync(string unit, CancellationToken cancellationToken) => RunJobAsync("start", unit, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Through the <see cref="IUnitStateReader"/> given: D-Bus where reachable, else <c>systemctl show</c>.</remarks>
    public Task<IReadOnlyDictionary<string, UnitState>> GetStatesAsync(IReadOnlyList<string> units, CancellationToken cancellationToken) =>
        states.ReadAsync(units, cancellationToken);

    /// <inheritdoc />
    public Task RestartAsync(string unit, CancellationToken cancellationToken) => RunJobAsync("restart", unit, cancellationToken);

    /// <inheritdoc />
    public async Task<string> GetLoadStateAsync(string unit, CancellationToken cancellationToken)
    {
        var (arguments, result) = await RunAsync(["show", "--property=LoadState", "--value", UnitName.Validate(unit)], QueryTimeout, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 && result.StandardOutput.Trim() is { Length: > 0 } state ? state : throw Failure(arguments, result);
    }

    /// <inheritdoc />
    public Task StopAsync(string unit, CancellationToken cancellationToken) => RunJobAsync("stop", unit, cancellationToken, wait: false);

    private async Task RunJobAsync(string verb, string unit, CancellationToken cancellationToken, bool wait = true)
    {
        string[] command = wait ? [verb, UnitName.Validate(unit)] : [verb, "--no-block", UnitName.Validate(unit)];
        var (arguments, result) = await RunAsync(command, wait ? JobTimeout : QueryTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw Failure(arguments, result);
        }
    }

    private async Task<(string[] Arguments, ProcessResult Result)> RunAsync(string[] arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        (arguments, await RunAsync(runner, arguments, timeout, cancellationToken).ConfigureAwait(false));

    /// <summary>Runs systemctl with <paramref name="arguments"/>; a run that could not start or finish is a <see cref="ServiceControlException"/>.</summary>
    internal static async Task<ProcessResult> RunAsync(IProcessRunner runner, string[] arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(Command, arguments, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or Win32Exception or InvalidOperationException)
        {
            throw new ServiceControlException(Command, arguments, null, e.Message, e);
        }
    }

    /// <summary>The failure of a finished systemctl run: its stderr, else its stdout, trimmed.</summary>
    internal static ServiceControlException Failure(string[] arguments, ProcessResult result)
    {
        var detail = string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError;
        return new ServiceControlException(Command, arguments, result.ExitCode, Trim(detail));
    }

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length <= 400 ? text : text[..400] + "…";
    }
}
