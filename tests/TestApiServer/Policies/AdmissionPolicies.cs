using global::Cel;

namespace Admission.TestApiServer.Policies;

/// <summary>
/// The ValidatingAdmissionPolicy admission plugin, in process, with Kubernetes 1.30 semantics:
/// every binding whose policy exists is applied when the policy's matchConstraints (and the
/// binding's matchResources) match the request and every matchCondition is true; variables are
/// computed in order; a validation that is false denies with the policy's message. It runs before
/// the validating webhooks, as kube-apiserver's plugin order has it. Not supported: params
/// (paramKind/paramRef: such a binding denies, as a missing param does with failurePolicy Fail),
/// validationActions Warn and Audit (only Deny acts), auditAnnotations, authorizer and
/// namespaceObject in expressions.
/// </summary>
internal sealed class AdmissionPolicies(ObjectStore store, ResourceCatalog catalog, Func<CustomResourceValidator?> customResources)
{
    private readonly ConcurrentDictionary<string, CelProgramDelegate> _programs = new(StringComparer.Ordinal);

    public void Validate(AdmissionAttributes request)
    {
        var policies = catalog.Find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies");
        var bindings = catalog.Find("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings");
        if (policies is null || bindings is null)
        {
            return;
        }

        var (bindingList, _) = store.List(bindings, null);
        foreach (var binding in bindingList.OrderBy(Meta.Name, StringComparer.Ordinal))
        {
            var policyName = binding["spec"]?["policyName"]?.ToString() ?? "";
            if (store.Get(policies, "", policyName) is not { } policy)
            {
                continue;
            }

            if (Evaluate(policy, binding, request) is { } denial)
            {
                throw denial;
            }
        }
    }

    private ApiException? Evaluate(JsonObject policy, JsonObject binding, AdmissionAttributes request)
    {
        var spec = policy["spec"] as JsonObject ?? [];
        var policyName = Meta.Name(policy);
        var bindingName = Meta.Name(binding);
        if (!Matches(spec["matchConstraints"] as JsonObject, request)
            || (binding["spec"]?["matchResources"] is JsonObject bindingMatch && !Matches(bindingMatch, request)))
        {
            return null;
        }

        var actions = (binding["spec"]?["validationActions"] as JsonArray ?? []).Select(a => a?.ToString()).ToList();
        var failClosed = spec["failurePolicy"]?.ToString() != "Ignore";
        var activation = Activation(request);
        try
        {
            foreach (var condition in (spec["matchConditions"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (Run(condition["expression"]?.ToString() ?? "", activation) is not true)
                {
                    return null;
                }
            }

            if (spec["paramKind"] is JsonObject)
            {
                throw new CelEvaluationException("params are not supported by the test API server");
            }

            var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
            activation["variables"] = variables;
            foreach (var variable in (spec["variables"] as JsonArray ?? []).OfType<JsonObject>())
            {
                variables[variable["name"]?.ToString() ?? ""] = Run(variable["expression"]?.ToString() ?? "", activation);
            }

            foreach (var validation in (spec["validations"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var expression = validation["expression"]?.ToString() ?? "";
                if (Run(expression, activation) is true)
                {
                    continue;
                }

                if (!actions.Contains("Deny"))
                {
                    continue;
                }

                var message = Message(validation, expression, activation);
                return Denied(request, policyName, bindingName, message, validation["reason"]?.ToString());
            }
        }
        catch (CelEvaluationException e) when (failClosed && actions.Contains("Deny"))
        {
            return Denied(request, policyName, bindingName, $"expression evaluation error: {e.Message}", null);
        }
        catch (CelEvaluationException)
        {
            return null;
        }

        return null;
    }

    private string Message(JsonObject validation, string expression, Dictionary<string, object?> activation)
    {
        if (validation["messageExpression"]?.ToString() is { Length: > 0 } messageExpression)
        {
            try
            {
                if (Run(messageExpression, activation) is string text && text.Trim() is { Length: > 0 } trimmed && !trimmed.Contains('\n', StringComparison.Ordinal))
                {
                    return trimmed;
                }
            }
            catch (CelEvaluationException)
            {
                // kube-apiserver falls back to message, as here.
            }
        }

        return validation["message"]?.ToString() is { Length: > 0 } message ? message : $"failed expression: {expression}";
    }

    /// <summary>admission.NewForbidden with the decision's reason (Invalid, 422, by default) and the message as a cause.</summary>
    private static ApiException Denied(AdmissionAttributes request, string policy, string binding, string message, string? reason)
    {
        var text = $"ValidatingAdmissionPolicy '{policy}' with binding '{binding}' denied request: {message}";
        reason = string.IsNullOrEmpty(reason) ? "Invalid" : reason;
        var code = reason switch
        {
            "Unauthorized" => 401,
            "Forbidden" => 403,
            "RequestEntityTooLarge" => 413,
            _ => 422,
        };
        var resource = request.Resource.GroupResource;
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (request.Resource.Group.Length > 0)
        {
            details["group"] = request.Resource.Group;
        }

        details["kind"] = request.Resource.Plural;
        details["causes"] = new JsonArray(new JsonObject { ["message"] = text });
        var prefix = request.Name.Length > 0 ? $"{resource} \"{request.Name}\" is forbidden: " : $"{resource} is forbidden: ";
        return new ApiException(StatusBodies.Failure(code, reason, prefix + text, details));
    }

    private bool Matches(JsonObject? match, AdmissionAttributes request)
    {
        if (match is null)
        {
            return false;
        }

        if (!RuleMatcher.AnyMatches(match["resourceRules"], request) || RuleMatcher.AnyMatches(match["excludeResourceRules"], request))
        {
            return false;
        }

        if (request.Namespace.Length > 0 && match["namespaceSelector"] is JsonObject namespaceSelector)
        {
            var ns = store.Get(catalog.Namespaces, "", request.Namespace);
            if (!SelectorMatcher.Matches(namespaceSelector, LabelSelector.LabelsOf(ns)))
            {
                return false;
            }
        }

        return match["objectSelector"] is not JsonObject objectSelector
            || SelectorMatcher.Matches(objectSelector, LabelSelector.LabelsOf(request.Object))
            || SelectorMatcher.Matches(objectSelector, LabelSelector.LabelsOf(request.OldObject));
    }

    private Dictionary<string, object?> Activation(AdmissionAttributes request)
    {
        var schema = customResources()?.SchemaOf(request.Resource);
        var review = AdmissionReviews.Request(request, Guid.NewGuid().ToString())["request"]!.AsObject();
        review.Remove("object");
        review.Remove("oldObject");
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["object"] = CelRuntime.ToCel(request.Object, schema),
            ["oldObject"] = CelRuntime.ToCel(request.OldObject, schema),
            ["request"] = CelRuntime.ToCel(review, null),
            ["params"] = null,
        };
    }

    private object? Run(string expression, Dictionary<string, object?> activation)
    {
        CelProgramDelegate program;
        try
        {
            program = _programs.GetOrAdd(expression, CelRuntime.Compile);
        }
        catch (CelException e)
        {
            throw new CelEvaluationException($"compilation failed: {e.Message}");
        }

        return CelRuntime.Evaluate(program, activation);
    }
}
