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

    private static readonly Dictionary<int, (string Name, Kind Kind, bool KeepZero)> JobSpecFields = new()
    {
        // Pointers in Go: present only when set, so a zero that arrives was set.
        [1] = ("parallelism", Kind.Number, true),
        [2] = ("completions", Kind.Number, true),
        [3] = ("activeDeadlineSeconds", Kind.Number, true),
        [5] = ("manualSelector", Kind.Flag, true),
        [7] = ("backoffLimit", Kind.Number, true),
        [8] = ("ttlSecondsAfterFinished", Kind.Number, true),
        [9] = ("completionMode", Kind.Text, true),
        [10] = ("suspend", Kind.Flag, true),
    };

    private static readonly Dictionary<int, (string Name, Kind Kind, bool KeepZero)> PodSpecFields = new()
    {
        [3] = ("restartPolicy", Kind.Text, false),
        [4] = ("terminationGracePeriodSeconds", Kind.Number, true),
        [6] = ("dnsPolicy", Kind.Text, false),
        [8] = ("serviceAccountName", Kind.Text, false),
    };

    private static readonly Dictionary<int, (string Name, Kind Kind, bool KeepZero)> ContainerFields = new()
    {
        [1] = ("name", Kind.Text, false),
        [2] = ("image", Kind.Text, false),
        [3] = ("command", Kind.Texts, false),
        [4] = ("args", Kind.Texts, false),
        [5] = ("workingDir", Kind.Text, false),
        [13] = ("terminationMessagePath", Kind.Text, false),
        [14] = ("imagePullPolicy", Kind.Text, false),
        [20] = ("terminationMessagePolicy", Kind.Text, false),
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

    private static bool Known(JsonObject target, Dictionary<int, (string Name, Kind Kind, bool KeepZero)> fields, ProtoField field)
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
