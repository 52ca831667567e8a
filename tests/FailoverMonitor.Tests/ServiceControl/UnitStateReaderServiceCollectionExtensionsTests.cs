using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><see cref="UnitStateReaderServiceCollectionExtensions.AddUnitStateReader"/>: what is composed, and the address override.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class UnitStateReaderServiceCollectionExtensionsTests
{
    [Fact]
    public void AddUnitStateReader_AddressVariableSet_BusReaderUsesItBehindTheFallback()
    {
        using var variable = EnvironmentVariable.Set(UnitStateReaderServiceCollectionExtensions.AddressVariable, "unix:path=/run/test/bus");
        using var services = Services();

        Assert.Equal("D-Bus unix:path=/run/test/bus", services.GetRequiredService<DBusUnitStateReader>().Source);
        Assert.IsType<UnitStateReaderWithFallback>(services.GetRequiredService<IUnitStateReader>());
    }

    [Fact]
    public void AddUnitStateReader_NoAddressVariable_DefaultAddressForThisProcess()
    {
        using var variable = EnvironmentVariable.Set(UnitStateReaderServiceCollectionExtensions.AddressVariable, null);
        using var services = Services();

        Assert.Equal($"D-Bus {DBusUnitStateReader.DefaultAddress(Environment.IsPrivilegedProcess)}", services.GetRequiredService<DBusUnitStateReader>().Source);
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System).AddSingleton<IProcessRunner>(new FakeProcessRunner((_, _) => new ProcessResult(0, "", "")));
        services.AddUnitStateReader();
        return services.BuildServiceProvider();
    }
}
