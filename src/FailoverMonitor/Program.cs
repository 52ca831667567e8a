using System.CommandLine;
using System.Runtime.InteropServices;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;
using FailoverMonitor.Logging;
using FailoverMonitor.Monitoring;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Composition root. Exit codes: 0 stopped normally, 78 (EX_CONFIG, sysexits.h) invalid configuration — the unit's
// RestartPreventExitStatus=78 keeps systemd from restarting into the same error.
const int ExitConfig = 78;

var configOption = new Option<string?>("--config", "-c")
{
    Description = $"Configuration file. Default: ${ConfigurationLoader.PathVariable}, else {MonitorOptions.DefaultConfigPath}",
};
var root = new RootCommand("FailoverMonitor: watches Cloudflare Tunnels and starts a local backup connector through systemd when a tunnel is down.")
{
    configOption,
};
root.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(configOption), cancellationToken));

// The host handles SIGTERM/SIGINT itself; System.CommandLine must not race it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static async Task<int> RunAsync(string? configArgument, CancellationToken cancellationToken)
{
    var configPath = ConfigurationLoader.ResolvePath(configArgument);
    MonitorOptions options;
    try
    {
        options = ConfigurationLoader.Load(configPath);
    }
    catch (ConfigurationException e)
    {
        using var loggerFactory = LoggerFactory.Create(logging => LoggingSetup.Configure(logging, MonitorOptions.DefaultLogFile));
        Log.ConfigurationInvalid(loggerFactory.CreateLogger("FailoverMonitor"), e.Message);
        return ExitConfig;
    }

    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
    var logFileError = LoggingSetup.Configure(builder.Logging, options.LogFile);
    var services = builder.Services;
    services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
    services.AddSingleton(options);
    services.AddSingleton(new ConfigurationSource(configPath));
    services.AddSingleton(TimeProvider.System);
    services.AddSingleton(new SystemdNotifier());
    services.AddSingleton<IGatewayProbe, IcmpGatewayProbe>();
    services.AddSingleton<IProcessRunner, ProcessRunner>();
    services.AddSingleton<IServiceController, SystemctlServiceController>();
    services.AddSingleton(new FailoverPolicy(PolicySettings.From(options)));
    services.AddSingleton(sp => CloudflareResilience.Build(options, sp.GetRequiredService<TimeProvider>()));
    services.AddHttpClient<CloudflareTunnelClient>(client =>
        {
            client.BaseAddress = new Uri(options.ApiBaseUrl.TrimEnd('/') + "/");
            client.Timeout = Timeout.InfiniteTimeSpan;
        })
        // The client lives as long as the process; rotating pooled connections keeps DNS changes visible.
        .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
        .RemoveAllLoggers();
    services.AddHttpClient<CloudflaredReadyClient>(client => client.Timeout = TimeSpan.FromSeconds(2)).RemoveAllLoggers();
    services.AddSingleton<ApiUsage>();
    services.AddSingleton<TunnelObserver>();
    services.AddSingleton<StartupChecks>();
    services.AddSingleton<MonitorWorker>();
    services.AddHostedService(sp => sp.GetRequiredService<MonitorWorker>());

    using var host = builder.Build();

    // systemctl reload failover-monitor (ExecReload=kill -HUP $MAINPID): re-read tunnels.json without a restart.
    var worker = host.Services.GetRequiredService<MonitorWorker>();
    using var reload = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
    {
        context.Cancel = true;
        worker.RequestReload();
    });
    var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("FailoverMonitor");
    if (logFileError is not null)
    {
        Log.LogFileUnwritable(logger, options.LogFile, logFileError);
    }

    await host.RunAsync(cancellationToken).ConfigureAwait(false);
    return 0;
}
