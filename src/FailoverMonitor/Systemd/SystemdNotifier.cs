using System.Net.Sockets;
using System.Text;

namespace FailoverMonitor.Systemd;

/// <summary>
/// sd_notify(3) for <c>Type=notify</c> units: sends <c>READY=1</c>, <c>STATUS=…</c>, <c>WATCHDOG=1</c> and
/// <c>STOPPING=1</c> datagrams to <c>$NOTIFY_SOCKET</c>. Stands in for the package
/// Microsoft.Extensions.Hosting.Systemd (its <c>SystemdNotifier</c>), which our package source lacks.
/// Outside systemd (no socket) every call does nothing.
/// </summary>
public sealed class SystemdNotifier
{
    private readonly string? _socketPath;

    /// <summary>Notifier for the socket systemd named in <c>$NOTIFY_SOCKET</c>.</summary>
    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>Notifier for <paramref name="socketPath"/> (widened for tests); a leading <c>@</c> is Linux's abstract namespace.</summary>
    public SystemdNotifier(string? socketPath) => _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;

    /// <summary>Whether a notify socket is present (the process was started by systemd with <c>Type=notify</c>).</summary>
    public bool IsEnabled => _socketPath is not null;

    /// <summary>Sends one state line, e.g. <c>READY=1</c>. Failures are swallowed: a lost notification must not stop monitoring.</summary>
    /// <returns>Whether the datagram was sent.</returns>
    public bool Notify(string state)
    {
        if (_socketPath is null)
        {
            return false;
        }

        try
        {
            var path = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
            // Non-blocking: a receiver that stops reading must not stall the check loop (or shutdown) on a full queue.
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
