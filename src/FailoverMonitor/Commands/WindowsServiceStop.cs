using System.Runtime.Versioning;
using FailoverMonitor.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Commands;

/// <summary>
/// Ends a Windows service that cannot run (an invalid configuration) in a way the Service Control Manager counts as
/// a stop, not a crash. A service process that exits without reporting itself stopped sets off the recovery actions
/// (<c>sc.exe failure … actions= restart/…</c>), which would restart it into the same error. Here the service
/// reports running, then stopped with the exit code as its Win32 exit code (<c>sc.exe query</c> shows it), which
/// the recovery actions leave alone while <c>sc.exe failureflag</c> is 0, its default. Why it stopped also goes to the
/// Application event log, through the provider <c>AddWindowsService()</c> adds, under the same source as the lines of
/// a running service (the application's name).
/// </summary>
[SupportedOSPlatform("windows")]
public static class WindowsServiceStop
{
    /// <summary>
    /// Answers the Service Control Manager, logs <paramref name="problem"/> (the configuration error, as the log file
    /// got it), stops at once with <paramref name="exitCode"/>, and returns it.
    /// </summary>
    public static async Task<int> StopWithAsync(int exitCode, string problem, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddWindowsService();
        using var host = builder.Build();
        Log.ConfigurationInvalid(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FailoverMonitor"), problem);
        if (host.Services.GetRequiredService<IHostLifetime>() is WindowsServiceLifetime service)
        {
            service.ExitCode = exitCode;
        }

        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        await host.StopAsync(cancellationToken).ConfigureAwait(false);
        return exitCode;
    }
}
