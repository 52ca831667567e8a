using System.Globalization;
using Tmds.DBus.Protocol;

namespace FakeCloudflareApi;

/// <summary>
/// <c>fake-systemd</c>: <see cref="FakeSystemd"/> as a process for the bench, answering <c>ListUnitsByNames</c> from
/// the fake <c>systemctl</c>'s unit directory (<see cref="UnitStateDirectory"/>), so the monitor reads unit states
/// over D-Bus as it does in production. Runs until SIGTERM/SIGINT.
/// </summary>
internal static class FakeSystemdCommand
{
    private static readonly string[] Options = ["--bus", "--unit-dir", "--log"];
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        using var signal = new ShutdownSignal();
        return await RunAsync(args, Console.Out, signal.Received);
    }

    /// <summary>Runs until <paramref name="stop"/> completes; prints <c>listening ADDRESS</c> to <paramref name="output"/> once it owns the name.</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, Task stop)
    {
        string address, log;
        UnitStateDirectory units;
        try
        {
            var values = CommandLine.Parse(args, Options);
            address = CommandLine.Required(values, "--bus");
            var directory = CommandLine.Required(values, "--unit-dir");
            units = Directory.Exists(directory) ? new UnitStateDirectory(directory) : throw new FormatException($"--unit-dir {directory}: no such directory");
            log = CommandLine.Required(values, "--log");
        }
        catch (FormatException e)
        {
            return CommandLine.Usage(e.Message);
        }

        FakeSystemd systemd;
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            systemd = await FakeSystemd.ConnectAsync(address, units.Read, names => File.AppendAllText(log, LogLine(TimeProvider.System, names)), timeout.Token);
        }
        catch (Exception e) when (e is DBusConnectionException or DBusErrorReplyException or InvalidOperationException or OperationCanceledException)
        {
            Console.Error.WriteLine($"fake-cloudflare-api: fake-systemd: {address}: {e.Message}");
            return 1;
        }

        using (systemd)
        {
            await output.WriteLineAsync($"listening {address}");
            await output.FlushAsync();
            await stop;
        }

        return 0;
    }

    /// <summary>
    /// One line of the fake <c>systemctl</c>'s call log (<c>&lt;epoch ns&gt; &lt;verb&gt; &lt;unit&gt;</c>) for a
    /// D-Bus call: <c>&lt;epoch ns&gt; ListUnitsByNames &lt;number of units&gt;</c>, so the bench can time unit-state
    /// reads against the monitor's other steps and tell them from systemctl processes.
    /// </summary>
    internal static string LogLine(TimeProvider time, string[] names) =>
        string.Create(CultureInfo.InvariantCulture, $"{(time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100} ListUnitsByNames {names.Length}\n");
}
