namespace Admission.TestApiServer.Admission;

/// <summary>
/// The validating-webhook admission phase: every stored ValidatingWebhookConfiguration whose
/// webhook matches the request is called, in parallel as kube-apiserver does; the first refusal in
/// configuration order wins. Webhook configurations themselves are never sent to webhooks, so a
/// broken webhook cannot lock the test out of removing it.
/// </summary>
internal sealed class ValidatingAdmission(
    ObjectStore store,
    ResourceCatalog catalog,
    WebhookCaller caller,
    Func<Func<ServiceReference, Uri>?> serviceResolver)
{
    /// <summary>ValidatingAdmissionPolicies, which kube-apiserver applies before the webhooks.</summary>
    public Policies.AdmissionPolicies? Policies { get; set; }

    public async Task ValidateAsync(AdmissionAttributes request, List<string> warnings, CancellationToken cancellationToken)
    {
        if (request.Resource.Group == "admissionregistration.k8s.io")
        {
            return;
        }

        Policies?.Validate(request);

        var webhooks = MatchingWebhooks(request);
        if (webhooks.Count == 0)
        {
            return;
        }

        var calls = webhooks.Select(w => CallAsync(w, request, cancellationToken)).ToList();
        await Task.WhenAll(calls);
        ApiException? refusal = null;
        foreach (var call in calls)
        {
            var (callWarnings, error) = call.Result;
            warnings.AddRange(callWarnings);
            refusal ??= error;
        }

        if (refusal is not null)
        {
            throw refusal;
        }
    }

    private List<JsonObject> MatchingWebhooks(AdmissionAttributes request)
    {
        var (configs, _) = store.List(catalog.WebhookConfigurations, null);
        var matching = new List<JsonObject>();
        Dictionary<string, string>? namespaceLabels = null;
        foreach (var webhook in configs.SelectMany(c => (c["webhooks"] as JsonArray ?? []).OfType<JsonObject>()))
        {
            if (!RuleMatcher.AnyMatches(webhook["rules"], request))
            {
                continue;
            }

            namespaceLabels ??= NamespaceLabels(request);
            if (namespaceLabels is not null && !SelectorMatcher.Matches(webhook["namespaceSelector"], namespaceLabels))
            {
                continue;
            }

            if (!SelectorMatcher.Matches(webhook["objectSelector"], LabelSelector.LabelsOf(request.Object))
                && !SelectorMatcher.Matches(webhook["objectSelector"], LabelSelector.LabelsOf(request.OldObject)))
            {
                continue;
            }

            matching.Add(webhook);
        }

        return matching;
    }

    /// <summary>
    /// The labels a namespaceSelector is matched against, or null when it does not apply
    /// (cluster-scoped objects other than Namespaces always match).
    /// </summary>
    private Dictionary<string, string>? NamespaceLabels(AdmissionAttributes request)
    {
        var isNamespace = ReferenceEquals(request.Resource, catalog.Namespaces);
        if (isNamespace && request.Subresource.Length == 0 && request.Operation is "CREATE" or "UPDATE")
        {
            return LabelSelector.LabelsOf(request.Object);
        }

        if (request.Namespace.Length == 0)
        {
            return null;
        }

        var ns = store.Get(catalog.Namespaces, "", request.Namespace)
            ?? throw StatusBodies.NamespaceNotFound(request.Namespace);
        return LabelSelector.LabelsOf(ns);
    }

    private async Task<(IReadOnlyList<string> Warnings, ApiException? Error)> CallAsync(
        JsonObject webhook, AdmissionAttributes request, CancellationToken cancellationToken)
    {
        var name = webhook["name"]?.ToString() ?? "";
        var ignoreFailure = webhook["failurePolicy"]?.ToString() == "Ignore";
        var timeout = TimeSpan.FromSeconds(JsonValues.Integer(webhook["timeoutSeconds"]) ?? 10);
        var uid = Guid.NewGuid().ToString();
        try
        {
            var endpoint = Endpoint(webhook["clientConfig"] as JsonObject, timeout);
            var review = await caller.PostAsync(endpoint, AdmissionReviews.Request(request, uid), timeout, cancellationToken);
            var response = CheckResponse(review, uid);
            var warnings = (response["warnings"] as JsonArray ?? []).Select(w => w?.ToString() ?? "").ToList();
            if (JsonValues.Boolean(response["allowed"]) == true)
            {
                return (warnings, null);
            }

            return (warnings, Denial(name, response["status"] as JsonObject));
        }
        catch (WebhookCallException e)
        {
            return ignoreFailure
                ? ([], null)
                : ([], StatusBodies.Internal($"failed calling webhook \"{name}\": {e.Message}"));
        }
    }

    private WebhookEndpoint Endpoint(JsonObject? clientConfig, TimeSpan timeout)
    {
        if (clientConfig is null)
        {
            throw new WebhookCallException("webhook has no clientConfig");
        }

        string? caBundle = null;
        if (clientConfig["caBundle"]?.ToString() is { Length: > 0 } encoded)
        {
            try
            {
                caBundle = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                throw new WebhookCallException("clientConfig.caBundle is not base64");
            }
        }

        var query = $"timeout={(int)timeout.TotalSeconds}s";
        if (clientConfig["url"]?.ToString() is { Length: > 0 } url)
        {
            return new WebhookEndpoint(WithQuery(new Uri(url), query), caBundle, null);
        }

        if (clientConfig["service"] is JsonObject service)
        {
            var reference = new ServiceReference(
                service["namespace"]?.ToString() ?? "",
                service["name"]?.ToString() ?? "",
                (int)(JsonValues.Integer(service["port"]) ?? 443),
                service["path"]?.ToString() ?? "/");
            var resolver = serviceResolver() ?? throw new WebhookCallException(
                $"service \"{reference.Namespace}/{reference.Name}\" cannot be resolved: the test set no ServiceResolver");
            var target = resolver(reference);
            var host = $"{reference.Name}.{reference.Namespace}.svc";
            var uri = new Uri($"https://{host}:{reference.Port}{reference.Path}");
            return new WebhookEndpoint(WithQuery(uri, query), caBundle, new DnsEndPoint(target.Host, target.Port));
        }

        throw new WebhookCallException("clientConfig has neither url nor service");
    }

    private static Uri WithQuery(Uri uri, string query) =>
        new UriBuilder(uri) { Query = uri.Query.Length > 1 ? uri.Query[1..] + "&" + query : query }.Uri;

    private static JsonObject CheckResponse(JsonObject review, string uid)
    {
        if (review["apiVersion"]?.ToString() != "admission.k8s.io/v1" || review["kind"]?.ToString() != "AdmissionReview")
        {
            throw new WebhookCallException(
                $"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {review["apiVersion"]}, Kind={review["kind"]}");
        }

        if (review["response"] is not JsonObject response)
        {
            throw new WebhookCallException("webhook response was absent");
        }

        var gotUid = response["uid"]?.ToString() ?? "";
        if (gotUid != uid)
        {
            throw new WebhookCallException($"expected response.uid=\"{uid}\", got \"{gotUid}\"");
        }

        return response;
    }

    /// <summary>
    /// kube-apiserver's webhookerrors.ToStatusErr (k8s.io/apiserver/pkg/admission/plugin/webhook/errors/statuserror.go,
    /// releases 1.30 to 1.33): a refusal never carries a code below 400, so a missing code becomes 400.
    /// </summary>
    private static ApiException Denial(string webhookName, JsonObject? result)
    {
        var status = result is null ? [] : (JsonObject)result.DeepClone();
        var code = JsonValues.Integer(status["code"]) ?? 0;
        if (code < 400)
        {
            status["code"] = (int)HttpStatusCode.BadRequest;
        }

        if (status["status"]?.ToString() is null or "" or "Success")
        {
            status["status"] = "Failure";
        }

        var deniedBy = $"admission webhook \"{webhookName}\" denied the request";
        var message = status["message"]?.ToString() ?? "";
        var reason = status["reason"]?.ToString() ?? "";
        status["message"] = message.Length > 0 ? $"{deniedBy}: {message}"
            : reason.Length > 0 ? $"{deniedBy}: {reason}"
            : $"{deniedBy} without explanation";
        status["kind"] = "Status";
        status["apiVersion"] = "v1";
        status["metadata"] ??= new JsonObject();
        return new ApiException(status);
    }
}
