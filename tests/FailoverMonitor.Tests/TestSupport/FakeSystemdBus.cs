using System.Collections.Concurrent;
using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A real D-Bus peer for component tests: Debian's <c>dbus-daemon</c> on a private socket in a temporary folder,
/// with a tiny fake systemd on it that owns <c>org.freedesktop.systemd1</c> and answers
/// <c>Manager.ListUnitsByNames</c> from <see cref="Units"/> (any other unit: <c>not-found</c>, <c>inactive</c>).
/// </summary>
public sealed class FakeSystemdBus : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new();
    private Process? _daemon;
    private DBusConnection? _systemd;

    private FakeSystemdBus() => Address = $"unix:path={Path.Combine(_directory.Path, "bus")}";

    /// <summary>Where <c>dbus-daemon</c> lives; the tests that need it skip when it is missing.</summary>
    public const string DaemonPath = "/usr/bin/dbus-daemon";

    /// <summary>The bus's D-Bus address, <c>unix:path=…</c>.</summary>
    public string Address { get; }

    /// <summary>Known units by full name (<c>x.service</c>): their LoadState and ActiveState.</summary>
    public ConcurrentDictionary<string, (string LoadState, string ActiveState)> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>The names of every <c>ListUnitsByNames</c> call, in order.</summary>
    public ConcurrentQueue<string[]> Calls { get; } = new();

    /// <summary>The type of a unit's queued job (<c>stop</c>, <c>start</c>, …) by full unit name; none when absent.</summary>
    public ConcurrentDictionary<string, string> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts the bus and the fake systemd on it.</summary>
    public static async Task<FakeSystemdBus> StartAsync(CancellationToken cancellationToken)
    {
        var bus = new FakeSystemdBus();
        await bus.RestartAsync(cancellationToken).ConfigureAwait(false);
        return bus;
    }

    /// <summary>Kills the bus (every connection to it drops) and starts a new one on the same socket.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);
        File.Delete(Address["unix:path=".Length..]);
        _daemon = Process.Start(new ProcessStartInfo(DaemonPath, ["--session", "--nofork", "--nopidfile", $"--address={Address}", "--print-address"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        _ = await _daemon.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false); // printed once it listens

        _systemd = new DBusConnection(Address);
        await _systemd.ConnectAsync().AsTask().WaitAsync(timeout.Token).ConfigureAwait(false);
        _systemd.AddMethodHandler(new Manager(this));
        if (!await _systemd.TryRequestNameAsync("org.freedesktop.systemd1").WaitAsync(timeout.Token).ConfigureAwait(false))
        {
            throw new InvalidOperationException("the fake systemd could not own org.freedesktop.systemd1");
        }
    }

    /// <summary>The fake systemd gives up its name: calls to it get the bus's NameHasNoOwner error.</summary>
    public Task ReleaseSystemdNameAsync(CancellationToken cancellationToken) =>
        _systemd!.ReleaseNameAsync("org.freedesktop.systemd1").WaitAsync(StartTimeout, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _directory.Dispose();
    }

    private async Task StopAsync()
    {
        _systemd?.Dispose();
        _systemd = null;
        if (_daemon is { } daemon)
        {
            daemon.Kill();
            await daemon.WaitForExitAsync().WaitAsync(StartTimeout).ConfigureAwait(false);
            daemon.Dispose();
            _daemon = null;
        }
    }

    private sealed class Manager(FakeSystemdBus bus) : IPathMethodHandler
    {
        public string Path => "/org/freedesktop/systemd1";

        public bool HandlesChildPaths => false;

        public ValueTask HandleMethodAsync(MethodContext context)
        {
            var request = context.Request;
            if (request.InterfaceAsString != "org.freedesktop.systemd1.Manager" || request.MemberAsString != "ListUnitsByNames")
            {
                context.ReplyUnknownMethodError();
                return ValueTask.CompletedTask;
            }

            var names = request.GetBodyReader().ReadArrayOfString();
            bus.Calls.Enqueue(names);
            using var writer = context.CreateReplyWriter("a(ssssssouso)");
            var array = writer.WriteArrayStart(DBusType.Struct);
            foreach (var name in names)
            {
                var (loadState, activeState) = bus.Units.GetValueOrDefault(name, ("not-found", "inactive"));
                writer.WriteStructureStart();
                writer.WriteString(name);
                writer.WriteString("fake " + name);
                writer.WriteString(loadState);
                writer.WriteString(activeState);
                writer.WriteString(activeState == "active" ? "running" : "dead");
                writer.WriteString("");
                writer.WriteObjectPath("/org/freedesktop/systemd1/unit/x");
                var job = bus.Jobs.GetValueOrDefault(name, "");
                writer.WriteUInt32(job.Length == 0 ? 0u : 42u);
                writer.WriteString(job);
                writer.WriteObjectPath(job.Length == 0 ? "/" : "/org/freedesktop/systemd1/job/42");
            }

            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
            return ValueTask.CompletedTask;
        }
    }
}
