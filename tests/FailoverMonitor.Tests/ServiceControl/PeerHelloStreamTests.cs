using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.ServiceControl;

/// <summary><see cref="PeerHelloStream"/> byte by byte, over a real connected Unix socket pair.</summary>
public sealed class PeerHelloStreamTests : IDisposable
{
    private static readonly byte[] Auth = "\0AUTH EXTERNAL 30\r\n"u8.ToArray();
    private static readonly byte[] Begin = "BEGIN\r\n"u8.ToArray();
    private readonly TempDirectory _directory = new();
    private readonly Socket _peer;
    private readonly PeerHelloStream _stream;

    public PeerHelloStreamTests()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var endPoint = new UnixDomainSocketEndPoint(Path.Combine(_directory.Path, "s"));
        listener.Bind(endPoint);
        listener.Listen();
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(endPoint);
        _peer = listener.Accept();
        _stream = new PeerHelloStream(new NetworkStream(client, ownsSocket: true));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _stream.Dispose();
        _peer.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task WriteAsync_AuthHelloInPiecesThenCall_PeerGetsAuthAndCallButNoHello()
    {
        var hello = MethodCall("Hello", serial: 1);
        var call = MethodCall("Units", serial: 2);

        await _stream.WriteAsync(Auth, Ct);
        await _stream.WriteAsync(Begin, Ct);
        await _stream.WriteAsync(hello.AsMemory(0, 10), Ct);
        await _stream.WriteAsync(hello.AsMemory(10), Ct);
        await _stream.WriteAsync(call, Ct);

        var expected = Auth.Concat(Begin).Concat(call).ToArray();
        Assert.Equal(expected, await ReceiveAsync(expected.Length));
    }

    [Fact]
    public async Task WriteAsync_AuthExternalLine_BeginGoesWithItAndTheLaterBeginNotAgain()
    {
        await _stream.WriteAsync(Auth, Ct);
        var expected = Auth.Concat(Begin).ToArray();
        Assert.Equal(expected, await ReceiveAsync(expected.Length));

        await _stream.WriteAsync(Begin, Ct);
        await _stream.WriteAsync(MethodCall("Hello", serial: 1), Ct);
        var call = MethodCall("Units", serial: 2);
        await _stream.WriteAsync(call, Ct);

        Assert.Equal(call, await ReceiveAsync(call.Length));
    }

    [Fact]
    public async Task ReadAsync_AfterHello_ErrorReplyToTheHellosSerialThenThePeersBytes()
    {
        await _stream.WriteAsync(Auth.Concat(Begin).ToArray(), Ct);
        await _stream.WriteAsync(MethodCall("Hello", serial: 7), Ct);
        await _peer.SendAsync("later"u8.ToArray(), Ct);

        var expectedReply = PeerHelloStream.HelloErrorReply(7);
        var received = await ReadAsync(expectedReply.Length + 5);

        Assert.Equal(expectedReply, received[..expectedReply.Length]);
        Assert.Equal("later"u8.ToArray(), received[expectedReply.Length..]);
    }

    [Fact]
    public async Task ReadAsync_DuringAuthentication_PassesThePeersLines()
    {
        await _stream.WriteAsync(Auth, Ct);
        await _peer.SendAsync("OK 0123\r\n"u8.ToArray(), Ct);

        Assert.Equal("OK 0123\r\n", Encoding.ASCII.GetString(await ReadAsync(9)));
    }

    [Fact]
    public async Task WriteAsync_FirstMessageNotHello_ThrowsIOException()
    {
        await _stream.WriteAsync(Auth.Concat(Begin).ToArray(), Ct);

        await Assert.ThrowsAsync<IOException>(async () => await _stream.WriteAsync(MethodCall("Units", serial: 1), Ct));
    }

    [Fact]
    public void HelloErrorReply_Serial_LittleEndianErrorWithReplySerialAndName()
    {
        var reply = PeerHelloStream.HelloErrorReply(0x01020304);

        Assert.Equal([(byte)'l', 3, 1, 1], reply[..4]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4))); // no body
        Assert.Equal([5, 1, (byte)'u', 0], reply[16..20]);
        Assert.Equal(0x01020304u, BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(20)));
        Assert.Equal([4, 1, (byte)'s', 0], reply[24..28]);
        var name = BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(28));
        Assert.Equal("org.freedesktop.DBus.Error.UnknownMethod", Encoding.ASCII.GetString(reply, 32, name));
        Assert.Equal(0, reply.Length % 8);
        Assert.Equal(16 + 16 + name + 1, 16 + BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(12)));
    }

    // A little-endian method call with no body and one header field, MEMBER (a 5-letter name keeps it 32 bytes).
    private static byte[] MethodCall(string member, uint serial)
    {
        var message = new byte[32];
        message[0] = (byte)'l';
        message[1] = 1;
        message[3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(8), serial);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(12), 14);
        message[16] = 3;
        message[17] = 1;
        message[18] = (byte)'s';
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(20), (uint)member.Length);
        Encoding.ASCII.GetBytes(member).CopyTo(message, 24);
        return message;
    }

    private async Task<byte[]> ReceiveAsync(int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            received += await _peer.ReceiveAsync(buffer.AsMemory(received), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        return buffer;
    }

    private async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            read += await _stream.ReadAsync(buffer.AsMemory(read), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }

        return buffer;
    }
}
