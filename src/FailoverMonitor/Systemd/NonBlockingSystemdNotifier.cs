using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting.Systemd;

namespace FailoverMonitor.Systemd;

/// <summary>
/// sd_notify(3) behind Microsoft.Extensions.Hosting.Systemd's <see cref="ISystemdNotifier"/>: one datagram per
/// state (<c>READY=1</c> and <c>STOPPING=1</c> from the library's lifetime, <c>WATCHDOG=1</c> and <c>STATUS=…</c>
/// from the monitor) to <c>$NOTIFY_SOCKET</c>; a leading <c>@</c> is Linux's abstract namespace. Outside systemd
/// (no socket) every call does nothing. It replaces the library's own SystemdNotifier, whose send blocks once the
/// receiver stops reading (that stalled the check loop and shutdown) and which throws when the socket is gone: here
/// a send never blocks, and a notification that cannot be sent is dropped, since it must not stop monitoring.
/// </summary>
public sealed class NonBlockingSystemdNotifier : ISystemdNotifier
{
    private readonly string? _socketPath;

    /// <summary>Notifier for the socket systemd named in <c>$NOTIFY_SOCKET</c>.</summary>
    public NonBlockingSystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))
    {
    }

    /// <summary>Notifier for <paramref name="socketPath"/> (widened for tests); null or empty: disabled.</summary>
    public NonBlockingSystemdNotifier(string? socketPath) => _socketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;

    /// <summary>Whether a notify socket is present (the process was started with <c>$NOTIFY_SOCKET</c>, as <c>Type=notify</c> does).</summary>
    public bool IsEnabled => _socketPath is not null;

    /// <summary>Sends <paramref name="state"/>, e.g. <c>new ServiceState("WATCHDOG=1")</c>, as one datagram; never blocks or throws.</summary>
    public void Notify(ServiceState state)
    {
        if (_socketPath is null)
        {
            return;
        }

        try
        {
            var path = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified) { Blocking = false };
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state.ToString()));
        }
        catch (SocketException)
        {
            // Nobody listening, or a full queue: dropped (see the summary).
        }
    }
}
