using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Admission.Policies.Manifests;

/// <summary>
/// The quickest way to read the YAML local mode is given by the thousand: a hand-written reader of
/// a small subset (block mappings and sequences indented with spaces, plain and one-line quoted
/// scalars, one-line flow collections of those, comments, <c>---</c> between documents), written
/// straight into JSON bytes without YamlDotNet's tokens and events, which were most of start-up.
/// It declines anything outside that subset or anything it is not sure YAML reads the same way
/// (a tab, a multi-line scalar, a block scalar, an escape beyond JSON's, an anchor, a tag, a
/// quoted key, a duplicate key): <see cref="FastManifestParser"/> then reads the text with
/// YamlDotNet, and failing that <see cref="ManifestParser"/> reports where the text is wrong.
/// </summary>
internal sealed class BlockYamlReader
{
    /// <summary>Deep enough for any manifest; deeper is left to the other readers.</summary>
    private const int MaxDepth = 64;

    /// <summary>Characters this reader leaves to YamlDotNet wherever they occur: tabs, carriage returns, other controls, Unicode line and paragraph separators, non-BMP text, byte order marks.</summary>
    private static readonly SearchValues<char> Unsupported = SearchValues.Create(UnsupportedChars());

    private readonly string _t;
    private readonly Utf8JsonWriter _json;
    /// <summary>The keys of every mapping being read, innermost last: a repeated key is declined (YAML forbids it; readers disagree on which wins).</summary>
    private readonly List<(int Start, int Length)> _keys = new(16);
    private StringBuilder? _unescaped;
    private int _pos;
    private int _lineStart;
    private int _lineEnd;
    private int _line;
    private bool _eof;

    private BlockYamlReader(string text, Utf8JsonWriter json)
    {
        _t = text;
        _json = json;
    }

    private int Col => _pos - _lineStart;

    /// <returns>False when the text is outside the subset (nothing is added then).</returns>
    public static bool TryRead(string text, string source, string defaultNamespace, IReadOnlySet<string>? onlyKinds, List<Manifest> result)
    {
        if (text.AsSpan().IndexOfAny(Unsupported) >= 0) return false;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var reader = new BlockYamlReader(text, json);
        reader.Seek(0, 1);
        var added = result.Count;
        while (!reader._eof)
        {
            switch (reader.Marker())
            {
                case MarkerKind.DocumentStart:
                    reader.NextLine(); // an empty document (or the start of the next one) is nothing to add
                    continue;
                case MarkerKind.Unsupported:
                    return Fail(result, added);
            }
            if (reader.Col != 0 || reader.IsSequenceEntry()) return Fail(result, added);
            var line = reader._line;
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            if (!reader.Mapping(0, 0)) return Fail(result, added);
            json.Flush();
            if (!reader._eof && reader.Marker() != MarkerKind.DocumentStart) return Fail(result, added);
            if (!FastManifestParser.Add(buffer.WrittenMemory, source, line, defaultNamespace, onlyKinds, result)) return Fail(result, added);
        }
        return true;
    }

    private static bool Fail(List<Manifest> result, int added)
    {
        result.RemoveRange(added, result.Count - added);
        return false;
    }

    private enum MarkerKind { None, DocumentStart, Unsupported }

    /// <summary><c>---</c> alone (or before a comment) starts a document; <c>...</c>, or <c>---</c> with content after it, is left to YamlDotNet.</summary>
    private MarkerKind Marker()
    {
        if (Col != 0 || _lineEnd - _lineStart < 3) return MarkerKind.None;
        var head = _t.AsSpan(_lineStart, 3);
        if (!head.SequenceEqual("---") && !head.SequenceEqual("...")) return MarkerKind.None;
        var rest = _t.AsSpan(_lineStart + 3, _lineEnd - _lineStart - 3);
        if (rest.Length > 0 && rest[0] != ' ') return MarkerKind.None; // "---x" is a plain scalar, declined as a key
        if (head[0] == '.') return MarkerKind.Unsupported;
        var trimmed = rest.TrimStart(' ');
        return trimmed.Length == 0 || trimmed[0] == '#' ? MarkerKind.DocumentStart : MarkerKind.Unsupported;
    }

    /// <summary>Moves to the first line from <paramref name="from"/> on that holds more than spaces and a comment.</summary>
    private void Seek(int from, int line)
    {
        while (from <= _t.Length)
        {
            var end = _t.IndexOf('\n', from);
            if (end < 0) end = _t.Length;
            var p = from;
            while (p < end && _t[p] == ' ') p++;
            if (p < end && _t[p] != '#')
            {
                _lineStart = from;
                _lineEnd = end;
                _pos = p;
                _line = line;
                return;
            }
            from = end + 1;
            line++;
        }
        _eof = true;
    }

    private void NextLine() => Seek(_lineEnd + 1, _line + 1);

    private bool IsSequenceEntry() => _t[_pos] == '-' && (_pos + 1 == _lineEnd || _t[_pos + 1] == ' ');

    private void SkipSpaces()
    {
        while (_pos < _lineEnd && _t[_pos] == ' ') _pos++;
    }

    private bool AtLineEndOrComment() => _pos == _lineEnd || _t[_pos] == '#';

    /// <summary>After a value: only spaces, then the line's end or a comment (which needs a space before it).</summary>
    private bool EndOfLine()
    {
        var start = _pos;
        SkipSpaces();
        return _pos == _lineEnd || (_t[_pos] == '#' && _pos > start);
    }

    /// <summary>A block mapping whose keys stand at column <paramref name="indent"/>; the first key is at the current position.</summary>
    private bool Mapping(int indent, int depth)
    {
        if (depth > MaxDepth) return false;
        _json.WriteStartObject();
        var keysFrom = _keys.Count;
        while (true)
        {
            if (!BlockKey(keysFrom)) return false;
            SkipSpaces();
            if (AtLineEndOrComment())
            {
                if (!BlockValue(indent, depth)) return false;
            }
            else if (!InlineValueLine(depth)) return false;
            if (!Continues(indent, out var col)) break;
            // Deeper: a plain scalar continued on the next line, or an error; at the same column, "- " is an error.
            if (col > indent || IsSequenceEntry()) return false;
        }
        _keys.RemoveRange(keysFrom, _keys.Count - keysFrom);
        _json.WriteEndObject();
        return true;
    }

    /// <summary>A value on the rest of the line, then the line's end; the cursor moves to the next line.</summary>
    private bool InlineValueLine(int depth)
    {
        if (!InlineValue(depth) || !EndOfLine()) return false;
        NextLine();
        return true;
    }

    /// <summary>
    /// Whether the block whose items stand at column <paramref name="indent"/> may go on: the
    /// document has another line, at that column or deeper (<paramref name="col"/>).
    /// </summary>
    private bool Continues(int indent, out int col)
    {
        col = 0;
        if (_eof || Marker() != MarkerKind.None) return false;
        col = Col;
        return col >= indent;
    }

    /// <summary>A plain key ending in ": " or ":" at the line's end; the position is left after the colon.</summary>
    private bool BlockKey(int keysFrom)
    {
        var start = _pos;
        if (!PlainStart(_t[start])) return false;
        var j = start;
        while (true)
        {
            if (j == _lineEnd) return false;
            var c = _t[j];
            if (c == ':' && (j + 1 == _lineEnd || _t[j + 1] == ' ')) break;
            if (c is '[' or ']' or '{' or '}' || (c == '#' && _t[j - 1] == ' ')) return false;
            j++;
        }
        if (_t[j - 1] == ' ') return false;
        if (!AddKey(keysFrom, start, j - start)) return false;
        _pos = j + 1;
        return true;
    }

    private bool AddKey(int keysFrom, int start, int length)
    {
        var key = _t.AsSpan(start, length);
        for (var i = keysFrom; i < _keys.Count; i++)
        {
            if (key.SequenceEqual(_t.AsSpan(_keys[i].Start, _keys[i].Length))) return false;
        }
        _keys.Add((start, length));
        _json.WritePropertyName(key);
        return true;
    }

    /// <summary>The value of a key with nothing after its colon: a block on the lines below, or null.</summary>
    private bool BlockValue(int parentIndent, int depth)
    {
        NextLine();
        if (_eof || Marker() != MarkerKind.None)
        {
            _json.WriteNullValue();
            return true;
        }
        var col = Col;
        if (col > parentIndent) return IsSequenceEntry() ? Sequence(col, depth + 1) : Mapping(col, depth + 1);
        // A sequence may stand at its key's own column.
        if (col == parentIndent && IsSequenceEntry()) return Sequence(col, depth + 1);
        _json.WriteNullValue();
        return true;
    }

    /// <summary>A block sequence whose "- " stand at column <paramref name="indent"/>.</summary>
    private bool Sequence(int indent, int depth)
    {
        if (depth > MaxDepth) return false;
        _json.WriteStartArray();
        while (true)
        {
            _pos++;
            SkipSpaces();
            // "-" with its item on the lines below, an empty item, "- - x": left to YamlDotNet.
            if (AtLineEndOrComment() || IsSequenceEntry()) return false;
            if (KeyAhead())
            {
                if (!Mapping(Col, depth + 1)) return false;
            }
            else if (!InlineValueLine(depth)) return false;
            if (!Continues(indent, out var col)) break;
            if (col > indent) return false;
            if (!IsSequenceEntry()) break; // the parent mapping's next key, at the same column
        }
        _json.WriteEndArray();
        return true;
    }

    /// <summary>Whether the rest of the line starts a mapping: a plain scalar, then ": " or a colon at the end.</summary>
    private bool KeyAhead()
    {
        if (!PlainStart(_t[_pos])) return false;
        for (var j = _pos; j < _lineEnd; j++)
        {
            var c = _t[j];
            if (c == ':' && (j + 1 == _lineEnd || _t[j + 1] == ' ')) return true;
            if (c == '#' && _t[j - 1] == ' ') return false;
        }
        return false;
    }

    /// <summary>A value on the key's (or the "- "'s) own line.</summary>
    private bool InlineValue(int depth)
    {
        if (CollectionOrQuoted(depth) is { } read) return read;
        if (!ValueStart()) return false;
        var start = _pos;
        var j = start;
        for (; j < _lineEnd; j++)
        {
            var c = _t[j];
            if (c == ':' && (j + 1 == _lineEnd || _t[j + 1] == ' ')) return false; // a mapping where a scalar was expected
            if (c == '#' && _t[j - 1] == ' ') break;
        }
        _pos = j;
        var text = _t.AsSpan(start, j - start).TrimEnd(' ');
        if (j < _lineEnd) _pos = start + text.Length; // leave the spaces before the comment to EndOfLine
        FastManifestParser.WriteScalar(_json, text, plain: true);
        return true;
    }

    /// <summary>
    /// Reads a flow collection or a quoted scalar when one starts at the cursor; null when the value
    /// there is plain, which each caller ends by its own rules (the line's end, or a flow indicator).
    /// </summary>
    private bool? CollectionOrQuoted(int depth) => _t[_pos] switch
    {
        '[' => FlowSequence(depth + 1),
        '{' => FlowMapping(depth + 1),
        '"' or '\'' => Quoted(_t[_pos]),
        _ => null,
    };

    /// <summary>A plain value may also start with "-" when no space follows ("-1"; "- x" would be an entry).</summary>
    private bool ValueStart() =>
        PlainStart(_t[_pos]) || (_t[_pos] == '-' && _pos + 1 < _lineEnd && _t[_pos + 1] is not (' ' or ',' or ']' or '}'));

    /// <summary>Whether a plain key may start with this character: not an indicator, not "-" (an entry) nor a space.</summary>
    private static bool PlainStart(char c) =>
        c is not ('-' or '?' or ':' or ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or ' ');

    private bool FlowSequence(int depth)
    {
        if (depth > MaxDepth) return false;
        _json.WriteStartArray();
        if (!OpensEmpty(']'))
        {
            while (true)
            {
                if (!FlowItem(depth) || !FlowSeparator(']', out var closed)) return false;
                if (closed) break;
            }
        }
        _json.WriteEndArray();
        return true;
    }

    private bool FlowMapping(int depth)
    {
        if (depth > MaxDepth) return false;
        _json.WriteStartObject();
        var keysFrom = _keys.Count;
        if (!OpensEmpty('}'))
        {
            while (true)
            {
                // A plain key, then ": " and a value (a key alone, or "a:b", is left to YamlDotNet).
                if (_pos == _lineEnd || !PlainStart(_t[_pos])) return false;
                var start = _pos;
                var j = start;
                while (j < _lineEnd && _t[j] is not (':' or ',' or '[' or ']' or '{' or '}' or '#' or '\'' or '"')) j++;
                if (j + 1 >= _lineEnd || _t[j] != ':' || _t[j + 1] != ' ' || _t[j - 1] == ' ') return false;
                if (!AddKey(keysFrom, start, j - start)) return false;
                _pos = j + 1;
                SkipSpaces();
                if (!FlowItem(depth) || !FlowSeparator('}', out var closed)) return false;
                if (closed) break;
            }
        }
        _keys.RemoveRange(keysFrom, _keys.Count - keysFrom);
        _json.WriteEndObject();
        return true;
    }

    /// <summary>Steps over a flow collection's opening bracket; true when it closes at once ("[]", "{}").</summary>
    private bool OpensEmpty(char close)
    {
        _pos++;
        SkipSpaces();
        if (_pos == _lineEnd || _t[_pos] != close) return false;
        _pos++;
        return true;
    }

    /// <summary>
    /// What follows a flow item: the closing bracket (<paramref name="closed"/>), or a comma with
    /// another item after it on the same line. A trailing comma, a comma that ends the line or
    /// anything else is left to YamlDotNet.
    /// </summary>
    private bool FlowSeparator(char close, out bool closed)
    {
        closed = false;
        SkipSpaces();
        if (_pos == _lineEnd) return false;
        var c = _t[_pos++];
        if (c == close)
        {
            closed = true;
            return true;
        }
        if (c != ',') return false;
        SkipSpaces();
        return _pos < _lineEnd && _t[_pos] != close;
    }

    private bool FlowItem(int depth)
    {
        if (_pos == _lineEnd) return false;
        if (CollectionOrQuoted(depth) is { } read) return read;
        if (!ValueStart()) return false;
        var start = _pos;
        var j = start;
        while (j < _lineEnd && _t[j] is not (':' or ',' or '[' or ']' or '{' or '}' or '#')) j++;
        // Flow indicators end it; ":" and "#" inside, or the line's end, are left to YamlDotNet.
        if (j == _lineEnd || _t[j] is ':' or '#') return false;
        var text = _t.AsSpan(start, j - start).TrimEnd(' ');
        _pos = start + text.Length;
        FastManifestParser.WriteScalar(_json, text, plain: true);
        return true;
    }

    /// <summary>
    /// A quoted scalar on one line: double-quoted with JSON's escapes only, or single-quoted, where
    /// '' is a quote. Text with neither is written as it stands, without copying.
    /// </summary>
    private bool Quoted(char quote)
    {
        var start = ++_pos;
        StringBuilder? sb = null;
        var j = start;
        while (true)
        {
            var rest = _t.AsSpan(j, _lineEnd - j);
            var k = quote == '"' ? rest.IndexOfAny('"', '\\') : rest.IndexOf('\'');
            if (k < 0) return false;
            var at = j + k;
            var doubled = quote == '\'' && at + 1 < _lineEnd && _t[at + 1] == '\'';
            if (_t[at] == quote && !doubled)
            {
                if (sb is null) _json.WriteStringValue(_t.AsSpan(start, at - start));
                else _json.WriteStringValue(sb.Append(_t, j, k).ToString());
                _pos = at + 1;
                return true;
            }
            sb ??= (_unescaped ??= new StringBuilder(64)).Clear();
            sb.Append(_t, j, k);
            if (doubled)
            {
                sb.Append('\'');
                j = at + 2;
                continue;
            }
            var used = Unescape(at, sb);
            if (used == 0) return false;
            j = at + used;
        }
    }

    /// <summary>
    /// Appends the JSON escape that starts with the backslash at <paramref name="at"/>; returns how
    /// many characters it took, or 0 for one JSON does not have (YamlDotNet reads those).
    /// </summary>
    private int Unescape(int at, StringBuilder sb)
    {
        if (at + 1 >= _lineEnd) return 0;
        var e = _t[at + 1];
        char? simple = e switch
        {
            '"' or '\\' or '/' => e,
            'b' => '\b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            _ => null,
        };
        if (simple is { } c)
        {
            sb.Append(c);
            return 2;
        }
        if (e != 'u' || at + 6 > _lineEnd) return 0;
        if (!ushort.TryParse(_t.AsSpan(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)) return 0;
        if (char.IsSurrogate((char)code)) return 0;
        sb.Append((char)code);
        return 6;
    }

    private static string UnsupportedChars()
    {
        var sb = new StringBuilder();
        for (var c = '\0'; c < ' '; c++)
        {
            if (c != '\n') sb.Append(c);
        }
        for (var c = '\u007F'; c <= '\u009F'; c++) sb.Append(c);
        for (var c = '\uD800'; c <= '\uDFFF'; c++) sb.Append(c);
        // YamlDotNet breaks lines at these too (as YAML 1.1 did), where this reader would not.
        sb.Append('\u2028').Append('\u2029');
        sb.Append('\uFEFF').Append('\uFFFE').Append('\uFFFF');
        return sb.ToString();
    }
}
