namespace Admission.TestApiServer.Http.Protobuf;

/// <summary>One field of a protobuf message, as read off the wire.</summary>
internal readonly record struct ProtoField(int Number, ulong Varint, ReadOnlyMemory<byte> Bytes);

/// <summary>A minimal protobuf wire-format reader: enough to walk messages field by field.</summary>
internal static class ProtoFields
{
    public static List<ProtoField> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var span = message.Span;
        var at = 0;
        while (at < span.Length)
        {
            var tag = ReadVarint(span, ref at);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    fields.Add(new ProtoField(number, ReadVarint(span, ref at), default));
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref at);
                    if (length < 0 || at + length > span.Length)
                    {
                        throw new FormatException("truncated protobuf field");
                    }

                    fields.Add(new ProtoField(number, 0, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new FormatException($"unsupported protobuf wire type {tag & 7}");
            }
        }

        return fields;
    }

    public static string Text(ProtoField field) => System.Text.Encoding.UTF8.GetString(field.Bytes.Span);

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= span.Length)
            {
                throw new FormatException("truncated protobuf varint");
            }

            var b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("protobuf varint too long");
    }
}
