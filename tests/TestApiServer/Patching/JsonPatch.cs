namespace Admission.TestApiServer.Patching;

/// <summary>RFC 6902 JSON patch over JsonNode: add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = document };
        foreach (var op in operations)
        {
            if (op is not JsonObject operation)
            {
                throw new PatchException("each operation must be an object");
            }

            var kind = operation["op"]?.ToString() ?? throw new PatchException("operation has no \"op\"");
            var path = operation["path"]?.ToString() ?? throw new PatchException("operation has no \"path\"");
            switch (kind)
            {
                case "add":
                    Add(root, path, RequiredValue(operation));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, RequiredValue(operation));
                    break;
                case "move":
                    var moved = Remove(root, From(operation));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Resolve(root, From(operation))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Resolve(root, path), operation["value"]))
                    {
                        throw new PatchTestFailedException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new PatchException($"unexpected kind: {kind}");
            }
        }

        return root["doc"] ?? throw new PatchException("the patch removed the whole document");
    }

    private static JsonNode? RequiredValue(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value)
            ? value?.DeepClone()
            : throw new PatchException("operation has no \"value\"");

    private static string From(JsonObject operation) =>
        operation["from"]?.ToString() ?? throw new PatchException("operation has no \"from\"");

    private static (JsonNode Parent, string Token) Parent(JsonObject root, string pointer)
    {
        var tokens = Tokens(pointer);
        JsonNode node = root;
        var key = "doc";
        foreach (var token in tokens)
        {
            node = Child(node, key) ?? throw new PatchException($"missing value at {pointer}");
            key = token;
        }

        return (node, key);
    }

    private static JsonNode? Resolve(JsonObject root, string pointer)
    {
        var (parent, token) = Parent(root, pointer);
        return Child(parent, token);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o.TryGetPropertyValue(token, out var v) ? v : throw new PatchException($"missing key {token}"),
        JsonArray a => a[Index(a, token, false)],
        _ => throw new PatchException($"cannot descend into a value at {token}"),
    };

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, token) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[token] = value;
                break;
            case JsonArray a when token == "-":
                a.Add(value);
                break;
            case JsonArray a:
                a.Insert(Index(a, token, true), value);
                break;
            default:
                throw new PatchException($"cannot add at {pointer}");
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer)
    {
        var (parent, token) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                if (!o.TryGetPropertyValue(token, out var old))
                {
                    throw new PatchException($"unable to remove nonexistent key: {token}");
                }

                o.Remove(token);
                return old;
            case JsonArray a:
                var index = Index(a, token, false);
                var item = a[index];
                a.RemoveAt(index);
                return item;
            default:
                throw new PatchException($"cannot remove at {pointer}");
        }
    }

    private static int Index(JsonArray array, string token, bool allowEnd)
    {
        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || index > array.Count || (!allowEnd && index == array.Count))
        {
            throw new PatchException($"index {token} is out of range");
        }

        return index;
    }

    private static IEnumerable<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (!pointer.StartsWith('/'))
        {
            throw new PatchException($"invalid JSON pointer \"{pointer}\"");
        }

        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
    }
}
