using System.Globalization;
using System.Net;

namespace FakeCloudflareApi;

/// <summary>Hand-rolled parsing of <c>--name value</c> options and value-less flags.</summary>
internal static class CommandLine
{
    public const string UsageText = """
        usage:
          fake-cloudflare-api serve --urls http[s]://IP:PORT [--cert PEM [--key PEM]] [--host-name NAME]
                                    [--latency-ms N] [--seed FILE.json] [--log-requests]
              Serves the fake API and the /_fake/ admin API; prints "listening <base url>" when ready.
              --host-name: name put in the base url (e.g. api.cloudflare.com when /etc/hosts maps it to IP).
              --log-requests: one stdout line per API request (never the token).
              Seed: {"tunnels":[{"account_id","tunnel_id","name","token","connectors":["id",...],"status":null}]};
              "connectors" present (even []) means the tunnel has run: none live gives "down", absent gives "inactive".
          fake-cloudflare-api connector --api URL --tunnel TUNNEL_ID [--metrics IP:PORT] [--connector-id ID]
                                        [--connections N]
              A stand-in for a backup cloudflared: registers with the fake at --api, serves GET /ready on
              --metrics (default 127.0.0.1:20241), deregisters on SIGTERM/SIGINT.
          fake-cloudflare-api fake-systemd --bus unix:path=SOCKET --unit-dir DIR --log FILE
              A stand-in for systemd on a D-Bus bus (e.g. dbus-daemon --session): owns org.freedesktop.systemd1 and
              answers Manager.ListUnitsByNames from DIR (UNIT.tunnel: loaded, UNIT.active: active), appending
              "<epoch ns> ListUnitsByNames <units>" to FILE per call; prints "listening <address>" when ready.
        """;

    /// <summary>Writes an error and the usage to stderr; returns exit code 2.</summary>
    public static int Usage(string? error = null)
    {
        if (error is not null)
        {
            Console.Error.WriteLine($"fake-cloudflare-api: {error}");
        }

        Console.Error.WriteLine(UsageText);
        return 2;
    }

    /// <summary>Parses options; throws <see cref="FormatException"/> naming the bad argument.</summary>
    public static Dictionary<string, string> Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> options, IReadOnlyCollection<string>? flags = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (flags?.Contains(name) == true)
            {
                values[name] = "true";
            }
            else if (options.Contains(name))
            {
                values[name] = i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value");
            }
            else
            {
                throw new FormatException($"unknown argument '{name}'");
            }
        }

        return values;
    }

    public static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) ? value : throw new FormatException($"{name} is required");

    public static int Int(Dictionary<string, string> values, string name, int fallback, int min) =>
        !values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min ? value
        : throw new FormatException($"{name} must be an integer >= {min}");

    /// <summary>An IP (or <c>localhost</c>) and port; names are not resolved, so nothing leaves the host.</summary>
    public static IPEndPoint EndPoint(string host, int port, string argument)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? new IPEndPoint(address, port)
            : throw new FormatException($"{argument}: '{host}' is not an IP address (names are not resolved)");
    }
}
