using System.Diagnostics;

namespace FakeCloudflareApi;

/// <summary>
/// Debian's <c>dbus-daemon</c> as a private bus on a Unix socket (<c>--session --nofork</c>), for tests that need a
/// real D-Bus peer. Killed on dispose; every connection to it then drops.
/// </summary>
public sealed class DBusDaemon : IAsyncDisposable
{
    /// <summary>Where <c>dbus-daemon</c> lives (Debian package dbus-daemon); tests that need it skip when it is missing.</summary>
    public const string DaemonPath = "/usr/bin/dbus-daemon";

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private readonly Process _process;

    private DBusDaemon(Process process, string address) => (_process, Address) = (process, address);

    /// <summary>The bus's D-Bus address, <c>unix:path=…</c>.</summary>
    public string Address { get; }

    /// <summary>Starts a bus listening on <paramref name="socketPath"/> (which must not exist) and waits until it listens.</summary>
    /// <exception cref="InvalidOperationException">The daemon exited before it listened.</exception>
    public static async Task<DBusDaemon> StartAsync(string socketPath, CancellationToken cancellationToken)
    {
        var address = $"unix:path={socketPath}";
        var process = Process.Start(new ProcessStartInfo(DaemonPath, ["--session", "--nofork", "--nopidfile", $"--address={address}", "--print-address"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var daemon = new DBusDaemon(process, address);
        try
        {
            // The address is printed once the daemon listens; end of output means it exited.
            _ = await process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{DaemonPath} exited before it listened on {address}");
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync().WaitAsync(StopTimeout).ConfigureAwait(false);
        _process.Dispose();
    }
}
