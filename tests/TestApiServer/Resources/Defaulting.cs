namespace Admission.TestApiServer.Resources;

/// <summary>
/// The few defaults kube-apiserver (or a CRD's structural schema) fills in that clients and webhooks
/// rely on. Only these: there is no general schema defaulting.
/// </summary>
internal static class Defaulting
{
    public static void Apply(ResourceDefinition resource, JsonObject obj)
    {
        switch (resource.GroupResource)
        {
            case "namespaces":
                DefaultNamespace(obj);
                break;
            case "deployments.apps":
            case "statefulsets.apps":
                SetIfMissing(Child(obj, "spec"), "replicas", 1);
                break;
            case "secrets" when obj["type"]?.ToString() is null or "":
                obj["type"] = "Opaque";
                break;
            case "changeapprovals.approvals.admission.dev":
                DefaultChangeApproval(obj);
                break;
            case "validatingwebhookconfigurations.admissionregistration.k8s.io":
                DefaultWebhookConfiguration(obj);
                break;
        }
    }

    private static void DefaultNamespace(JsonObject ns)
    {
        // kube-apiserver always sets this label so that namespaceSelectors can pick a namespace by name.
        var name = ns["metadata"]?["name"]?.ToString();
        if (name is not null)
        {
            Child(Child(ns, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
        }

        SetIfMissing(Child(ns, "spec"), "finalizers", new JsonArray("kubernetes"));
        SetIfMissing(Child(ns, "status"), "phase", "Active");
    }

    private static void DefaultChangeApproval(JsonObject approval)
    {
        if (approval["spec"] is not JsonObject spec)
        {
            return;
        }

        if (spec["target"] is JsonObject target)
        {
            SetIfMissing(target, "apiGroup", "apps");
        }

        SetIfMissing(spec, "operations", new JsonArray("CREATE", "UPDATE"));
    }

    private static void DefaultWebhookConfiguration(JsonObject config)
    {
        if (config["webhooks"] is not JsonArray webhooks)
        {
            return;
        }

        foreach (var webhook in webhooks.OfType<JsonObject>())
        {
            SetIfMissing(webhook, "failurePolicy", "Fail");
            SetIfMissing(webhook, "matchPolicy", "Equivalent");
            SetIfMissing(webhook, "namespaceSelector", new JsonObject());
            SetIfMissing(webhook, "objectSelector", new JsonObject());
            SetIfMissing(webhook, "timeoutSeconds", 10);
            if (webhook["rules"] is JsonArray rules)
            {
                foreach (var rule in rules.OfType<JsonObject>())
                {
                    SetIfMissing(rule, "scope", "*");
                }
            }
        }
    }

    internal static JsonObject Child(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject child)
        {
            return child;
        }

        child = [];
        parent[key] = child;
        return child;
    }

    private static void SetIfMissing(JsonObject obj, string key, JsonNode value)
    {
        if (!obj.ContainsKey(key) || obj[key] is null)
        {
            obj[key] = value;
        }
    }
}
