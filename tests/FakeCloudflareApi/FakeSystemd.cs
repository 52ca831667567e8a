using Tmds.DBus.Protocol;

namespace FakeCloudflareApi;

/// <summary>What the fake systemd answers for one unit: its LoadState, ActiveState and queued job type ("" for none).</summary>
/// <param name="LoadState">systemd's LoadState, e.g. <c>loaded</c>, <c>not-found</c>.</param>
/// <param name="ActiveState">systemd's ActiveState, e.g. <c>active</c>, <c>inactive</c>.</param>
/// <param name="Job">The type of the unit's queued job (<c>start</c>, <c>stop</c>, …), or "" when none is queued.</param>
public readonly record struct FakeUnitState(string LoadState, string ActiveState, string Job = "")
{
    /// <summary>What systemd answers for a unit it has no file for.</summary>
    public static FakeUnitState NotFound { get; } = new("not-found", "inactive");
}

/// <summary>
/// A tiny fake systemd on a D-Bus bus: owns <c>org.freedesktop.systemd1</c> and answers
/// <c>org.freedesktop.systemd1.Manager.ListUnitsByNames</c> (reply <c>a(ssssssouso)</c>, as org.freedesktop.systemd1(5)
/// documents it) from a lookup; every other call gets UnknownMethod. Used by the product's component tests and, as
/// <c>fake-cloudflare-api fake-systemd</c>, by the bench. Starting and stopping units stay with <c>systemctl</c>.
/// </summary>
public sealed class FakeSystemd : IDisposable
{
    /// <summary>The bus name systemd owns.</summary>
    public const string BusName = "org.freedesktop.systemd1";

    private readonly DBusConnection _connection;

    private FakeSystemd(DBusConnection connection) => _connection = connection;

    /// <summary>
    /// Connects to the bus at <paramref name="address"/> (<c>unix:path=…</c>) and takes <see cref="BusName"/>.
    /// <paramref name="lookup"/> gets each full unit name asked for (<c>x.service</c>); <paramref name="onCall"/>,
    /// when given, gets the names of every call before it is answered.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another connection owns <see cref="BusName"/>.</exception>
    /// <exception cref="DBusConnectionException">No bus at <paramref name="address"/>, or it refused the connection.</exception>
    public static async Task<FakeSystemd> ConnectAsync(
        string address, Func<string, FakeUnitState> lookup, Action<string[]>? onCall, CancellationToken cancellationToken)
    {
        var connection = new DBusConnection(address);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            connection.AddMethodHandler(new Manager(lookup, onCall));
            if (!await connection.TryRequestNameAsync(BusName, RequestNameOptions.None).WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"the fake systemd could not own {BusName} on {address}");
            }

            return new FakeSystemd(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Gives up <see cref="BusName"/>: calls to it then get the bus's NameHasNoOwner error.</summary>
    public Task ReleaseNameAsync(CancellationToken cancellationToken) =>
        _connection.ReleaseNameAsync(BusName).WaitAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private sealed class Manager(Func<string, FakeUnitState> lookup, Action<string[]>? onCall) : IPathMethodHandler
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
            onCall?.Invoke(names);
            using var writer = context.CreateReplyWriter("a(ssssssouso)");
            var array = writer.WriteArrayStart(DBusType.Struct);
            foreach (var name in names)
            {
                var unit = lookup(name);
                writer.WriteStructureStart();
                writer.WriteString(name);
                writer.WriteString("fake " + name);
                writer.WriteString(unit.LoadState);
                writer.WriteString(unit.ActiveState);
                writer.WriteString(unit.ActiveState == "active" ? "running" : "dead");
                writer.WriteString(""); // the unit it follows
                writer.WriteObjectPath("/org/freedesktop/systemd1/unit/x");
                writer.WriteUInt32(unit.Job.Length == 0 ? 0u : 42u);
                writer.WriteString(unit.Job);
                writer.WriteObjectPath(unit.Job.Length == 0 ? "/" : "/org/freedesktop/systemd1/job/42");
            }

            writer.WriteArrayEnd(array);
            context.Reply(writer.CreateMessage());
            return ValueTask.CompletedTask;
        }
    }
}
