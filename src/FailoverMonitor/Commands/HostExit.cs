using FailoverMonitor.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Commands;

/// <summary>
/// Runs the daemon's host and turns how it ended into the exit code. A hosted service whose loop threw stops the
/// host (<see cref="BackgroundServiceExceptionBehavior.StopHost"/>), and the host then returns as if stopped on
/// purpose: here that gives <see cref="ExitCodes.Software"/>, so systemd's <c>Restart=on-failure</c> brings the
/// monitor back instead of leaving it dead with exit 0.
/// </summary>
public static class HostExit
{
    /// <summary>Starts <paramref name="host"/> and waits for it to stop; it is left to the caller to dispose.</summary>
    /// <returns><see cref="ExitCodes.Ok"/> when it was stopped (SIGTERM), <see cref="ExitCodes.Software"/> when a hosted service failed.</returns>
    public static async Task<int> RunAsync(IHost host, CancellationToken cancellationToken)
    {
        var services = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Distinct().ToList();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        var failed = services.FirstOrDefault(s => s.ExecuteTask is { IsFaulted: true });
        if (failed is null)
        {
            return ExitCodes.Ok;
        }

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FailoverMonitor");
        Log.HostedServiceFailed(logger, failed.GetType().Name, failed.ExecuteTask!.Exception!.GetBaseException().Message, ExitCodes.Software);
        return ExitCodes.Software;
    }
}
