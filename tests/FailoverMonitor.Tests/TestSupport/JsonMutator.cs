using System.Text;
using System.Text.Json.Nodes;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// Seeded mutations of a well-formed JSON body, as a broken or hostile server might send it: first changes to the
/// tree (nulls, wrong types, extra fields, control characters, a 1 MB string), then changes to the bytes
/// (truncation, duplicate keys, deep nesting, invalid UTF-8, byte order mark, a flipped byte). Every mutation
/// applied is named, so a failing case can be told and replayed from its seed.
/// </summary>
public sealed class JsonMutator(Random random)
{
    private static readonly string[] WrongTypes =
    [
        "0", "-1", "2.5", "1e308", "-1e400", "123456789012345678901234567890", "true", "false", "\"\"", "\"x\"",
        "[]", "{}", "[null]", "{\"id\":null}", "\"2026-13-45T99:99:99Z\"", "\"\\ud800\"",
    ];

    private static readonly string[] HostileStrings =
    [
        "down\n[CRITICAL] forged", "\u001b]0;title\u0007", "\u001b]52;c;Zm9v\u0007", "\u001b[2J\u001b[H", "\u202eevil", "a\u0000b",
        "\u0085next", "line\u2028sep", "\u200b", "\t", "DEL\u007f",
    ];

    private static readonly string[] Keys = ["id", "status", "name", "success", "result", "errors", "message", "code", "conns", "is_pending_reconnect", "result_info", "conns_inactive_at"];

    /// <summary>Names of the mutations applied so far.</summary>
    public List<string> Applied { get; } = [];

    /// <summary>Returns <paramref name="json"/> with one to four mutations applied (see <see cref="Applied"/>).</summary>
    public byte[] Mutate(string json)
    {
        var root = JsonNode.Parse(json)!;
        for (var n = random.Next(0, 3); n > 0; n--)
        {
            MutateTree(root);
        }

        // Wrong types go in as text: the tree cannot hold some of them (a lone surrogate escape).
        var text = root.ToJsonString();
        for (var i = 0; i < WrongTypes.Length; i++)
        {
            text = text.Replace($"\"@@wrong-type-{i}@@\"", WrongTypes[i], StringComparison.Ordinal);
        }

        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        for (var n = random.Next(Applied.Count == 0 ? 1 : 0, 3); n > 0 && bytes.Count > 0; n--)
        {
            MutateBytes(bytes);
        }

        return [.. bytes];
    }

    private void MutateTree(JsonNode root)
    {
        var slots = new List<(JsonNode Owner, string? Key, int Index)>();
        Collect(root, slots);
        if (slots.Count == 0)
        {
            return;
        }

        var (owner, key, index) = slots[random.Next(slots.Count)];
        // A 1 MB string is rare: it costs more than all the other mutations together.
        var (name, value) = random.Next(25) switch
        {
            < 6 => ("null", null),
            < 12 => ("wrong type", (JsonNode)$"@@wrong-type-{random.Next(WrongTypes.Length)}@@"),
            < 18 => ("control characters", (JsonNode)HostileStrings[random.Next(HostileStrings.Length)]),
            < 24 => ("extra field", null),
            _ => ("1 MB string", (JsonNode)new string('x', 1024 * 1024)),
        };
        Applied.Add(name + " at " + (key ?? $"[{index}]"));
        if (name == "extra field")
        {
            var target = owner as JsonObject ?? new JsonObject();
            target[$"x_{random.Next(1000)}"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null, new JsonObject()) };
        }
        else if (owner is JsonObject o)
        {
            o[key!] = value;
        }
        else
        {
            ((JsonArray)owner)[index] = value;
        }
    }

    private void MutateBytes(List<byte> bytes)
    {
        var at = random.Next(bytes.Count);
        switch (random.Next(7))
        {
            case 0:
                Applied.Add($"truncated at byte {at}");
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 1:
                var key = Keys[random.Next(Keys.Length)];
                Applied.Add($"duplicate key {key}");
                bytes.InsertRange(ObjectStart(bytes), Encoding.UTF8.GetBytes($"\"{key}\":{WrongTypes[random.Next(WrongTypes.Length)]},"));
                break;
            case 2:
                var depth = random.Next(1, 3000);
                Applied.Add($"nested {depth} deep");
                var nest = random.Next(2) == 0
                    ? new string('[', depth) + new string(']', depth)
                    : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                bytes.InsertRange(ObjectStart(bytes), Encoding.UTF8.GetBytes($"\"deep\":{nest},"));
                break;
            case 3:
                byte[][] invalid = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80], [0xE2, 0x82], [0xC0, 0xAF]];
                var sequence = invalid[random.Next(invalid.Length)];
                Applied.Add($"invalid UTF-8 {Convert.ToHexString(sequence)} at byte {at}");
                bytes.InsertRange(at, sequence);
                break;
            case 4:
                Applied.Add("byte order mark");
                bytes.InsertRange(0, [0xEF, 0xBB, 0xBF]);
                break;
            case 5:
                var flipped = (byte)random.Next(256);
                Applied.Add($"byte {at} set to {flipped:X2}");
                bytes[at] = flipped;
                break;
            default:
                Applied.Add($"byte {at} dropped");
                bytes.RemoveAt(at);
                break;
        }
    }

    // Just after a '{' that opens a non-empty object, so an inserted member keeps the text well-formed.
    private int ObjectStart(List<byte> bytes)
    {
        var starts = Enumerable.Range(0, bytes.Count - 1).Where(i => bytes[i] == '{' && bytes[i + 1] == '"').ToList();
        return starts.Count == 0 ? 0 : starts[random.Next(starts.Count)] + 1;
    }

    private static void Collect(JsonNode? node, List<(JsonNode, string?, int)> slots)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                slots.Add((o, key, -1));
                Collect(value, slots);
            }
        }
        else if (node is JsonArray a)
        {
            for (var i = 0; i < a.Count; i++)
            {
                slots.Add((a, null, i));
                Collect(a[i], slots);
            }
        }
    }
}
