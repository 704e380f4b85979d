namespace Admission.TestApiServer.Http.Protobuf;

/// <summary>
/// A batch/v1 Job as `kubectl create job` sends it (protobuf), decoded field by field into JSON:
/// the spec, its pod template, and the containers' name, image, command, args and a few strings.
/// Go's encoder writes every non-pointer field, zero or not, so a field this decoder does not know
/// is skipped when it holds its zero value and refused (415, naming it) when it holds anything
/// else: a body is never stored with part of it silently dropped. Field numbers are those of
/// k8s.io/api/batch/v1/generated.proto and core/v1/generated.proto.
/// </summary>
internal static class ProtobufJobs
{
    private enum Kind
    {
        Text,
        Flag,
        Number,
        Texts,
    }

    /// <summary>
    /// A field the decoder knows. A Go pointer field is present only when set, so a zero that
    /// arrives was set and is kept; any other field's zero is Go's default and is left out.
    /// </summary>
    private readonly record struct Field(string Name, Kind Kind, bool KeepZero = false);

    private static Field Pointer(string name, Kind kind) => new(name, kind, KeepZero: true);

    private static Field Text(string name) => new(name, Kind.Text);

    private static Field Texts(string name) => new(name, Kind.Texts);

    private static readonly Dictionary<int, Field> JobSpecFields = new()
    {
        [1] = Pointer("parallelism", Kind.Number),
        [2] = Pointer("completions", Kind.Number),
        [3] = Pointer("activeDeadlineSeconds", Kind.Number),
        [5] = Pointer("manualSelector", Kind.Flag),
        [7] = Pointer("backoffLimit", Kind.Number),
        [8] = Pointer("ttlSecondsAfterFinished", Kind.Number),
        [9] = Pointer("completionMode", Kind.Text),
        [10] = Pointer("suspend", Kind.Flag),
    };

    private static readonly Dictionary<int, Field> PodSpecFields = new()
    {
        [3] = Text("restartPolicy"),
        [4] = Pointer("terminationGracePeriodSeconds", Kind.Number),
        [6] = Text("dnsPolicy"),
        [8] = Text("serviceAccountName"),
    };

    private static readonly Dictionary<int, Field> ContainerFields = new()
    {
        [1] = Text("name"),
        [2] = Text("image"),
        [3] = Texts("command"),
        [4] = Texts("args"),
        [5] = Text("workingDir"),
        [13] = Text("terminationMessagePath"),
        [14] = Text("imagePullPolicy"),
        [20] = Text("terminationMessagePolicy"),
    };

    /// <summary>The Job's spec (field 2 of the Job); status (field 3) is dropped on create anyway.</summary>
    public static JsonObject Spec(ReadOnlyMemory<byte> bytes)
    {
        var spec = new JsonObject();
        foreach (var field in ProtoFields.Read(bytes))
        {
            if (field.Number == 6)
            {
                spec["template"] = Template(field.Bytes);
            }
            else if (!Known(spec, JobSpecFields, field))
            {
                Unknown("JobSpec", field);
            }
        }

        return spec;
    }

    private static JsonObject Template(ReadOnlyMemory<byte> bytes)
    {
        var template = new JsonObject();
        foreach (var field in ProtoFields.Read(bytes))
        {
            switch (field.Number)
            {
                case 1:
                    var metadata = ProtobufBodies.ObjectMeta(field.Bytes);
                    if (metadata.Count > 0)
                    {
                        template["metadata"] = metadata;
                    }

                    break;
                case 2:
                    template["spec"] = PodSpec(field.Bytes);
                    break;
                default:
                    Unknown("PodTemplateSpec", field);
                    break;
            }
        }

        return template;
    }

    private static JsonObject PodSpec(ReadOnlyMemory<byte> bytes)
    {
        var spec = new JsonObject();
        var containers = new JsonArray();
        foreach (var field in ProtoFields.Read(bytes))
        {
            if (field.Number == 2)
            {
                containers.Add(Container(field.Bytes));
            }
            else if (!Known(spec, PodSpecFields, field))
            {
                Unknown("PodSpec", field);
            }
        }

        spec["containers"] = containers;
        return spec;
    }

    private static JsonObject Container(ReadOnlyMemory<byte> bytes)
    {
        var container = new JsonObject();
        foreach (var field in ProtoFields.Read(bytes))
        {
            if (field.Number == 8 && field.Bytes.IsEmpty)
            {
                container["resources"] = new JsonObject();
            }
            else if (!Known(container, ContainerFields, field))
            {
                Unknown("Container", field);
            }
        }

        return container;
    }

    private static bool Known(JsonObject target, Dictionary<int, Field> fields, ProtoField field)
    {
        if (!fields.TryGetValue(field.Number, out var known))
        {
            return false;
        }

        var zero = field.Bytes.IsEmpty && field.Varint == 0;
        if (zero && !known.KeepZero && known.Kind != Kind.Texts)
        {
            return true;
        }

        switch (known.Kind)
        {
            case Kind.Text:
                target[known.Name] = ProtoFields.Text(field);
                break;
            case Kind.Flag:
                target[known.Name] = field.Varint != 0;
                break;
            case Kind.Number:
                target[known.Name] = (long)field.Varint;
                break;
            case Kind.Texts:
                if (target[known.Name] is not JsonArray list)
                {
                    target[known.Name] = list = new JsonArray();
                }

                list.Add(ProtoFields.Text(field));
                break;
        }

        return true;
    }

    private static void Unknown(string message, ProtoField field)
    {
        if (field.Bytes.IsEmpty && field.Varint == 0)
        {
            return;
        }

        throw StatusBodies.UnsupportedMediaType(ProtobufBodies.MediaType,
            $"application/json (this server does not decode field {field.Number} of a protobuf {message}; send JSON)");
    }
}
