using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;

namespace AsyncPitfalls.Baselines;

/// <summary>
/// The layout of <c>asyncpitfalls.baseline.json</c>: written sorted, one finding per line, so that a diff shows one
/// line per finding; read by a small JSON reader of its own (an analyzer assembly cannot depend on System.Text.Json),
/// which accepts any valid JSON of the same shape (whitespace, key order, unknown keys) and rejects anything else.
/// </summary>
internal static class BaselineFormat
{
    /// <summary>The name the package's build files and the suppressor look for.</summary>
    public const string FileName = "asyncpitfalls.baseline.json";

    public const int CurrentVersion = 1;

    // Deeper nesting is no baseline; the limit keeps the recursive reader far from the stack's end.
    private const int MaxDepth = 64;

    /// <summary>The file's text: UTF-8 without BOM is the caller's to choose; lines end in LF.</summary>
    public static string Write(IEnumerable<BaselineEntry> entries)
    {
        var sorted = entries.ToList();
        sorted.Sort(BaselineEntry.Order);
        var text = new StringBuilder();
        text.Append("{\n  \"version\": ").Append(CurrentVersion.ToString(CultureInfo.InvariantCulture)).Append(",\n  \"findings\": [");
        for (var i = 0; i < sorted.Count; i++)
        {
            var entry = sorted[i];
            text.Append(i == 0 ? "\n    {\"rule\": " : ",\n    {\"rule\": ");
            AppendString(text, entry.Rule);
            text.Append(", \"file\": ");
            AppendString(text, entry.File);
            text.Append(", \"member\": ");
            AppendString(text, entry.Member);
            text.Append(", \"message\": ");
            AppendString(text, entry.Message);
            text.Append(", \"ordinal\": ").Append(entry.Ordinal.ToString(CultureInfo.InvariantCulture)).Append('}');
        }
        text.Append(sorted.Count == 0 ? "]\n}\n" : "\n  ]\n}\n");
        return text.ToString();
    }

    /// <summary>
    /// Reads a baseline. On failure <paramref name="entries"/> is empty and <paramref name="error"/> says what is wrong
    /// and where (line and column); never throws.
    /// </summary>
    public static bool TryParse(string? text, out ImmutableArray<BaselineEntry> entries, out string? error)
    {
        entries = ImmutableArray<BaselineEntry>.Empty;
        if (text is null)
        {
            error = "no text";
            return false;
        }

        try
        {
            var reader = new JsonReader(text);
            var root = reader.ReadDocument();
            entries = Interpret(root);
            error = null;
            return true;
        }
        catch (BaselineFormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    private static ImmutableArray<BaselineEntry> Interpret(object? root)
    {
        if (root is not Dictionary<string, object?> document)
            throw new BaselineFormatException("the baseline is not a JSON object");
        if (!document.TryGetValue("version", out var version))
            throw new BaselineFormatException("the baseline has no \"version\"");
        if (version is not JsonNumber number || !number.TryGetInt32(out var versionNumber) || versionNumber != CurrentVersion)
            throw new BaselineFormatException($"unsupported baseline version {Describe(version)}; this package reads version {CurrentVersion}");
        if (!document.TryGetValue("findings", out var findings))
            throw new BaselineFormatException("the baseline has no \"findings\"");
        if (findings is not List<object?> list)
            throw new BaselineFormatException("\"findings\" is not an array");

        var entries = ImmutableArray.CreateBuilder<BaselineEntry>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not Dictionary<string, object?> finding)
                throw new BaselineFormatException($"finding {i} is not an object");
            var ordinalValue = Required(finding, "ordinal", i);
            if (ordinalValue is not JsonNumber ordinalNumber || !ordinalNumber.TryGetInt32(out var ordinal) || ordinal < 0)
                throw new BaselineFormatException($"finding {i}: \"ordinal\" is not a non-negative integer: {Describe(ordinalValue)}");
            entries.Add(new BaselineEntry(
                RequiredString(finding, "rule", i),
                RequiredString(finding, "file", i),
                RequiredString(finding, "member", i),
                RequiredString(finding, "message", i),
                ordinal));
        }
        return entries.MoveToImmutable();
    }

    private static object? Required(Dictionary<string, object?> finding, string key, int index)
        => finding.TryGetValue(key, out var value) ? value : throw new BaselineFormatException($"finding {index} has no \"{key}\"");

    private static string RequiredString(Dictionary<string, object?> finding, string key, int index)
        => Required(finding, key, index) is string value ? value : throw new BaselineFormatException($"finding {index}: \"{key}\" is not a string");

    private static string Describe(object? value) => value switch
    {
        null => "null",
        JsonNumber number => number.Text,
        string text => "\"" + text + "\"",
        bool flag => flag ? "true" : "false",
        List<object?> => "an array",
        _ => "an object",
    };

    private static void AppendString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    if (c < ' ')
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }

    private sealed class BaselineFormatException : Exception
    {
        public BaselineFormatException(string message)
            : base(message)
        {
        }
    }

    /// <summary>A number as written; the baseline only needs small integers from it.</summary>
    private sealed class JsonNumber
    {
        public JsonNumber(string text) => Text = text;

        public string Text { get; }

        public bool TryGetInt32(out int value)
            => int.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// RFC 8259 JSON into objects (<see cref="Dictionary{TKey, TValue}"/>, a duplicate key is an error), arrays
    /// (<see cref="List{T}"/>), strings, <see cref="JsonNumber"/>, booleans and null.
    /// </summary>
    private sealed class JsonReader
    {
        private readonly string _text;
        private int _position;

        public JsonReader(string text) => _text = text;

        public object? ReadDocument()
        {
            // A BOM that survived decoding.
            if (_text.Length > 0 && _text[0] == '\uFEFF')
                _position = 1;
            var value = ReadValue(0);
            SkipWhitespace();
            if (_position < _text.Length)
                throw Error("unexpected text after the end of the baseline");
            return value;
        }

        private object? ReadValue(int depth)
        {
            if (depth > MaxDepth)
                throw Error("nested too deeply");
            SkipWhitespace();
            if (_position >= _text.Length)
                throw Error("unexpected end of the text");
            var c = _text[_position];
            switch (c)
            {
                case '{':
                    return ReadObject(depth);
                case '[':
                    return ReadArray(depth);
                case '"':
                    return ReadString();
                case 't':
                    ExpectWord("true");
                    return true;
                case 'f':
                    ExpectWord("false");
                    return false;
                case 'n':
                    ExpectWord("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                        return ReadNumber();
                    throw Error($"unexpected character '{Printable(c)}'");
            }
        }

        private Dictionary<string, object?> ReadObject(int depth)
        {
            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            _position++;
            SkipWhitespace();
            if (TryConsume('}'))
                return result;
            while (true)
            {
                SkipWhitespace();
                if (_position >= _text.Length || _text[_position] != '"')
                    throw Error("expected a property name in quotes");
                var keyStart = _position;
                var key = ReadString();
                SkipWhitespace();
                if (!TryConsume(':'))
                    throw Error("expected ':'");
                var value = ReadValue(depth + 1);
                if (result.ContainsKey(key))
                    throw Error($"duplicate property \"{key}\"", keyStart);
                result.Add(key, value);
                SkipWhitespace();
                if (TryConsume('}'))
                    return result;
                if (!TryConsume(','))
                    throw Error("expected ',' or '}'");
            }
        }

        private List<object?> ReadArray(int depth)
        {
            var result = new List<object?>();
            _position++;
            SkipWhitespace();
            if (TryConsume(']'))
                return result;
            while (true)
            {
                result.Add(ReadValue(depth + 1));
                SkipWhitespace();
                if (TryConsume(']'))
                    return result;
                if (!TryConsume(','))
                    throw Error("expected ',' or ']'");
            }
        }

        private string ReadString()
        {
            var start = _position;
            _position++;
            StringBuilder? escaped = null;
            var runStart = _position;
            while (true)
            {
                if (_position >= _text.Length)
                    throw Error("unterminated string", start);
                var c = _text[_position];
                if (c == '"')
                {
                    var tail = _text.Substring(runStart, _position - runStart);
                    _position++;
                    return escaped is null ? tail : escaped.Append(tail).ToString();
                }
                if (c < ' ')
                    throw Error("control character in a string");
                if (c != '\\')
                {
                    _position++;
                    continue;
                }

                escaped ??= new StringBuilder();
                escaped.Append(_text, runStart, _position - runStart);
                if (_position + 1 >= _text.Length)
                    throw Error("unterminated string", start);
                var kind = _text[_position + 1];
                _position += 2;
                switch (kind)
                {
                    case '"': escaped.Append('"'); break;
                    case '\\': escaped.Append('\\'); break;
                    case '/': escaped.Append('/'); break;
                    case 'b': escaped.Append('\b'); break;
                    case 'f': escaped.Append('\f'); break;
                    case 'n': escaped.Append('\n'); break;
                    case 'r': escaped.Append('\r'); break;
                    case 't': escaped.Append('\t'); break;
                    case 'u':
                        if (_position + 4 > _text.Length
                            || !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                            throw Error("invalid \\u escape", _position - 2);
                        escaped.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        throw Error($"invalid escape '\\{Printable(kind)}'", _position - 2);
                }
                runStart = _position;
            }
        }

        private JsonNumber ReadNumber()
        {
            var start = _position;
            TryConsume('-');
            if (TryConsume('0'))
            {
                // JSON has no leading zeros.
            }
            else if (!ConsumeDigits())
            {
                throw Error("invalid number", start);
            }
            if (TryConsume('.') && !ConsumeDigits())
                throw Error("invalid number", start);
            if (TryConsume('e') || TryConsume('E'))
            {
                if (!TryConsume('+'))
                    TryConsume('-');
                if (!ConsumeDigits())
                    throw Error("invalid number", start);
            }
            return new JsonNumber(_text.Substring(start, _position - start));
        }

        private bool ConsumeDigits()
        {
            var start = _position;
            while (_position < _text.Length && _text[_position] >= '0' && _text[_position] <= '9')
                _position++;
            return _position > start;
        }

        private void ExpectWord(string word)
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
                throw Error($"unexpected character '{Printable(_text[_position])}'");
            _position += word.Length;
        }

        private bool TryConsume(char c)
        {
            if (_position < _text.Length && _text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        private void SkipWhitespace()
        {
            while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r')
                _position++;
        }

        private BaselineFormatException Error(string what, int? at = null)
        {
            var position = Math.Min(at ?? _position, _text.Length);
            var line = 1;
            var column = 1;
            for (var i = 0; i < position; i++)
            {
                if (_text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
            return new BaselineFormatException($"line {line}, column {column}: {what}");
        }

        private static string Printable(char c) => c < ' ' || c > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : new string(c, 1);
    }
}
