using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Threading.Channels;

namespace FailoverMonitor.ServiceControl;

/// <summary>
/// A D-Bus connection stream for a direct peer (PID 1's <c>/run/systemd/private</c>), not a bus. Tmds.DBus.Protocol
/// 0.95 has no peer mode: after authenticating it always sends <c>org.freedesktop.DBus.Hello</c> and waits for the
/// reply, which only a bus gives (PID 1 leaves it unanswered, so every connect would run into the timeout). This
/// stream passes the authentication through, keeps that first message (the Hello) from the peer, and hands Tmds an
/// error reply to it, which Tmds reads as "a connection without a unique name". It also sends BEGIN along with
/// the AUTH line (see <see cref="TakeAuthLine"/>). Everything else passes unchanged.
/// </summary>
/// <param name="inner">The connected socket's stream; disposed with this one.</param>
public sealed class PeerHelloStream(Stream inner) : Stream
{
    private const int FixedHeaderLength = 16; // endianness, type, flags, version, body length, serial, fields length
    private const byte MethodCall = 1;
    private const byte Error = 3;
    private static readonly byte[] Begin = "BEGIN\r\n"u8.ToArray();
    private static readonly byte[] AuthExternal = "AUTH EXTERNAL "u8.ToArray();
    private static readonly byte[] HelloMember = "Hello\0"u8.ToArray();
    private static readonly byte[] ErrorName = Encoding.ASCII.GetBytes("org.freedesktop.DBus.Error.UnknownMethod");

    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>();
    private readonly List<byte> _held = [];
    private Phase _phase;
    private bool _beginSent;
    private ReadOnlyMemory<byte> _unread;
    private Task? _pump;

    private enum Phase
    {
        Authenticating,
        Hello,
        Passing,
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// The error reply to the Hello whose serial is <paramref name="helloSerial"/>: little-endian, no body, fields
    /// REPLY_SERIAL and ERROR_NAME (D-Bus specification, "Message Format").
    /// </summary>
    internal static byte[] HelloErrorReply(uint helloSerial)
    {
        var fieldsLength = 8 + 8 + ErrorName.Length + 1;
        var message = new byte[Align8(FixedHeaderLength + fieldsLength)];
        message[0] = (byte)'l';
        message[1] = Error;
        message[2] = 1; // NO_REPLY_EXPECTED
        message[3] = 1; // protocol version
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), 1); // our serial: any non-zero value
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(12), (uint)fieldsLength);
        message[16] = 5; // REPLY_SERIAL, variant of signature "u"
        message[17] = 1;
        message[18] = (byte)'u';
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(20), helloSerial);
        message[24] = 4; // ERROR_NAME, variant of signature "s"
        message[25] = 1;
        message[26] = (byte)'s';
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(28), (uint)ErrorName.Length);
        ErrorName.CopyTo(message, 32);
        return message;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pump ??= PumpAsync();
        if (_unread.IsEmpty)
        {
            // Throws the socket's error when the pump ended with one.
            if (!await _incoming.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            _unread = await _incoming.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, _unread.Length);
        _unread[..count].CopyTo(buffer);
        _unread = _unread[count..];
        return count;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var forward = TakeOutgoing(buffer.Span);
        return forward.Length == 0 ? ValueTask.CompletedTask : inner.WriteAsync(forward, cancellationToken);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(TakeOutgoing(buffer.AsSpan(offset, count)));

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose(); // ends the pump's pending read, and with it any pending ReadAsync
        }

        base.Dispose(disposing);
    }

    private static int Align8(int length) => (length + 7) & ~7;

    // What of the outgoing bytes goes to the peer: all of them, except the first message after "BEGIN\r\n".
    private byte[] TakeOutgoing(ReadOnlySpan<byte> data)
    {
        var forward = new ArrayBufferWriter<byte>(data.Length);
        while (!data.IsEmpty)
        {
            switch (_phase)
            {
                case Phase.Authenticating:
                    var newline = data.IndexOf((byte)'\n');
                    var line = newline < 0 ? data : data[..(newline + 1)];
                    _held.AddRange(line);
                    data = data[line.Length..];
                    if (newline >= 0)
                    {
                        TakeAuthLine(forward);
                    }

                    break;
                case Phase.Hello:
                    var take = Math.Min(data.Length, HeldMessageLength() - _held.Count);
                    _held.AddRange(data[..take]);
                    data = data[take..];
                    if (_held.Count == HeldMessageLength())
                    {
                        AnswerHello();
                    }

                    break;
                default:
                    forward.Write(data);
                    data = [];
                    break;
            }
        }

        return forward.WrittenSpan.ToArray();
    }

    // sd-bus (PID 1) leaves bytes that come in the same read as "BEGIN" unparsed until the socket wakes it again,
    // so a call sent right after BEGIN waits for the next one. Sent with the AUTH line, as sd-bus's own client
    // does, BEGIN is read before the OK goes out, and the first call comes in a read of its own. Tmds's own BEGIN
    // then goes no further.
    private void TakeAuthLine(ArrayBufferWriter<byte> forward)
    {
        var line = _held.ToArray();
        _held.Clear();
        if (line.AsSpan().SequenceEqual(Begin))
        {
            _phase = Phase.Hello;
            if (_beginSent)
            {
                return;
            }
        }

        forward.Write(line);
        if (line.AsSpan().TrimStart((byte)0).StartsWith(AuthExternal))
        {
            forward.Write(Begin);
            _beginSent = true;
        }
    }

    // The held message's whole length once its fixed header is in, else the fixed header's.
    private int HeldMessageLength()
    {
        if (_held.Count < FixedHeaderLength)
        {
            return FixedHeaderLength;
        }

        var header = _held.GetRange(0, FixedHeaderLength).ToArray();
        var littleEndian = header[0] == (byte)'l';
        uint Read(int offset) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(offset))
            : BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset));
        return checked(Align8(FixedHeaderLength + (int)Read(12)) + (int)Read(4));
    }

    private void AnswerHello()
    {
        var message = _held.ToArray();
        _held.Clear();
        if (message[1] != MethodCall || message.AsSpan(FixedHeaderLength).IndexOf(HelloMember) < 0)
        {
            throw new IOException("D-Bus peer stream: the first message after authentication is not the Hello call.");
        }

        var serial = message[0] == (byte)'l'
            ? BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(8))
            : BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(8));
        _phase = Phase.Passing;

        // The peer has been asked nothing yet, so nothing of its own can be half-queued ahead of this reply.
        _incoming.Writer.TryWrite(HelloErrorReply(serial));
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[4096];
        try
        {
            int count;
            while ((count = await inner.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                _incoming.Writer.TryWrite(buffer.AsSpan(0, count).ToArray());
            }

            _incoming.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _incoming.Writer.TryComplete(e);
        }
    }
}
