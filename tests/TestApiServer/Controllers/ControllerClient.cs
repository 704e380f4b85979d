namespace Admission.TestApiServer.Controllers;

/// <summary>
/// How a built-in controller writes: as its kube-system service account, through validating admission
/// exactly as an API request would be admitted, then compare-and-swap on the stored object. The
/// Authorize hook is not asked: kube-controller-manager's roles (system:controller:*) allow these.
/// </summary>
internal sealed class ControllerClient(ServerState state, string serviceAccount)
{
    public UserInfo User { get; } = new(
        ControllerAccounts.Of(serviceAccount),
        $"uid-kube-system-{serviceAccount}",
        ["system:serviceaccounts", "system:serviceaccounts:kube-system", TokenAuthenticator.AuthenticatedGroup],
        new Dictionary<string, IReadOnlyList<string>>());

    public string Username => User.Username;

    public static JsonObject DeleteOptions(string propagationPolicy, string? uid = null)
    {
        var options = new JsonObject { ["kind"] = "DeleteOptions", ["apiVersion"] = "meta.k8s.io/v1" };
        if (uid is not null)
        {
            options["preconditions"] = new JsonObject { ["uid"] = uid };
        }

        options["propagationPolicy"] = propagationPolicy;
        return options;
    }

    /// <summary>
    /// Deletes <paramref name="item"/> as it was read. <paramref name="admissionName"/> is the name the
    /// review carries: "" for an item of a deletecollection, as kube-apiserver sends it.
    /// </summary>
    /// <returns>The refusal, or null when admitted (the object may have gone or changed meanwhile: the next pass sees it).</returns>
    public async Task<ApiException?> DeleteAsync(ResourceDefinition resource, JsonObject item, string admissionName, JsonObject options,
        CancellationToken cancellationToken)
    {
        var ns = Meta.Namespace(item);
        var name = Meta.Name(item);
        var attributes = new AdmissionAttributes(resource, "", "DELETE", AdmissionNamespace(resource, item), admissionName,
            null, item, false, options, User);
        try
        {
            await state.Admission.ValidateAsync(attributes, [], cancellationToken);
        }
        catch (ApiException refused)
        {
            return refused;
        }

        state.Store.Delete(resource, ns, name, Meta.ResourceVersion(item), Username);
        return null;
    }

    /// <summary>
    /// Creates <paramref name="body"/> in its namespace. A name made from <c>generateName</c> is not
    /// in the review (name ""), as kube-apiserver generates it after building the admission
    /// attributes; the object carries it.
    /// </summary>
    public async Task<ApiException?> CreateAsync(ResourceDefinition resource, JsonObject body, CancellationToken cancellationToken)
    {
        var ns = Meta.Namespace(body);
        try
        {
            var generated = Meta.Name(body).Length == 0;
            var obj = ObjectPreparation.ForCreate(resource, body, ns);
            var nsObject = state.Store.Get(state.Catalog.Namespaces, "", ns) ?? throw StatusBodies.NamespaceNotFound(ns);
            if (nsObject["status"]?["phase"]?.ToString() == "Terminating")
            {
                throw StatusBodies.NamespaceTerminating(resource, Meta.Name(obj), ns);
            }

            var options = new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1" };
            var attributes = new AdmissionAttributes(resource, "", "CREATE", ns, generated ? "" : Meta.Name(obj), obj, null, false, options, User);
            await state.Admission.ValidateAsync(attributes, [], cancellationToken);
            var outcome = state.Store.Create(resource, obj, Username);
            return outcome.Status == WriteStatus.Ok ? null : StatusBodies.AlreadyExists(resource, Meta.Name(obj));
        }
        catch (ApiException refused)
        {
            return refused;
        }
    }

    /// <summary>Writes <paramref name="desired"/> over <paramref name="current"/> through the main resource or a subresource.</summary>
    public async Task<ApiException?> UpdateAsync(ResourceDefinition resource, string subresource, JsonObject current, JsonObject desired,
        CancellationToken cancellationToken)
    {
        var name = Meta.Name(current);
        var ns = resource.Namespaced ? Meta.Namespace(current) : null;
        try
        {
            var updated = ObjectPreparation.ForUpdate(resource, subresource, current, desired, name, ns);
            Meta.SetResourceVersion(updated, Meta.ResourceVersion(current));
            var options = new JsonObject { ["kind"] = "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" };
            var attributes = new AdmissionAttributes(resource, subresource, "UPDATE", AdmissionNamespace(resource, current), name,
                updated, current, false, options, User);
            await state.Admission.ValidateAsync(attributes, [], cancellationToken);
            var outcome = UpdateStrategies.ShouldDeleteDuringUpdate(resource, updated)
                ? state.Store.Delete(resource, ns ?? "", name, Meta.ResourceVersion(current), Username)
                : state.Store.Update(resource, updated, Meta.ResourceVersion(current), subresource, Username);
            return outcome.Status == WriteStatus.Ok ? null : StatusBodies.Conflict(resource, name);
        }
        catch (ApiException refused)
        {
            return refused;
        }
    }

    public static string Message(ApiException e) => e.Status["message"]?.ToString() ?? "";

    private static string AdmissionNamespace(ResourceDefinition resource, JsonObject obj) =>
        UpdateStrategies.IsNamespace(resource) ? Meta.Name(obj) : Meta.Namespace(obj);
}
