using Tmds.DBus.Protocol;

namespace FakeCloudflareApi.Tests;

/// <summary>
/// A private <see cref="DBusDaemon"/> in a temporary folder and a client connection on it that calls
/// <c>ListUnitsByNames</c> as the monitor does. Skips the test where <c>dbus-daemon</c> is missing.
/// </summary>
internal sealed class SystemdBusRig : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly DBusDaemon _daemon;
    private readonly DBusConnection _client;

    private SystemdBusRig(DirectoryInfo directory, DBusDaemon daemon, DBusConnection client) =>
        (_directory, _daemon, _client) = (directory, daemon, client);

    public string Address => _daemon.Address;

    public static async Task<SystemdBusRig> StartAsync(CancellationToken cancellationToken)
    {
        Assert.SkipUnless(File.Exists(DBusDaemon.DaemonPath), $"needs {DBusDaemon.DaemonPath} (Debian package dbus-daemon)");
        var directory = Directory.CreateTempSubdirectory("fake-systemd-");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var daemon = await DBusDaemon.StartAsync(Path.Combine(directory.FullName, "bus"), timeout.Token);
        var client = new DBusConnection(daemon.Address);
        await client.ConnectAsync().AsTask().WaitAsync(timeout.Token);
        return new SystemdBusRig(directory, daemon, client);
    }

    /// <summary>Calls <c>Manager.ListUnitsByNames</c>: (id, LoadState, ActiveState, SubState, job type) per unit.</summary>
    public Task<List<(string Id, string LoadState, string ActiveState, string SubState, string Job)>> ListUnitsByNamesAsync(
        string[] names, CancellationToken cancellationToken) =>
        CallAsync("ListUnitsByNames", names, cancellationToken);

    /// <summary>Calls another Manager method with the same argument, to see the fake refuse it.</summary>
    public Task CallOtherAsync(string member, CancellationToken cancellationToken) =>
        CallAsync(member, ["x.service"], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _daemon.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private Task<List<(string, string, string, string, string)>> CallAsync(string member, string[] names, CancellationToken cancellationToken)
    {
        using var writer = _client.GetMessageWriter();
        writer.WriteMethodCallHeader(FakeSystemd.BusName, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", member, "as", MessageFlags.NoAutoStart);
        writer.WriteArray(names);
        return _client.CallMethodAsync(writer.CreateMessage(), static (message, _) => ReadUnits(message))
            .WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    private static List<(string, string, string, string, string)> ReadUnits(Message message)
    {
        var reader = message.GetBodyReader();
        var units = new List<(string, string, string, string, string)>();
        var end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            var id = reader.ReadString();
            reader.ReadString(); // description
            var load = reader.ReadString();
            var active = reader.ReadString();
            var sub = reader.ReadString();
            reader.ReadString(); // followed unit
            reader.ReadObjectPath();
            reader.ReadUInt32(); // job id
            var job = reader.ReadString();
            reader.ReadObjectPath();
            units.Add((id, load, active, sub, job));
        }

        return units;
    }
}
