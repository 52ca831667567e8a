using System.Net.Sockets;
using Tmds.DBus.Protocol;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// Tmds.DBus.Protocol connection options for a direct peer on a Unix socket (PID 1's <c>/run/systemd/private</c>):
/// the connection runs over a <see cref="PeerHelloStream"/>, so it opens without the bus-only Hello round trip.
/// </summary>
/// <param name="address">A <c>unix:path=…</c> D-Bus address.</param>
/// <exception cref="ArgumentException"><paramref name="address"/> is not of the form <c>unix:path=…</c>.</exception>
public sealed class PeerConnectionOptions(string address) : DBusConnectionOptions(address)
{
    private const string UnixPathPrefix = "unix:path=";

    private readonly string _path = address.StartsWith(UnixPathPrefix, StringComparison.Ordinal) && address.Length > UnixPathPrefix.Length
        ? address[UnixPathPrefix.Length..]
        : throw new ArgumentException($"A D-Bus peer address must be {UnixPathPrefix}<socket>, not '{address}'.", nameof(address));

    /// <inheritdoc />
    protected override async ValueTask<SetupResult> SetupAsync(CancellationToken cancellationToken)
    {
        // The library's own setup knows our user id (geteuid) and machine id; only the stream is ours.
        var defaults = await base.SetupAsync(cancellationToken).ConfigureAwait(false);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(_path), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new SetupResult
        {
            UserId = defaults.UserId,
            MachineId = defaults.MachineId,
            ConnectionStream = new PeerHelloStream(new NetworkStream(socket, ownsSocket: true)),
        };
    }
}
