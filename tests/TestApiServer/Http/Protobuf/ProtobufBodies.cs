namespace Admission.TestApiServer.Http.Protobuf;

/// <summary>
/// kubectl's typed commands (create namespace, create configmap/secret, create job, auth whoami,
/// auth can-i) send protobuf bodies. These few types are decoded into JSON, keeping only the fields
/// listed here (Jobs: see <see cref="ProtobufJobs"/>); any other type sent as protobuf gets 415.
/// </summary>
internal static class ProtobufBodies
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(ResourceDefinition resource, ReadOnlyMemory<byte> body)
    {
        if (body.Length < 4 || !body.Span[..4].SequenceEqual(Magic))
        {
            throw StatusBodies.BadRequest("protobuf body without the k8s envelope");
        }

        // runtime.Unknown: field 2 holds the encoded object.
        var raw = ProtoFields.Read(body[4..]).FirstOrDefault(f => f.Number == 2).Bytes;
        var fields = ProtoFields.Read(raw);
        var obj = new JsonObject { ["apiVersion"] = resource.ApiVersion, ["kind"] = resource.Kind };
        foreach (var field in fields.Where(f => f.Number == 1))
        {
            obj["metadata"] = ObjectMeta(field.Bytes);
        }

        switch (resource.GroupResource)
        {
            case "namespaces":
                obj["spec"] = new JsonObject();
                break;
            case "configmaps":
                obj["data"] = StringMap(fields, 2);
                break;
            case "secrets":
                obj["data"] = BytesMap(fields, 2);
                if (fields.Where(f => f.Number == 3).Select(ProtoFields.Text).LastOrDefault() is { } type)
                {
                    obj["type"] = type;
                }

                break;
            case "jobs.batch":
                foreach (var spec in fields.Where(f => f.Number == 2))
                {
                    obj["spec"] = ProtobufJobs.Spec(spec.Bytes);
                }

                break;
            case "selfsubjectreviews.authentication.k8s.io":
                break;
            case "selfsubjectaccessreviews.authorization.k8s.io":
                obj["spec"] = AccessReviewSpec(fields.FirstOrDefault(f => f.Number == 2).Bytes);
                break;
            default:
                throw StatusBodies.UnsupportedMediaType(MediaType, "application/json");
        }

        return obj;
    }

    public static JsonObject ObjectMeta(ReadOnlyMemory<byte> bytes)
    {
        var fields = ProtoFields.Read(bytes);
        var metadata = new JsonObject();
        string[] names = ["", "name", "generateName", "namespace", "", "", "resourceVersion"];
        foreach (var field in fields.Where(f => f.Number is 1 or 2 or 3 or 6 && !f.Bytes.IsEmpty))
        {
            metadata[names[field.Number]] = ProtoFields.Text(field);
        }

        if (fields.Any(f => f.Number == 11))
        {
            metadata["labels"] = StringMap(fields, 11);
        }

        if (fields.Any(f => f.Number == 12))
        {
            metadata["annotations"] = StringMap(fields, 12);
        }

        return metadata;
    }

    private static JsonObject AccessReviewSpec(ReadOnlyMemory<byte> bytes)
    {
        var spec = new JsonObject();
        var attributes = ProtoFields.Read(bytes).FirstOrDefault(f => f.Number == 1).Bytes;
        if (!attributes.IsEmpty)
        {
            string[] names = ["", "namespace", "verb", "group", "version", "resource", "subresource", "name"];
            var resourceAttributes = new JsonObject();
            foreach (var field in ProtoFields.Read(attributes).Where(f => f.Number is >= 1 and <= 7 && !f.Bytes.IsEmpty))
            {
                resourceAttributes[names[field.Number]] = ProtoFields.Text(field);
            }

            spec["resourceAttributes"] = resourceAttributes;
        }

        return spec;
    }

    private static JsonObject StringMap(List<ProtoField> fields, int number) =>
        Map(fields, number, v => ProtoFields.Text(v));

    private static JsonObject BytesMap(List<ProtoField> fields, int number) =>
        Map(fields, number, v => Convert.ToBase64String(v.Bytes.Span));

    private static JsonObject Map(List<ProtoField> fields, int number, Func<ProtoField, string> value)
    {
        var map = new JsonObject();
        foreach (var entry in fields.Where(f => f.Number == number))
        {
            var parts = ProtoFields.Read(entry.Bytes);
            var key = parts.Where(p => p.Number == 1).Select(ProtoFields.Text).FirstOrDefault() ?? "";
            var val = parts.Where(p => p.Number == 2).Select(value).FirstOrDefault() ?? "";
            map[key] = val;
        }

        return map;
    }
}
