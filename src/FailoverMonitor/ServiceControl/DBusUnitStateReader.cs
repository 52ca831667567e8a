using System.Runtime.InteropServices;
using FailoverMonitor.Configuration;
using Tmds.DBus.Protocol;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// <see cref="IUnitStateReader"/> through systemd's D-Bus API (org.freedesktop.systemd1(5)), with no process per
/// read: one <c>Manager.ListUnitsByNames</c> call for every unit, which loads each unit as <c>systemctl show</c>
/// does and answers its LoadState and ActiveState (a unit that does not exist: <c>not-found</c>, <c>inactive</c>).
/// One connection stays open across reads; after a failure the next read opens a new one.
/// </summary>
/// <param name="address">
/// A D-Bus address: <see cref="PrivateSocketAddress"/> (PID 1 itself, as root) or the system bus. See
/// <see cref="DefaultAddress"/>.
/// </param>
/// <param name="peer">
/// True when <paramref name="address"/> is a direct peer that answers no bus calls (PID 1's private socket): the
/// connection then opens through <see cref="PeerConnectionOptions"/>, without the bus Hello.
/// </param>
/// <param name="timeProvider">The clock of <see cref="CallTimeout"/>.</param>
public sealed class DBusUnitStateReader(string address, bool peer, TimeProvider timeProvider) : IUnitStateReader, IDisposable
{
    /// <summary>PID 1's own socket, what <c>systemctl</c> uses as root: no dbus-daemon needed, only uid 0 is let in.</summary>
    public const string PrivateSocketAddress = "unix:path=/run/systemd/private";

    /// <summary>
    /// Longest wait for connecting, and for one call; past it the read fails and the connection is dropped. PID 1
    /// answers in milliseconds; the first read waits this long before the fallback when a bus takes a call and never answers.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    // systemd.unit(5): the unit types. A name without one of these is a service, as systemctl reads it.
    private static readonly string[] TypeSuffixes =
        [".service", ".socket", ".device", ".mount", ".automount", ".swap", ".target", ".path", ".timer", ".slice", ".scope"];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DBusConnection? _connection;
    private Task<DBusConnection>? _opening;

    // Tmds.DBus.Protocol declares its P/Invokes (geteuid, recvmsg for unix fd passing) against the bare name "libc".
    // A host without libc6-dev has no file of that name (libc.so is a linker script from the -dev package), and
    // NativeAOT resolves it lazily at the first call, so point the name at the C library itself, for that assembly only.
    static DBusUnitStateReader() =>
        NativeLibrary.SetDllImportResolver(typeof(DBusConnection).Assembly, static (name, _, _) =>
            name == "libc" && NativeLibrary.TryLoad("libc.so.6", out var handle) ? handle : IntPtr.Zero);

    /// <inheritdoc />
    public string Source => $"D-Bus {address}";

    /// <summary>
    /// Starts opening the connection now, before the first read, so that start-up's read (READY=1 waits for it)
    /// finds it open or nearly while the host finishes starting. A failure surfaces at that read, as a connection
    /// that fails then would. Call it at most once, before any read.
    /// </summary>
    public void ConnectEarly() => _opening ??= ConnectAsync(CancellationToken.None);

    /// <summary>
    /// <see cref="PrivateSocketAddress"/> when <paramref name="privileged"/> (root), else the system bus
    /// (<c>$DBUS_SYSTEM_BUS_ADDRESS</c>, by default <c>/run/dbus/system_bus_socket</c>), where an unprivileged
    /// process may read unit states too.
    /// </summary>
    public static string DefaultAddress(bool privileged) =>
        privileged ? PrivateSocketAddress : DBusAddress.System ?? "unix:path=/run/dbus/system_bus_socket";

    /// <summary>The name systemd knows <paramref name="unit"/> by: with <c>.service</c> added when it has no type suffix.</summary>
    internal static string ToSystemdName(string unit) =>
        TypeSuffixes.Any(suffix => unit.EndsWith(suffix, StringComparison.Ordinal) && unit.Length > suffix.Length) ? unit : unit + ".service";

    /// <inheritdoc />
    /// <exception cref="ServiceControlException">No connection, no answer within <see cref="CallTimeout"/>, an error reply, or an answer that does not fit the names asked.</exception>
    public async Task<IReadOnlyDictionary<string, UnitState>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var distinct = units.Distinct(StringComparer.Ordinal).Select(UnitName.Validate).ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<string, UnitState>(StringComparer.Ordinal);
        }

        var names = distinct.Select(ToSystemdName).ToArray();
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var states = await CallAsync(names, cancellationToken).ConfigureAwait(false);
            return states.Count == distinct.Count
                ? distinct.Zip(states).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal)
                : throw Failure(names, $"systemd answered {states.Count} unit(s) for {distinct.Count} name(s)");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _connection?.Dispose();
        _connection = null;
        // An early connection nobody read through yet: closed once it is open, its failure observed.
        Interlocked.Exchange(ref _opening, null)?.ContinueWith(
            static opening => { if (opening.IsCompletedSuccessfully) { opening.Result.Dispose(); } }, TaskScheduler.Default);
        _gate.Dispose();
    }

    private async Task<List<UnitState>> CallAsync(string[] names, CancellationToken cancellationToken)
    {
        // A connection kept from an earlier read may have been closed by the peer meanwhile (systemd
        // re-executing, dbus-daemon restarting): that one is retried once on a fresh connection.
        for (var attempt = 0; ; attempt++)
        {
            var reused = _connection is not null;
            try
            {
                var connection = _connection ??= await (Interlocked.Exchange(ref _opening, null) ?? ConnectAsync(cancellationToken)).ConfigureAwait(false);
                return await connection.CallMethodAsync(ListUnitsByNames(connection, names), static (message, _) => ReadUnitStates(message), null)
                    .WaitAsync(CallTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (DBusErrorReplyException e)
            {
                // systemd answered: the connection is fine, the question was refused.
                throw Failure(names, $"{e.ErrorName}: {e.ErrorMessage}", e);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _connection?.Dispose();
                _connection = null;
                if (!reused || attempt > 0 || e is TimeoutException)
                {
                    throw Failure(names, e is TimeoutException ? $"no answer within {CallTimeout.TotalSeconds:0} s" : e.Message, e);
                }
            }
        }
    }

    private async Task<DBusConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new DBusConnection(peer ? new PeerConnectionOptions(address) : new DBusConnectionOptions(address));
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(CallTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static MessageBuffer ListUnitsByNames(DBusConnection connection, string[] names)
    {
        using var writer = connection.GetMessageWriter();
        writer.WriteMethodCallHeader(
            destination: "org.freedesktop.systemd1",
            path: "/org/freedesktop/systemd1",
            @interface: "org.freedesktop.systemd1.Manager",
            member: "ListUnitsByNames",
            signature: "as",
            flags: MessageFlags.NoAutoStart); // systemd is there or not: a bus must not try to start it

        writer.WriteArray(names);
        return writer.CreateMessage();
    }

    /// <summary>
    /// The reply of <c>ListUnitsByNames</c>, <c>a(ssssssouso)</c>: per unit its id, description, LoadState,
    /// ActiveState, SubState, the unit it follows, its object path and its job (id, type, path).
    /// </summary>
    internal static List<UnitState> ReadUnitStates(Message message)
    {
        var reader = message.GetBodyReader();
        var states = new List<UnitState>();
        var end = reader.ReadArrayStart(DBusType.Struct);
        while (reader.HasNext(end))
        {
            reader.AlignStruct();
            reader.ReadStringAsSpan(); // id
            reader.ReadStringAsSpan(); // description
            var loadState = reader.ReadString();
            var activeState = reader.ReadString();
            reader.ReadStringAsSpan(); // sub-state
            reader.ReadStringAsSpan(); // followed unit
            reader.ReadObjectPathAsSpan();
            reader.ReadUInt32(); // job id
            var job = reader.ReadString();
            reader.ReadObjectPathAsSpan(); // job path
            states.Add(new UnitState(activeState, loadState, job));
        }

        return states;
    }

    private ServiceControlException Failure(string[] names, string problem, Exception? inner = null) =>
        new($"D-Bus {address}", ["ListUnitsByNames", .. names], null, problem, inner);
}
