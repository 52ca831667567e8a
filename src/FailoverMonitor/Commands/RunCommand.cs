using System.Runtime.InteropServices;
using FailoverMonitor.Alerts;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;
using FailoverMonitor.Http;
using FailoverMonitor.Logging;
using FailoverMonitor.Metrics;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Runtime;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Status;
using FailoverMonitor.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.WindowsServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FailoverMonitor.Commands;

/// <summary><c>failover-monitor run</c>: the daemon. Composition root of the generic host.</summary>
public static class RunCommand
{
    /// <summary>Loads the configuration and runs until SIGTERM; 0 when stopped, 78 when the configuration is invalid, 70 when part of the daemon failed.</summary>
    public static async Task<int> RunAsync(string? configArgument, bool dryRun, CancellationToken cancellationToken)
    {
        var configPath = ConfigurationLoader.ResolvePath(configArgument);
        LoadedConfiguration loaded;
        try
        {
            loaded = ConfigurationLoader.Load(configPath);
        }
        catch (ConfigurationException e)
        {
            using var loggerFactory = LoggerFactory.Create(logging => LoggingSetup.Configure(logging, OutputSettings.DefaultLogFile));
            Log.ConfigurationInvalid(loggerFactory.CreateLogger("FailoverMonitor"), e.Message);
            return OperatingSystem.IsWindows() && WindowsServiceHelpers.IsWindowsService()
                ? await WindowsServiceStop.StopWithAsync(ExitCodes.Configuration, e.Message, cancellationToken).ConfigureAwait(false)
                : ExitCodes.Configuration;
        }

        // No default configuration sources (environment, command line, appsettings.json watched in the install folder)
        // or logging providers: the daemon reads tunnels.json alone, and the defaults cost start-up time and a watcher.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        var output = loaded.Settings.Output;
        var logFileError = LoggingSetup.Configure(builder.Logging, output.LogFile, output.LogMaxSizeMegabytes, output.LogRetainedFiles, out var logSink);
        AddServices(builder.Services, loaded, configPath, dryRun);

        using var host = builder.Build();

        // systemctl reload failover-monitor (ExecReload=kill -HUP $MAINPID): re-read tunnels.json without a restart,
        // and reopen the log file for an outside logrotate.
        var worker = host.Services.GetRequiredService<MonitorWorker>();
        using var reload = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            logSink?.Reopen();
            worker.RequestReload();
        });
        if (logFileError is not null)
        {
            Log.LogFileUnwritable(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FailoverMonitor"), output.LogFile, logFileError);
        }

        return await HostExit.RunAsync(host, cancellationToken).ConfigureAwait(false);
    }

    private static void AddServices(IServiceCollection services, LoadedConfiguration loaded, string configPath, bool dryRun)
    {
        var settings = loaded.Settings;
        // Start-up: options the host reads are given as they are, not configured through the options machinery, and
        // no IStartupValidator, which only validates the host's own metrics options (this daemon's configuration is
        // checked by ConfigurationLoader) and under NativeAOT took about 10 ms before READY=1.
        services.AddSingleton(Options.Create(new ConsoleLifetimeOptions { SuppressStatusMessages = true }));
        services.AddSingleton(Options.Create(new HostOptions { BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost }));
        services.RemoveAll<IStartupValidator>();
        services.AddSingleton(loaded);
        services.AddSingleton(settings);
        services.AddSingleton(settings.Gateway);
        services.AddSingleton(new ConfigurationSource(configPath));
        services.AddSingleton(new RunMode(dryRun));
        services.AddSingleton(TimeProvider.System);
        // Under systemd: Type=notify (READY=1 once the worker has read the unit states, STOPPING=1), WATCHDOG=1 and
        // STATUS=. Under the Windows Service Control Manager: a real service. Each does nothing elsewhere.
        services.AddSystemdNotify();
        services.AddWindowsService();
        services.AddSingleton<IGatewayProbe, IcmpGatewayProbe>();
        services.AddSingleton<IProcessRunner, ProcessRunner>();
        services.AddUnitStateReader();
        services.AddSingleton<SystemctlServiceController>();
        services.AddSingleton<ScServiceController>();
        IServiceController Native(IServiceProvider sp) => OperatingSystem.IsWindows()
            ? sp.GetRequiredService<ScServiceController>()
            : sp.GetRequiredService<SystemctlServiceController>();
        services.AddSingleton<IServiceController>(sp => dryRun
            ? new DryRunServiceController(Native(sp), sp.GetRequiredService<ILogger<DryRunServiceController>>())
            : Native(sp));
        // Plain long-lived clients, not IHttpClientFactory: see LongLivedHttpClient.
        services.AddSingleton(sp => new CloudflareTunnelClient(
            CloudflareTunnelClient.CreateHttpClient(settings.Api),
            CloudflareResilience.Build(settings.Api, sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<ApiUsage>()));
        services.AddSingleton(_ => new CloudflaredReadyClient(LongLivedHttpClient.Create(CloudflaredReadyClient.RequestTimeout)));
        services.AddSingleton<ApiUsage>();
        services.AddSingleton(new StateFile(settings.Output.StateFile));
        services.AddSingleton<StatusPublisher>();
        services.AddSingleton<IStatusOutput>(sp => sp.GetRequiredService<StatusPublisher>());
        services.AddSingleton<TunnelObserver>();
        services.AddSingleton<TokenVerifier>();
        services.AddSingleton(sp => new StartupChecks(
            sp.GetRequiredService<TokenVerifier>(), sp.GetRequiredService<IServiceController>(), sp.GetRequiredService<ILogger<StartupChecks>>(), loaded.Warnings));
        services.AddSingleton<TunnelSet>();
        services.AddSingleton<GatewayWatch>();
        services.AddSingleton<UnitStateTracker>();
        services.AddSingleton<ObservationLog>();
        services.AddSingleton<ActionExecutor>();
        services.AddAlerts(settings);
        services.AddMonitorMetrics(settings);
        services.AddSingleton<MonitorWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitorWorker>());
        services.AddHostedService(sp => new MemoryHousekeeping(sp.GetRequiredService<TimeProvider>()));
    }
}
