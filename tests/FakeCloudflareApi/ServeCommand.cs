using System.Text.Json;

namespace FakeCloudflareApi;

/// <summary><c>serve</c>: the fake as a process, for the systemd end-to-end suite and the benchmark.</summary>
internal static class ServeCommand
{
    private static readonly string[] Options = ["--urls", "--cert", "--key", "--host-name", "--latency-ms", "--seed"];
    private static readonly string[] Flags = ["--log-requests"];

    public static async Task<int> RunAsync(string[] args)
    {
        FakeCloudflareOptions options;
        SeedFile? seed;
        try
        {
            var values = CommandLine.Parse(args, Options, Flags);
            var urls = new Uri(CommandLine.Required(values, "--urls"), UriKind.Absolute);
            var https = urls.Scheme == Uri.UriSchemeHttps;
            if (!https && urls.Scheme != Uri.UriSchemeHttp)
            {
                throw new FormatException("--urls must be http:// or https://");
            }

            var cert = values.GetValueOrDefault("--cert");
            if (https != cert is not null)
            {
                throw new FormatException(https ? "https needs --cert" : "--cert needs an https:// url");
            }

            var endPoint = CommandLine.EndPoint(urls.Host, urls.Port, "--urls");
            options = new FakeCloudflareOptions
            {
                Address = endPoint.Address,
                Port = endPoint.Port,
                HostName = values.GetValueOrDefault("--host-name"),
                CertificatePemPath = cert,
                KeyPemPath = values.GetValueOrDefault("--key"),
                Latency = TimeSpan.FromMilliseconds(CommandLine.Int(values, "--latency-ms", 0, 0)),
                RequestLogWriter = values.ContainsKey("--log-requests") ? Console.Out : null,
            };
            seed = values.TryGetValue("--seed", out var seedPath) ? await ReadSeedAsync(seedPath) : null;
        }
        catch (Exception e) when (e is FormatException or UriFormatException or JsonException or IOException)
        {
            return CommandLine.Usage(e.Message);
        }

        using var signal = new ShutdownSignal();
        FakeCloudflare fake;
        try
        {
            fake = await FakeCloudflare.StartAsync(options);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"fake-cloudflare-api: cannot listen on {options.Address}:{options.Port}: {e.Message}");
            return 1;
        }

        await using (fake)
        {
            foreach (var tunnel in seed?.Tunnels ?? [])
            {
                fake.AddTunnel(tunnel);
            }

            Console.WriteLine($"listening {fake.BaseUrl}");
            await signal.Received;
        }

        return 0;
    }

    private static async Task<SeedFile> ReadSeedAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(stream, FakeJson.Default.SeedFile)
            ?? throw new JsonException($"{path}: the seed is JSON null");
    }
}
