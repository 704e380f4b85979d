namespace Admission.Policies.Tests.Support;

/// <summary>
/// A workload object (Deployment by default) described by the fields the rules look at; each
/// test changes one thing with <c>with</c> and renders it as the JSON kube-apiserver would send.
/// </summary>
public sealed record Workload
{
    public string Group { get; init; } = "apps";
    public string Kind { get; init; } = "Deployment";
    public string Name { get; init; } = "checkout";
    public string Namespace { get; init; } = "payments";
    public int Replicas { get; init; } = 3;
    public IReadOnlyList<string> Images { get; init; } = [Fixture.Image];
    public IReadOnlyList<string> InitImages { get; init; } = [];
    public IReadOnlyList<string> EphemeralImages { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string> { ["app"] = "checkout" };
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
    /// <summary>Something else in <c>spec</c> (the rollout strategy) so a test can change the spec without touching images or replicas.</summary>
    public string Strategy { get; init; } = "RollingUpdate";
    /// <summary>Annotations of the pod template's metadata (where <c>kubectl rollout restart</c> writes).</summary>
    public IReadOnlyDictionary<string, string> TemplateAnnotations { get; init; } = new Dictionary<string, string>();
    /// <summary><c>metadata.ownerReferences</c> as (kind, name, controller).</summary>
    public IReadOnlyList<(string Kind, string Name, bool Controller)> Owners { get; init; } = [];
    public int ObservedGeneration { get; init; } = 1;
    public long Generation { get; init; } = 1;

    public string ApiVersion => Group.Length == 0 ? "v1" : Group + "/v1";

    /// <summary>The plural resource, as kube-apiserver names it.</summary>
    public string Resource => new WorkloadKind(Group, Kind).Plural;

    public Workload WithAnnotation(string key, string value) =>
        this with { Annotations = new Dictionary<string, string>(Annotations) { [key] = value } };

    public Workload WithTemplateAnnotation(string key, string value) =>
        this with { TemplateAnnotations = new Dictionary<string, string>(TemplateAnnotations) { [key] = value } };

    public Workload WithBreakGlass(string reason) => WithAnnotation(AdmissionPolicy.BreakGlassAnnotation, reason);

    public JsonElement ToJson()
    {
        var podSpec = new JsonObject { ["containers"] = Containers(Images, "app") };
        if (InitImages.Count > 0) podSpec["initContainers"] = Containers(InitImages, "init");
        if (EphemeralImages.Count > 0) podSpec["ephemeralContainers"] = Containers(EphemeralImages, "debug");
        var metadata = new JsonObject
        {
            ["name"] = Name,
            ["namespace"] = Namespace,
            ["generation"] = Generation,
            ["labels"] = Map(Labels),
            ["annotations"] = Map(Annotations),
        };
        if (Owners.Count > 0)
        {
            metadata["ownerReferences"] = new JsonArray([.. Owners.Select(o => (JsonNode?)new JsonObject
            {
                ["apiVersion"] = "apps/v1", ["kind"] = o.Kind, ["name"] = o.Name, ["uid"] = "0d6e7c2a-" + o.Name, ["controller"] = o.Controller,
            })]);
        }
        var root = new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = Kind, ["metadata"] = metadata };
        var templateMetadata = new JsonObject { ["labels"] = new JsonObject { ["app"] = Name } };
        if (TemplateAnnotations.Count > 0) templateMetadata["annotations"] = Map(TemplateAnnotations);
        if (Kind == "Pod")
        {
            root["spec"] = podSpec;
        }
        else if (Kind == "CronJob")
        {
            var template = new JsonObject { ["metadata"] = templateMetadata, ["spec"] = podSpec };
            root["spec"] = new JsonObject
            {
                ["schedule"] = "*/5 * * * *",
                ["strategy"] = new JsonObject { ["type"] = Strategy },
                ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = template } },
            };
        }
        else
        {
            root["spec"] = new JsonObject
            {
                ["replicas"] = Replicas,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = Name } },
                ["strategy"] = new JsonObject { ["type"] = Strategy },
                ["template"] = new JsonObject { ["metadata"] = templateMetadata, ["spec"] = podSpec },
            };
        }
        root["status"] = new JsonObject { ["observedGeneration"] = ObservedGeneration, ["replicas"] = Replicas };
        return JsonSerializer.SerializeToElement(root);
    }

    /// <summary>The <c>autoscaling/v1</c> Scale object kube-apiserver sends for the <c>scale</c> subresource.</summary>
    public JsonElement ToScaleJson() => JsonSerializer.SerializeToElement(new JsonObject
    {
        ["apiVersion"] = "autoscaling/v1",
        ["kind"] = "Scale",
        ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
        ["spec"] = new JsonObject { ["replicas"] = Replicas },
        ["status"] = new JsonObject { ["replicas"] = Replicas, ["selector"] = "app=" + Name },
    });

    private static JsonArray Containers(IReadOnlyList<string> images, string prefix)
    {
        var array = new JsonArray();
        for (var i = 0; i < images.Count; i++)
        {
            array.Add(new JsonObject { ["name"] = $"{prefix}-{i}", ["image"] = images[i] });
        }
        return array;
    }

    private static JsonObject Map(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (k, v) in values) map[k] = v;
        return map;
    }
}
