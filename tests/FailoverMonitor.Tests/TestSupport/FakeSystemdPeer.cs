using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using FailoverMonitor.ServiceControl;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A D-Bus peer like PID 1's <c>/run/systemd/private</c> on a Unix socket in a temporary folder: it accepts SASL
/// EXTERNAL, records the member of every message it gets, answers no Hello (as PID 1 does not) and answers every
/// other method call with an UnknownMethod error. Just enough D-Bus for a client to connect and call.
/// </summary>
public sealed class FakeSystemdPeer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    /// <summary>Starts listening at once.</summary>
    public FakeSystemdPeer()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(_directory.Path, "private")));
        _listener.Listen();
        _serving = ServeAsync();
    }

    /// <summary>The peer's D-Bus address, <c>unix:path=…</c>.</summary>
    public string Address => $"unix:path={Path.Combine(_directory.Path, "private")}";

    /// <summary>The member of each message received, in order.</summary>
    public ConcurrentQueue<string> Members { get; } = new();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _serving.ContinueWith(static _ => { }, TaskScheduler.Default);
        _stop.Dispose();
        _directory.Dispose();
    }

    private async Task ServeAsync()
    {
        using var client = await _listener.AcceptAsync(_stop.Token);
        await using var stream = new NetworkStream(client);
        var nul = new byte[1];
        await stream.ReadExactlyAsync(nul, _stop.Token);
        string line;
        while ((line = await ReadLineAsync(stream)) != "BEGIN")
        {
            var answer = line.StartsWith("AUTH EXTERNAL", StringComparison.Ordinal) ? "OK 0123456789abcdef0123456789abcdef\r\n" : "ERROR\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), _stop.Token);
        }

        var header = new byte[16];
        while (true)
        {
            await stream.ReadExactlyAsync(header, _stop.Token);
            var fieldsLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            var rest = new byte[((16 + fieldsLength + 7) & ~7) - 16 + BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4))];
            await stream.ReadExactlyAsync(rest, _stop.Token);
            var member = MemberOf(rest.AsSpan(0, fieldsLength));
            Members.Enqueue(member);
            if (header[1] == 1 && member != "Hello")
            {
                // The same shape PID 1 gives an unknown method: an error reply to the call's serial.
                await stream.WriteAsync(PeerHelloStream.HelloErrorReply(BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8))), _stop.Token);
            }
        }
    }

    // Header fields are 8-aligned structs (code, signature, value); MEMBER is code 3, a string.
    private static string MemberOf(ReadOnlySpan<byte> fields)
    {
        var offset = 0;
        while (offset < fields.Length)
        {
            var signatureLength = fields[offset + 1];
            var valueOffset = (offset + 2 + signatureLength + 1 + 3) & ~3;
            var length = fields[offset + 2] switch
            {
                (byte)'s' or (byte)'o' => 4 + BinaryPrimitives.ReadInt32LittleEndian(fields[valueOffset..]) + 1,
                (byte)'g' => 1 + fields[valueOffset] + 1,
                _ => 4,
            };
            if (fields[offset] == 3)
            {
                return Encoding.ASCII.GetString(fields.Slice(valueOffset + 4, length - 5));
            }

            offset = (valueOffset + length + 7) & ~7;
        }

        return "";
    }

    private async Task<string> ReadLineAsync(NetworkStream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, _stop.Token);
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }
}
