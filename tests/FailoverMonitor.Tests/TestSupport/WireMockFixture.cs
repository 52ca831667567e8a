using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// One WireMock.Net server for a whole test class (an xUnit class fixture), on a free loopback port it picks
/// itself; <see cref="Fresh"/> empties it of stubs, scenarios and logged requests at the start of each test.
/// Requests it holds open (<see cref="Hang"/>) are let go when the class is done, so stopping never waits on them.
/// </summary>
public sealed class WireMockFixture : IDisposable
{
    private readonly CancellationTokenSource _done = new();
    private SemaphoreSlim _hung = new(0);
    private int _hungCount;

    /// <summary>The server, on 127.0.0.1 only (WireMock.Net's default listens on every interface); port 0 lets the OS pick a free one.</summary>
    public WireMockServer Server { get; } = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });

    /// <summary>The server, without any stub, scenario state, log entry or hung request count left from an earlier test.</summary>
    public WireMockServer Fresh()
    {
        Server.Reset();
        _hung = new SemaphoreSlim(0);
        Volatile.Write(ref _hungCount, 0);
        return Server;
    }

    /// <summary>
    /// A peer that takes the request and never answers: the request is not logged (WireMock logs answers), but
    /// <see cref="WaitForHungRequestAsync"/> sees it arrive.
    /// </summary>
    public IResponseBuilder Hang() => Response.Create().WithCallback(async _ =>
    {
        Interlocked.Increment(ref _hungCount);
        _hung.Release();
        await Task.Delay(Timeout.Infinite, _done.Token);
        throw new OperationCanceledException(_done.Token);
    });

    /// <summary>Requests that reached a <see cref="Hang"/> stub since <see cref="Fresh"/>.</summary>
    public int HungRequests => Volatile.Read(ref _hungCount);

    /// <summary>Waits until one more request has reached a <see cref="Hang"/> stub.</summary>
    public Task WaitForHungRequestAsync(CancellationToken cancellationToken) => _hung.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _done.Cancel();
        Server.Stop();
        Server.Dispose();
        _done.Dispose();
    }
}
