using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Checks the text of <c>tunnels.json</c> before it is bound: UTF-8, JSON syntax, the type of every value, null
/// where a value is required, duplicate and unknown keys. It reads the source-generated metadata of
/// <see cref="MonitorOptions"/> (no reflection), reports every problem together, each with its JSON path and
/// 1-based line, in our own words: this build's runtime messages are resource keys (UseSystemResourceKeys).
/// A text that passes binds without a type error.
/// </summary>
internal sealed class ConfigurationShape
{
    /// <summary>Deepest nesting read; the file itself needs four levels.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = MaxDepth,
    };

    private readonly List<string> _problems = [];
    private bool _bindable = true;
    private readonly List<int> _newlines = [];
    private readonly Dictionary<JsonTypeInfo, Dictionary<string, JsonPropertyInfo>> _keys = [];

    private ConfigurationShape(ReadOnlySpan<byte> json)
    {
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
            {
                _newlines.Add(i);
            }
        }
    }

    /// <summary>Every problem of <paramref name="json"/> (UTF-8, no byte order mark) as <c>"$.path: what (line N)"</c>.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="root">Metadata of the type the file binds to.</param>
    /// <param name="bindable">False when a problem (syntax, type, null) keeps the text from binding; unknown and duplicate keys do not.</param>
    public static List<string> Check(ReadOnlySpan<byte> json, JsonTypeInfo root, out bool bindable)
    {
        var shape = new ConfigurationShape(json);
        bindable = false;
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            var bad = FirstInvalidUtf8(json);
            return [$"$: not valid UTF-8 at line {shape.LineOf(bad)} (byte {bad + 1}); save the file as UTF-8"];
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return ["$: the file is empty; it must hold a JSON object { … }"];
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return [$"$: must be a JSON object {{ … }}, got {Got(ref reader)} (line {shape.LineOf(reader.TokenStartIndex)})"];
            }

            shape.CheckObject(ref reader, root, "$");
            while (reader.Read())
            {
                // Only comments may follow the object; Read throws on anything else.
            }
        }
        catch (JsonException e)
        {
            return [shape.SyntaxError(json, e, reader.TokenType, reader.CurrentDepth)];
        }

        bindable = shape._bindable;
        return shape._problems;
    }

    private void CheckObject(ref Utf8JsonReader reader, JsonTypeInfo info, string path)
    {
        var known = KnownKeys(info);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var line = LineOf(reader.TokenStartIndex);
            var name = ReadString(ref reader);
            var at = name is null ? $"{path}[?]" : PathOf(path, name);
            if (name is null)
            {
                Fail(at, line, "the key holds an invalid \\u escape (half of a surrogate pair)");
            }
            else if (!seen.TryAdd(name, line))
            {
                Add(at, line, $"the key is given twice (first on line {seen[name]}), and the last one would silently win: remove one");
            }

            reader.Read();
            if (name is null || !known.TryGetValue(name, out var property))
            {
                if (name is not null)
                {
                    Add(at, line, $"unknown key (known keys: {string.Join(", ", known.Keys)})");
                }

                reader.Skip();
                continue;
            }

            CheckValue(ref reader, property.PropertyType, property.IsSetNullable, at, info.Options);
        }
    }

    private void CheckValue(ref Utf8JsonReader reader, Type type, bool nullable, string at, JsonSerializerOptions options)
    {
        var line = LineOf(reader.TokenStartIndex);
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            if (!nullable)
            {
                Fail(at, line, $"expected {Expected(type, options)}, got null (leave the key out for its default)");
            }

            return;
        }

        if (type == typeof(string))
        {
            if (token != JsonTokenType.String)
            {
                Mismatch(ref reader, type, at, line, options);
            }
            else if (ReadString(ref reader) is null)
            {
                Fail(at, line, "the text holds an invalid \\u escape (half of a surrogate pair)");
            }
        }
        else if (type == typeof(double) || type == typeof(int))
        {
            if (token != JsonTokenType.Number)
            {
                Mismatch(ref reader, type, at, line, options);
            }
            else if (type == typeof(int) ? !reader.TryGetInt32(out _) : !reader.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                var text = Encoding.UTF8.GetString(reader.ValueSpan);
                var whole = type == typeof(int) && !text.AsSpan().ContainsAny(".eE");
                Fail(at, line, type == typeof(double) || whole
                    ? $"the number {ConfigText.Safe(text)} is too large"
                    : $"expected a whole number, got {ConfigText.Safe(text)}");
            }
        }
        else if (type == typeof(bool))
        {
            if (token is not (JsonTokenType.True or JsonTokenType.False))
            {
                Mismatch(ref reader, type, at, line, options);
            }
        }
        else
        {
            var info = options.GetTypeInfo(type);
            if (info.Kind == JsonTypeInfoKind.Object && token == JsonTokenType.StartObject)
            {
                CheckObject(ref reader, info, at);
            }
            else if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element && token == JsonTokenType.StartArray)
            {
                for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
                {
                    CheckValue(ref reader, element, nullable: false, $"{at}[{index}]", options);
                }
            }
            else
            {
                Mismatch(ref reader, type, at, line, options);
            }
        }
    }

    private void Mismatch(ref Utf8JsonReader reader, Type type, string at, int line, JsonSerializerOptions options)
    {
        Fail(at, line, $"expected {Expected(type, options)}, got {Got(ref reader)}");
        reader.Skip();
    }

    private static string Expected(Type type, JsonSerializerOptions options)
    {
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(double))
        {
            return "a number";
        }

        if (type == typeof(int))
        {
            return "a whole number";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        var info = options.GetTypeInfo(type);
        return info.Kind != JsonTypeInfoKind.Enumerable || info.ElementType is not { } element ? "an object { … }"
            : element == typeof(string) ? "an array of strings"
            : element == typeof(TunnelOptions) ? "an array of tunnels"
            : element == typeof(AlertOptions) ? "an array of alerts"
            : "an array of objects";
    }

    private static string Got(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => reader.TokenType == JsonTokenType.True ? "true" : "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        _ => "an object",
    };

    // Utf8JsonReader unescapes \uD800 alone into text that is not UTF-16 and throws; that is the file's fault.
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private string SyntaxError(ReadOnlySpan<byte> json, JsonException e, JsonTokenType last, int depth)
    {
        var line = (int)(e.LineNumber ?? 0);
        var lineStart = line == 0 ? 0 : _newlines[Math.Min(line, _newlines.Count) - 1] + 1;
        var offset = (int)Math.Min(json.Length, lineStart + (e.BytePositionInLine ?? 0));
        var column = Encoding.UTF8.GetCharCount(json[lineStart..offset]) + 1;
        var rest = json[offset..].TrimStart(" \t\r\n"u8);
        var what = depth >= MaxDepth - 1 ? $"nested more than {MaxDepth} levels deep"
            : rest.IsEmpty ? "the file ends before the JSON does (a missing } or ], or a cut-off file)"
            : rest[0] < 0x20 ? "a control character; inside a string write it as an escape such as \\n"
            : last switch
            {
                JsonTokenType.None => "expected { at the start",
                JsonTokenType.PropertyName => "expected : and a value after the key (a \"string\", a number, true, false, null, { … } or [ … ])",
                JsonTokenType.StartObject => "expected a key in double quotes, or }",
                JsonTokenType.StartArray => "expected a value or ]",
                _ when depth == 0 => "unexpected text after the end of the JSON object",
                _ => "expected a comma, } or ] (a missing comma? a string without quotes?)",
            };
        return $"$: not valid JSON at line {line + 1}, column {column}: {what}";
    }

    private Dictionary<string, JsonPropertyInfo> KnownKeys(JsonTypeInfo info)
    {
        if (!_keys.TryGetValue(info, out var known))
        {
            known = info.Properties
                .Where(p => p.AttributeProvider?.IsDefined(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), false) != true)
                .ToDictionary(p => p.Name, StringComparer.Ordinal);
            _keys[info] = known;
        }

        return known;
    }

    private static string PathOf(string path, string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}[{ConfigText.Quote(name)}]";

    private void Add(string at, int line, string problem) => _problems.Add($"{at}: {problem} (line {line})");

    private void Fail(string at, int line, string problem)
    {
        Add(at, line, problem);
        _bindable = false;
    }

    private int LineOf(long offset)
    {
        var index = _newlines.BinarySearch((int)offset);
        return (index < 0 ? ~index : index) + 1;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> json)
    {
        var offset = 0;
        while (offset < json.Length && Rune.DecodeFromUtf8(json[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }
}
