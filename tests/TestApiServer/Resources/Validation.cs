namespace Admission.TestApiServer.Resources;

/// <summary>
/// The few validations kube-apiserver makes that a test would otherwise get wrong silently; so far
/// only for ValidatingWebhookConfigurations, whose mistakes would make a webhook test pass here and
/// fail in a cluster. Everything else is stored unvalidated.
/// </summary>
internal static class Validation
{
    private static readonly string[] SideEffects = ["None", "NoneOnDryRun"];

    public static void Check(ResourceDefinition resource, JsonObject obj)
    {
        if (resource.GroupResource == "validatingwebhookconfigurations.admissionregistration.k8s.io")
        {
            CheckWebhookConfiguration(resource, obj);
        }
    }

    private static void CheckWebhookConfiguration(ResourceDefinition resource, JsonObject config)
    {
        var name = Meta.Name(config);
        var webhooks = config["webhooks"] as JsonArray ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < webhooks.Count; i++)
        {
            var field = $"webhooks[{i}]";
            if (webhooks[i] is not JsonObject webhook)
            {
                throw StatusBodies.Invalid(resource, name, field, "Invalid value: must be an object");
            }

            var webhookName = webhook["name"]?.ToString() ?? "";
            if (webhookName.Split('.').Length < 3)
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.name",
                    $"Invalid value: \"{webhookName}\": should be a domain with at least three segments separated by dots");
            }

            if (!seen.Add(webhookName))
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.name", $"Duplicate value: \"{webhookName}\"");
            }

            if (!SideEffects.Contains(webhook["sideEffects"]?.ToString()))
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.sideEffects",
                    "Unsupported value: supported values: \"None\", \"NoneOnDryRun\"");
            }

            if (webhook["admissionReviewVersions"] is not JsonArray versions || !versions.Any(v => v?.ToString() is "v1" or "v1beta1"))
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.admissionReviewVersions",
                    "Required value: must specify one of v1, v1beta1");
            }

            if (webhook["failurePolicy"]?.ToString() is { } policy && policy is not ("Fail" or "Ignore"))
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.failurePolicy",
                    $"Unsupported value: \"{policy}\": supported values: \"Fail\", \"Ignore\"");
            }

            if (JsonValues.Integer(webhook["timeoutSeconds"]) is { } timeout && timeout is < 1 or > 30)
            {
                throw StatusBodies.Invalid(resource, name, $"{field}.timeoutSeconds",
                    $"Invalid value: {timeout}: the timeout value must be between 1 and 30 seconds");
            }

            CheckClientConfig(resource, name, $"{field}.clientConfig", webhook["clientConfig"] as JsonObject);
        }
    }

    private static void CheckClientConfig(ResourceDefinition resource, string name, string field, JsonObject? clientConfig)
    {
        var url = clientConfig?["url"]?.ToString();
        var hasService = clientConfig?["service"] is JsonObject;
        if ((url is null) == !hasService)
        {
            throw StatusBodies.Invalid(resource, name, field, "Required value: exactly one of url or service is required");
        }

        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https"))
        {
            throw StatusBodies.Invalid(resource, name, $"{field}.url", $"Invalid value: \"{url}\": 'https' is the only allowed URL scheme");
        }
    }
}
