using System.Runtime.InteropServices;

namespace FakeCloudflareApi;

/// <summary>Completes <see cref="Received"/> on the first SIGTERM or SIGINT, which then no longer kill the process.</summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignal() => _registrations = [Register(PosixSignal.SIGTERM), Register(PosixSignal.SIGINT)];

    public Task Received => _received.Task;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        _received.TrySetResult();
    });
}
