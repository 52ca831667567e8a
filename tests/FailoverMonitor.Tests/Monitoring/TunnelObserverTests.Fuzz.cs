using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Monitoring;

// Seeded, repeatable fuzzing of the observer and the real client over one loopback server: real-shaped list,
// single-tunnel and /connections answers, mutated, under statuses that are not retried (so no clock has to move).
// Every case must end as a status or an Unknown with a reason, with no control character in any text.
public sealed partial class TunnelObserverTests
{
    private const int FuzzSeed = 20261201;
    private const int FuzzCases = 2400;
    private static readonly int[] FuzzStatuses = [200, 200, 200, 400, 403, 404];

    [Fact]
    public async Task ObserveAsync_MutatedRealAnswers_EachTunnelStatusOrUnknownWithCleanReason()
    {
        var observer = Observer();
        TunnelSettings[] listed = [Tunnel(AccountA, Good), Tunnel(AccountA, Agreeing)];
        var single = Tunnel(AccountB, Lone);
        var (known, unknown) = (0, 0);
        for (var n = 0; n < FuzzCases; n++)
        {
            var mutator = new JsonMutator(new Random(FuzzSeed + n));
            var (target, tunnels, needsConnectors) = (n % 3) switch
            {
                0 => ("list", listed, false),
                1 => ("single tunnel", new[] { single }, false),
                _ => ("connections", new[] { single }, true),
            };
            Answer($"/client/v4/accounts/{AccountA}/cfd_tunnel", RealList);
            Answer($"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}", RealSingle);
            Answer($"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}/connections", RealConnections);
            var path = target switch
            {
                "list" => $"/client/v4/accounts/{AccountA}/cfd_tunnel",
                "single tunnel" => $"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}",
                _ => $"/client/v4/accounts/{AccountB}/cfd_tunnel/{Lone}/connections",
            };
            var status = FuzzStatuses[n % 7 % FuzzStatuses.Length];
            var body = mutator.Mutate(target switch { "list" => RealList, "single tunnel" => RealSingle, _ => RealConnections });
            _answers[path] = (status, body);
            string Where() => $"seed {FuzzSeed}, case {n} ({target}, HTTP {status}, {string.Join("; ", mutator.Applied)})";

            IReadOnlyDictionary<TunnelSettings, TunnelObservation> observed;
            try
            {
                observed = await observer.ObserveAsync(tunnels, Tokens, _ => needsConnectors, Ct);
            }
            catch (Exception e)
            {
                Assert.Fail($"{Where()}: {e.GetType().Name} escaped: {e.Message}");
                throw;
            }

            foreach (var tunnel in tunnels)
            {
                var observation = observed[tunnel];
                if (Flaw(observation, needsConnectors) is { } flaw)
                {
                    Assert.Fail($"{Where()}: {flaw}");
                }

                (known, unknown) = observation.IsUnknown ? (known, unknown + 1) : (known + 1, unknown);
            }
        }

        Assert.True(known > FuzzCases / 10 && unknown > FuzzCases / 10, $"seed {FuzzSeed}: {known} statuses, {unknown} Unknown: the mutations do not exercise both ends");
    }

    private static string? Flaw(TunnelObservation observation, bool needsConnectors)
    {
        if (observation.IsUnknown ? string.IsNullOrWhiteSpace(observation.Failure?.Message) : !Enum.IsDefined(observation.Status!.Value))
        {
            return observation.IsUnknown ? "Unknown without a reason" : $"status {(int)observation.Status!.Value} is no TunnelStatus";
        }

        if (needsConnectors && !observation.IsUnknown && (observation.Connectors is null) == string.IsNullOrWhiteSpace(observation.ConnectorsFailure?.Message))
        {
            return "connectors neither read nor failed with a reason";
        }

        string?[] texts = [observation.Failure?.Message, observation.ConnectorsFailure?.Message, observation.LocalConnectorId, .. observation.Connectors?.Select(c => c.Id) ?? []];
        return texts.FirstOrDefault(t => t is not null && t.Any(char.IsControl)) is { } raw
            ? $"control character in \"{string.Concat(raw.Take(200).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))}\""
            : null;
    }

    private const string RealList = $$$"""
        {"success":true,"errors":[],"messages":[],"result":[
          {"id":"{{{Good}}}","account_tag":"{{{AccountA}}}","created_at":"2025-03-02T10:11:12.123456Z","deleted_at":null,"name":"web",
           "connections":[],"conns_active_at":"2026-11-30T08:00:01.654321Z","conns_inactive_at":null,"tun_type":"cfd_tunnel",
           "metadata":{},"status":"healthy","remote_config":true,"config_src":"cloudflare"},
          {"id":"{{{Agreeing}}}","account_tag":"{{{AccountA}}}","created_at":"2025-03-02T10:11:12.123456Z","deleted_at":null,"name":"api",
           "conns_active_at":null,"conns_inactive_at":"2026-12-01T15:59:58.000001Z","tun_type":"cfd_tunnel",
           "metadata":{},"status":"down","remote_config":false,"config_src":"local"}
        ],"result_info":{"page":1,"per_page":100,"count":2,"total_count":2}}
        """;

    private const string RealSingle = $$$"""
        {"success":true,"errors":[],"messages":[],"result":{"id":"{{{Lone}}}","account_tag":"{{{AccountB}}}",
          "created_at":"2025-03-02T10:11:12.123456Z","deleted_at":null,"name":"lone","conns_active_at":"2026-11-30T08:00:01.654321Z",
          "conns_inactive_at":null,"tun_type":"cfd_tunnel","metadata":{},"status":"degraded","remote_config":true,"config_src":"cloudflare"}}
        """;

    private const string RealConnections = """
        {"success":true,"errors":[],"messages":[],"result":[
          {"id":"1bedc6b5-3e2e-4a5f-9a0e-6b8b2f1c0a11","arch":"linux_amd64","version":"2026.11.0","run_at":"2026-11-30T08:00:00.123456Z",
           "config_version":3,"features":["ha-origin","postquantum"],"conns":[
             {"id":"9f1c2d3e-0000-4000-8000-000000000001","uuid":"9f1c2d3e-0000-4000-8000-000000000001","client_id":"1bedc6b5-3e2e-4a5f-9a0e-6b8b2f1c0a11",
              "client_version":"2026.11.0","colo_name":"fra08","opened_at":"2026-11-30T08:00:01.654321Z","origin_ip":"203.0.113.7","is_pending_reconnect":false},
             {"id":"9f1c2d3e-0000-4000-8000-000000000002","uuid":"9f1c2d3e-0000-4000-8000-000000000002","client_id":"1bedc6b5-3e2e-4a5f-9a0e-6b8b2f1c0a11",
              "client_version":"2026.11.0","colo_name":"ams01","opened_at":"2026-11-30T08:00:01.754321Z","origin_ip":"203.0.113.7"}]},
          {"id":"2c0ffee0-1111-4222-8333-444455556666","arch":"linux_arm64","version":"2026.10.1","run_at":"2026-12-01T16:00:00.000001Z",
           "config_version":3,"features":[],"conns":[
             {"id":"9f1c2d3e-0000-4000-8000-000000000003","client_id":"2c0ffee0-1111-4222-8333-444455556666","colo_name":"fra08",
              "opened_at":"2026-12-01T16:00:01.000001Z","origin_ip":"198.51.100.9","is_pending_reconnect":true}]}
        ]}
        """;
}
