using Admission.TestApiServer.Patching;

namespace Admission.TestApiServer.Http;

/// <summary>
/// POST, PUT and PATCH. Each runs validating admission on the object as it would be stored, then
/// writes with compare-and-swap; a write that lost a race without a client-given resourceVersion is
/// retried from a fresh read, as kube-apiserver's GuaranteedUpdate does.
/// </summary>
internal sealed class WriteEndpoints(ServerState state)
{
    private const int MaxAttempts = 10;

    public async Task CreateAsync(ApiRequest request, ApiPath path)
    {
        var resource = path.Resource;
        if (!path.IsCollection)
        {
            throw StatusBodies.MethodNotSupported(resource, "create");
        }

        var body = await HttpJson.ReadObjectAsync(request.Http, resource);
        if (resource.CreateOnly)
        {
            await HttpJson.WriteAsync(request.Http, 201, ReviewEndpoints.Answer(state, request, resource, body));
            return;
        }

        var obj = ObjectPreparation.ForCreate(resource, body, path.Namespace);
        state.CustomResources?.Validate(resource, obj, null, request);
        var name = Meta.Name(obj);
        if (resource.Namespaced)
        {
            var ns = state.Store.Get(state.Catalog.Namespaces, "", path.Namespace!) ?? throw StatusBodies.NamespaceNotFound(path.Namespace!);
            if (ns["status"]?["phase"]?.ToString() == "Terminating")
            {
                // The NamespaceLifecycle admission plugin, which runs before any webhook.
                throw StatusBodies.NamespaceTerminating(resource, name, path.Namespace!);
            }
        }

        var options = Operations.Options("CreateOptions", request);
        var attributes = Operations.Attributes(request, path, resource, "CREATE", name, obj, null, options);
        if (Meta.Name(body).Length == 0)
        {
            // kube-apiserver builds the admission attributes from the body before generateName is
            // expanded: the review has no name, the object the generated one.
            attributes = attributes with { Name = "" };
        }

        await state.Admission.ValidateAsync(attributes, request.Warnings, request.Aborted);
        if (request.DryRun)
        {
            await HttpJson.WriteAsync(request.Http, 201, obj);
            return;
        }

        var outcome = state.Store.Create(resource, obj, request.User.Username);
        if (outcome.Status == WriteStatus.AlreadyExists)
        {
            throw StatusBodies.AlreadyExists(resource, name);
        }

        await HttpJson.WriteAsync(request.Http, 201, outcome.Object!);
    }

    public async Task ReplaceAsync(ApiRequest request, ApiPath path)
    {
        var body = await HttpJson.ReadObjectAsync(request.Http, path.Resource);
        await UpdateAsync(request, path, _ => (JsonObject)body.DeepClone());
    }

    public async Task PatchAsync(ApiRequest request, ApiPath path)
    {
        var mediaType = HttpJson.MediaType(request.ContentType);
        var patch = await HttpJson.ReadAsync(request.Http);
        Func<JsonObject, JsonObject> apply = mediaType switch
        {
            "application/merge-patch+json" when patch is JsonObject => view => (JsonObject)MergePatch.Apply(view, patch)!,
            "application/json-patch+json" when patch is JsonArray ops => view => JsonPatch.Apply(view, ops) as JsonObject
                ?? throw new PatchException("the patch did not produce an object"),
            "application/strategic-merge-patch+json" when path.Resource.CustomResource =>
                throw StatusBodies.UnsupportedMediaType(mediaType, "application/json-patch+json, application/merge-patch+json"),
            "application/strategic-merge-patch+json" when patch is JsonObject smp => view => StrategicMergePatch.Apply(view, smp),
            "application/merge-patch+json" or "application/json-patch+json" or "application/strategic-merge-patch+json" =>
                throw StatusBodies.BadRequest($"the patch is not valid for {mediaType}"),
            _ => throw StatusBodies.UnsupportedMediaType(mediaType,
                "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
        };
        await UpdateAsync(request, path, view =>
        {
            try
            {
                return apply(view);
            }
            catch (PatchException e)
            {
                throw StatusBodies.Invalid(path.Resource, path.Name!, "patch", e.Message);
            }
        });
    }

    /// <param name="desiredView">From the current view (the object, or its Scale) to the one the client wants.</param>
    private async Task UpdateAsync(ApiRequest request, ApiPath path, Func<JsonObject, JsonObject> desiredView)
    {
        var resource = path.Resource;
        var name = path.Name ?? throw StatusBodies.MethodNotSupported(resource, "update");
        var ns = path.Namespace ?? "";
        var scale = path.Subresource == "scale";
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = state.Store.Get(resource, ns, name) ?? throw StatusBodies.NotFound(resource, name);
            var currentView = scale ? ScaleView.From(current) : current;
            var desired = desiredView((JsonObject)currentView.DeepClone());
            var wanted = Meta.ResourceVersionText(desired);
            if (wanted.Length > 0 && wanted != Meta.ResourceVersionText(current))
            {
                throw StatusBodies.Conflict(resource, name);
            }

            JsonObject updated;
            if (scale)
            {
                updated = ScaleView.ApplyTo(resource, current, desired);
                ObjectPreparation.BumpGenerationIfChanged(resource, current, updated);
            }
            else
            {
                updated = ObjectPreparation.ForUpdate(resource, path.Subresource, current, desired, name, path.Namespace);
                FinalizerDeletion.CheckUpdate(resource, current, updated);
                state.CustomResources?.Validate(resource, updated, current, request);
            }

            Meta.SetResourceVersion(updated, Meta.ResourceVersion(current));
            var admitted = scale ? ScaleView.From(updated) : updated;
            await state.Admission.ValidateAsync(
                Operations.Attributes(request, path, resource, "UPDATE", name, admitted, currentView, Operations.Options("UpdateOptions", request)),
                request.Warnings, request.Aborted);
            if (request.DryRun)
            {
                await HttpJson.WriteAsync(request.Http, 200, admitted);
                return;
            }

            var outcome = UpdateStrategies.ShouldDeleteDuringUpdate(resource, updated) || FinalizerDeletion.ShouldDeleteDuringUpdate(resource, updated)
                ? state.Store.Delete(resource, ns, name, Meta.ResourceVersion(current), request.User.Username)
                : state.Store.Update(resource, updated, Meta.ResourceVersion(current), path.Subresource, request.User.Username);
            switch (outcome.Status)
            {
                case WriteStatus.Ok:
                    await HttpJson.WriteAsync(request.Http, 200, scale ? ScaleView.From(outcome.Object!) : outcome.Object!);
                    return;
                case WriteStatus.NotFound:
                    throw StatusBodies.NotFound(resource, name);
            }
        }

        throw StatusBodies.Conflict(resource, name);
    }
}
