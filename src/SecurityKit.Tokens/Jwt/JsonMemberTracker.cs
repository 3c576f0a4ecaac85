using System.Text.Json;

namespace SecurityKit.Tokens.Jwt;

/// <summary>
/// Detects duplicate member names in every object of one JSON document without allocating: unescaped
/// names are copied into a caller-provided buffer and compared with the names already seen in the same
/// object; the names of a nested object are dropped when it closes.
/// </summary>
internal ref struct JsonMemberTracker
{
    internal const int MaxNames = 128;
    internal const int MaxScopes = 34;

    private readonly Span<byte> _names;
    private readonly Span<int> _offsets;
    private readonly Span<int> _lengths;
    private readonly Span<int> _scopes;
    private int _count;
    private int _used;
    private int _depth;

    public JsonMemberTracker(Span<byte> names, Span<int> offsets, Span<int> lengths, Span<int> scopes)
    {
        _names = names;
        _offsets = offsets;
        _lengths = lengths;
        _scopes = scopes;
        _count = 0;
        _used = 0;
        _depth = 0;
    }

    public bool EnterObject()
    {
        if (_depth == _scopes.Length)
        {
            return false;
        }

        _scopes[_depth++] = _count;
        return true;
    }

    public void ExitObject()
    {
        _count = _scopes[--_depth];
        _used = _count == 0 ? 0 : _offsets[_count - 1] + _lengths[_count - 1];
    }

    /// <summary>Records the property name under the reader; returns the failure, or None.</summary>
    public JwtFailureReason Add(ref Utf8JsonReader reader)
    {
        if (_count == _offsets.Length || _depth == 0)
        {
            return JwtFailureReason.JsonTooComplex;
        }

        var free = _names[_used..];
        int length;
        if (reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length > free.Length)
            {
                return JwtFailureReason.JsonTooComplex;
            }

            length = reader.CopyString(free);
        }
        else
        {
            var raw = reader.ValueSpan;
            if (raw.Length > free.Length)
            {
                return JwtFailureReason.JsonTooComplex;
            }

            raw.CopyTo(free);
            length = raw.Length;
        }

        var name = free[..length];
        for (var i = _scopes[_depth - 1]; i < _count; i++)
        {
            if (_lengths[i] == length && _names.Slice(_offsets[i], length).SequenceEqual(name))
            {
                return JwtFailureReason.DuplicateMember;
            }
        }

        _offsets[_count] = _used;
        _lengths[_count] = length;
        _count++;
        _used += length;
        return JwtFailureReason.None;
    }

    /// <summary>
    /// Walks the value under the reader (any JSON value), checking depth and duplicate names in nested
    /// objects; leaves the reader on the value's last token.
    /// </summary>
    public JwtFailureReason SkipValue(ref Utf8JsonReader reader, int maxDepth)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return JwtFailureReason.None;
        }

        var startDepth = reader.CurrentDepth;
        if (startDepth + 1 > maxDepth)
        {
            return JwtFailureReason.JsonTooComplex;
        }

        if (reader.TokenType == JsonTokenType.StartObject && !EnterObject())
        {
            return JwtFailureReason.JsonTooComplex;
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    if (reader.CurrentDepth + 1 > maxDepth || !EnterObject())
                    {
                        return JwtFailureReason.JsonTooComplex;
                    }

                    break;
                case JsonTokenType.StartArray:
                    if (reader.CurrentDepth + 1 > maxDepth)
                    {
                        return JwtFailureReason.JsonTooComplex;
                    }

                    break;
                case JsonTokenType.EndObject:
                    ExitObject();
                    if (reader.CurrentDepth == startDepth)
                    {
                        return JwtFailureReason.None;
                    }

                    break;
                case JsonTokenType.EndArray:
                    if (reader.CurrentDepth == startDepth)
                    {
                        return JwtFailureReason.None;
                    }

                    break;
                case JsonTokenType.PropertyName:
                    var failure = Add(ref reader);
                    if (failure != JwtFailureReason.None)
                    {
                        return failure;
                    }

                    break;
            }
        }

        return JwtFailureReason.InvalidJson;
    }
}
