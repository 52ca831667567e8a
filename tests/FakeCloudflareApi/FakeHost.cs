using Microsoft.Extensions.Hosting;

namespace FakeCloudflareApi;

/// <summary>
/// A bare Kestrel web host: no configuration sources (no appsettings.json or ASPNETCORE_* surprises from the
/// test's output folder), no logging providers, and no console lifetime (the caller owns signals and stopping).
/// </summary>
internal static class FakeHost
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "fake-cloudflare-api",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddRoutingCore();
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        return builder;
    }

    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
