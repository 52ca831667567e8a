using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary>
/// Seeded, repeatable fuzzing of the loader: mutated <c>tunnels.json</c> files (wrong types, huge numbers, deep
/// nesting, invalid UTF-8, duplicate keys, byte order mark, empty, truncated, nulls) must each load or end in a
/// <see cref="ConfigurationException"/> whose problems name a field, in words, without the token.
/// </summary>
public sealed partial class ConfigurationLoaderTests
{
    private const int FuzzSeed = 20261201;
    private const int FuzzCases = 3000;

    private static readonly string[] HostileValues =
    [
        "null", "\"text\"", "\"\"", "0", "-1", "-0", "2.5", "1e400", "-1e400", "1e-400", "99999999999999999999999999", "true", "false",
        "[]", "{}", "[null]", "[1, \"a\"]", "{\"a\": 1}", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"x\\r\\ny\"", "\"\\u001b]0;t\\u0007\"",
        "\"0.0.0.0\"", "\"127.0.0.010\"", "\"../../etc/passwd\"", "\"/dev/zero\"", "\"web.token\"", "\"\\u202e\"",
        new string('[', 70) + new string(']', 70), string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + new string('}', 70),
        "\"" + new string('x', 20_000) + "\"",
    ];

    [Fact]
    public void Load_MutatedFiles_EachValidOrAConfigurationExceptionNamingFields()
    {
        Chmod(_dir.Write("web.token", Token + "\n"), "600");
        var path = Path.Combine(_dir.Path, "tunnels.json");
        File.WriteAllText(path, "{}");
        Chmod(path, "600");
        var random = new Random(FuzzSeed);
        var (valid, invalid) = (0, 0);
        for (var i = 0; i < FuzzCases; i++)
        {
            var content = Mutate(random);
            try
            {
                ConfigurationLoader.Parse(path, content);
                valid++;
            }
            catch (ConfigurationException e)
            {
                invalid++;
                Assert.True(e.Problems.Count > 0, $"seed {FuzzSeed}, case {i}: no problem listed");
                foreach (var problem in e.Problems)
                {
                    Assert.True(Regex.IsMatch(problem, @"^\$.*?: \S"), $"seed {FuzzSeed}, case {i}: problem names no field: {problem}");
                    Assert.False(problem.Any(char.IsControl), $"seed {FuzzSeed}, case {i}: raw control character in: {string.Concat(problem.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))}");
                    // A .NET resource key (DeserializeUnableToConvertValue) instead of words.
                    Assert.False(Regex.IsMatch(problem, @"\b[A-Z][a-z]+[A-Z][a-z]+[A-Z][a-z]+\w*\b"), $"seed {FuzzSeed}, case {i}: resource key in: {problem}");
                }

                Assert.DoesNotContain(Token, e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {FuzzSeed}, case {i}: {e.GetType().Name}: {e.Message}; file (base64): {Convert.ToBase64String(content)}");
            }
        }

        Assert.True(valid > 0 && invalid > FuzzCases / 2, $"seed {FuzzSeed}: {valid} valid, {invalid} invalid: the mutations do not exercise both ends");
    }

    private static byte[] Mutate(Random random)
    {
        var kind = random.Next(10);
        var text = kind switch
        {
            0 => "",
            1 => DuplicateKey(random, BaseConfig()),
            < 6 => ReplaceValue(random, BaseConfig()),
            _ => BaseConfig(),
        };
        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        for (var n = kind >= 6 ? random.Next(1, 4) : random.Next(0, 2); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.InsertRange(at, random.Next(2) == 0 ? [0xC3] : [0xFF, 0xFE, (byte)random.Next(256)]);
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 20), bytes.Count - at));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(HostileValues[random.Next(HostileValues.Length)]));
                    break;
                default:
                    bytes.InsertRange(0, [0xEF, 0xBB, 0xBF]);
                    break;
            }
        }

        return [.. bytes];
    }

    private static string ReplaceValue(Random random, string text)
    {
        var root = JsonNode.Parse(text)!;
        var slots = new List<(JsonObject Owner, string Key)>();
        Collect(root, slots);
        var (owner, key) = slots[random.Next(slots.Count)];
        owner[random.Next(8) == 0 ? key + "_x" : key] = "@@hostile@@";
        return root.ToJsonString().Replace("\"@@hostile@@\"", HostileValues[random.Next(HostileValues.Length)], StringComparison.Ordinal);
    }

    private static void Collect(JsonNode? node, List<(JsonObject, string)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                slots.Add((o, key));
                Collect(value, slots);
            }
        }
        else if (node is JsonArray a)
        {
            a.ToList().ForEach(item => Collect(item, slots));
        }
    }

    private static string DuplicateKey(Random random, string text)
    {
        var braces = Regex.Matches(text, "\\{").Select(m => m.Index).ToList();
        var keys = Regex.Matches(text, "\"([a-z_]+)\":").Select(m => m.Groups[1].Value).ToList();
        var at = braces[random.Next(braces.Count)] + 1;
        return text.Insert(at, $"\"{keys[random.Next(keys.Count)]}\": {HostileValues[random.Next(HostileValues.Length)]},");
    }

    private static string BaseConfig() => $$"""
        {
          "gateway_ip": "192.168.1.1", "check_interval": 3, "failure_threshold": 2, "failover_on": ["down", "inactive"],
          "failback": "second_connector", "api_timeout": 5, "confirm_delay": 1, "log_file": "/var/log/failover_monitor.log",
          "alerts": [ { "url": "https://hooks.example.com/x", "format": "slack", "events": ["failover"] } ],
          "tunnels": [
            { "name": "web", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Token}}", "service": "b1" },
            { "account_id": "{{Account}}", "tunnel_id": "7ff42ae2-765d-4adf-8112-31c55c1551ef", "token_file": "web.token", "service": "b2", "backup_metrics": "127.0.0.1:20241" }
          ]
        }
        """;
}
