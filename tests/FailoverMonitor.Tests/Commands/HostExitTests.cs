using FailoverMonitor.Commands;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Commands;

/// <summary>The exit code of <c>run</c>: systemd restarts the daemon (Restart=on-failure) only on a non-zero one.</summary>
public sealed class HostExitTests
{
    private const int HostedServiceFailed = 165;

    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task RunAsync_BackgroundServiceThrows_HostStopsWithExitCode70()
    {
        using var host = Build(lifetime => new Throwing());

        var code = await HostExit.RunAsync(host, TestContext.Current.CancellationToken).WaitAsync(FakeTimeProvider.DefaultWait, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Software, code);
        var line = Assert.Single(_logs.WithId(HostedServiceFailed));
        Assert.Equal(LogLevel.Critical, line.Level);
        Assert.Equal("Throwing failed (the loop broke); exiting with code 70 so that systemd restarts the monitor", line.Message);
    }

    [Fact]
    public async Task RunAsync_StoppedOnPurpose_ExitCode0()
    {
        using var host = Build(lifetime => new Stopping(lifetime));

        var code = await HostExit.RunAsync(host, TestContext.Current.CancellationToken).WaitAsync(FakeTimeProvider.DefaultWait, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(_logs.WithId(HostedServiceFailed));
    }

    private IHost Build(Func<IHostApplicationLifetime, BackgroundService> service)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(new FakeLoggerProvider(_logs));
        builder.Services.AddHostedService(sp => service(sp.GetRequiredService<IHostApplicationLifetime>()));
        return builder.Build();
    }

    private sealed class Throwing : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the loop broke");
        }
    }

    private sealed class Stopping(IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            lifetime.StopApplication();
            return Task.CompletedTask;
        }
    }
}
