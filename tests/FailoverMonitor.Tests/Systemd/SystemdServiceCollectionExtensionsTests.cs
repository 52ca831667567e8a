using FailoverMonitor.Systemd;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace FailoverMonitor.Tests.Systemd;

/// <summary><see cref="SystemdServiceCollectionExtensions.AddSystemdNotify"/>: a real host and Microsoft.Extensions.Hosting.Systemd's lifetime on a real notify socket.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class SystemdServiceCollectionExtensionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddSystemdNotify_NotifySocket_ReadyOnlyOnceEveryHostedServiceStarted_StoppingOnStop()
    {
        using var systemd = new NotifySocket();
        using var variable = EnvironmentVariable.Set("NOTIFY_SOCKET", systemd.Path);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSystemdNotify();
        builder.Services.AddHostedService<SlowStart>();
        using var host = builder.Build();

        await host.StartAsync(Ct);
        Assert.IsType<NonBlockingSystemdNotifier>(host.Services.GetRequiredService<ISystemdNotifier>());
        Assert.Equal("STATUS=start-up done", await systemd.ReceiveAsync());
        Assert.Equal("READY=1", await systemd.ReceiveAsync());

        await host.StopAsync(Ct);
        Assert.Equal("STOPPING=1", await systemd.ReceiveAsync());
    }

    [Fact]
    public void AddSystemdNotify_NoNotifySocket_ConsoleLifetimeAndADisabledNotifier()
    {
        using var variable = EnvironmentVariable.Set("NOTIFY_SOCKET", null);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSystemdNotify();
        using var host = builder.Build();

        Assert.IsNotType<SystemdLifetime>(host.Services.GetRequiredService<IHostLifetime>());
        Assert.False(host.Services.GetRequiredService<ISystemdNotifier>().IsEnabled);
    }

    /// <summary>A hosted service whose start-up finishes asynchronously, then says so on the notify socket.</summary>
    private sealed class SlowStart(ISystemdNotifier notifier) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await Task.Yield();
            notifier.Notify(new ServiceState("STATUS=start-up done"));
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
