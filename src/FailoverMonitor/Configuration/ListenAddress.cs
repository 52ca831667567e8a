using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FailoverMonitor.Configuration;

/// <summary>The rule of a listening address in <c>tunnels.json</c> (<c>metrics_listen</c>): an address to bind, not a name.</summary>
public static class ListenAddress
{
    /// <summary>
    /// Parses <c>IPv4:port</c>, <c>[IPv6]:port</c> or <c>localhost:port</c> (127.0.0.1), port 1–65535. Host names
    /// other than localhost are refused: a listener binds addresses, not names.
    /// </summary>
    /// <param name="value">The text from the file; null is refused.</param>
    /// <param name="endPoint">The address and port when the text is accepted.</param>
    /// <returns>Whether the text is accepted.</returns>
    public static bool TryParse(string? value, out IPEndPoint endPoint)
    {
        endPoint = null!;
        var colon = value?.LastIndexOf(':') ?? -1;
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = value![..colon];
        IPAddress? address;
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            if (!IPAddress.TryParse(host[1..^1], out address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (host.Count(c => c == '.') != 3 || !IPAddress.TryParse(host, out address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            // Three dots: IPAddress.TryParse also takes legacy short forms ("127.1"), which here are typos.
            return false;
        }

        endPoint = new IPEndPoint(address, port);
        return true;
    }
}
