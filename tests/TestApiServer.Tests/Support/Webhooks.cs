namespace Admission.TestApiServer.Tests.Support;

/// <summary>ValidatingWebhookConfigurations for tests.</summary>
internal static class Webhooks
{
    public static JsonObject Configuration(string name, JsonObject clientConfig, string[] resources, string failurePolicy = "Fail",
        JsonObject? namespaceSelector = null, string[]? operations = null, string[]? apiGroups = null, int? timeoutSeconds = null)
    {
        var webhook = new JsonObject
        {
            ["name"] = name,
            ["clientConfig"] = clientConfig.DeepClone(),
            ["rules"] = new JsonArray(new JsonObject
            {
                ["apiGroups"] = Strings(apiGroups ?? ["*"]),
                ["apiVersions"] = Strings(["*"]),
                ["operations"] = Strings(operations ?? ["*"]),
                ["resources"] = Strings(resources),
            }),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = Strings(["v1"]),
        };
        if (namespaceSelector is not null)
        {
            webhook["namespaceSelector"] = namespaceSelector;
        }

        if (timeoutSeconds is not null)
        {
            webhook["timeoutSeconds"] = timeoutSeconds;
        }

        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "ValidatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray(webhook),
        };
    }

    public static JsonObject Url(TestWebhook webhook) => new() { ["url"] = webhook.Url, ["caBundle"] = webhook.CaBundle };

    public static JsonObject TierOne() => (JsonObject)JsonNode.Parse("""{"matchLabels":{"approvals.admission.dev/tier":"1"}}""")!;

    private static JsonArray Strings(string[] values) => new(values.Select(v => (JsonNode)v).ToArray());
}
