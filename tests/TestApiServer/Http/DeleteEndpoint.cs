namespace Admission.TestApiServer.Http;

/// <summary>
/// DELETE of one object. Objects go at once (no graceful deletion) unless they hold finalizers
/// (<see cref="FinalizerDeletion"/>: then they are only marked), and Namespaces, which the namespace registry only marks (deletionTimestamp, phase Terminating) for the namespace
/// controller to empty and remove; a Namespace already marked is returned as it is, without admission
/// (pkg/registry/core/namespace/storage/storage.go).
/// </summary>
internal sealed class DeleteEndpoint(ServerState state)
{
    public async Task DeleteAsync(ApiRequest request, ApiPath path)
    {
        var resource = path.Resource;
        if (path.IsCollection || path.Subresource.Length > 0)
        {
            throw StatusBodies.MethodNotSupported(resource, "deletecollection");
        }

        var name = path.Name!;
        var ns = path.Namespace ?? "";
        var options = await ReadOptionsAsync(request);
        var dryRun = request.DryRun || (options["dryRun"] as JsonArray)?.Any(v => v?.ToString() == "All") == true;
        var admissionOptions = Operations.Options("DeleteOptions", request, options);
        if (dryRun)
        {
            admissionOptions["dryRun"] = new JsonArray("All");
        }

        while (true)
        {
            var current = state.Store.Get(resource, ns, name) ?? throw StatusBodies.NotFound(resource, name);
            CheckPreconditions(options, current, path);
            var isNamespace = ReferenceEquals(resource, state.Catalog.Namespaces);
            var alreadyMarked = current["metadata"]?["deletionTimestamp"] is not null;
            if (isNamespace && alreadyMarked && (current["spec"]?["finalizers"] as JsonArray ?? []).Count > 0)
            {
                await HttpJson.WriteAsync(request.Http, 200, current);
                return;
            }

            var marking = isNamespace && !alreadyMarked;
            var attributes = Operations.Attributes(request, path, resource, "DELETE", name, null, current, admissionOptions) with { DryRun = dryRun };
            await state.Admission.ValidateAsync(attributes, request.Warnings, request.Aborted);
            JsonObject deleted;
            var held = !isNamespace && FinalizerDeletion.HoldsDeletion(resource, current);
            if (dryRun)
            {
                deleted = marking ? Marked(current) : held ? FinalizerDeletion.Marked(current) : current;
            }
            else if (held)
            {
                // Finalizers pending: marked, kept, and answered with the object (FinalizerDeletion).
                if (!alreadyMarked)
                {
                    var outcome = state.Store.Update(resource, FinalizerDeletion.Marked(current), Meta.ResourceVersion(current), "", request.User.Username);
                    if (outcome.Status == WriteStatus.Conflict)
                    {
                        continue;
                    }

                    current = outcome.Object ?? throw StatusBodies.NotFound(resource, name);
                }

                await HttpJson.WriteAsync(request.Http, 200, current);
                return;
            }
            else if (marking)
            {
                var outcome = state.Store.Update(resource, Marked(current), Meta.ResourceVersion(current), "", request.User.Username);
                if (outcome.Status == WriteStatus.Conflict)
                {
                    continue;
                }

                deleted = outcome.Object ?? throw StatusBodies.NotFound(resource, name);
            }
            else
            {
                var outcome = state.Store.Delete(resource, ns, name, Meta.ResourceVersion(current), request.User.Username);
                if (outcome.Status == WriteStatus.Conflict)
                {
                    continue;
                }

                if (outcome.Status == WriteStatus.NotFound)
                {
                    throw StatusBodies.NotFound(resource, name);
                }

                deleted = outcome.Object!;
            }

            await HttpJson.WriteAsync(request.Http, 200, resource.ReturnDeletedObject || held
                ? deleted
                : StatusBodies.Success(resource, name, deleted["metadata"]?["uid"]?.ToString()));
            return;
        }
    }

    /// <summary>The first DELETE of a Namespace: deletionTimestamp set and phase Terminating, nothing removed yet.</summary>
    private static JsonObject Marked(JsonObject ns)
    {
        var marked = (JsonObject)ns.DeepClone();
        Meta.Metadata(marked)["deletionTimestamp"] = Meta.Now();
        if (marked["status"] is not JsonObject status)
        {
            status = [];
            marked["status"] = status;
        }

        status["phase"] = "Terminating";
        return marked;
    }

    private static async Task<JsonObject> ReadOptionsAsync(ApiRequest request)
    {
        using var reader = new StreamReader(request.Http.Request.Body);
        var text = await reader.ReadToEndAsync(request.Aborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw StatusBodies.BadRequest("DeleteOptions must be a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw StatusBodies.BadRequest($"the request body is not JSON: {e.Message}");
        }
    }

    private static void CheckPreconditions(JsonObject options, JsonObject current, ApiPath path)
    {
        if (options["preconditions"] is not JsonObject preconditions)
        {
            return;
        }

        var uid = preconditions["uid"]?.ToString();
        var actualUid = current["metadata"]?["uid"]?.ToString();
        if (uid is { Length: > 0 } && uid != actualUid)
        {
            throw StatusBodies.Conflict(path.Resource, path.Name!,
                $"Precondition failed: UID in precondition: {uid}, UID in object meta: {actualUid}");
        }

        var rv = preconditions["resourceVersion"]?.ToString();
        if (rv is { Length: > 0 } && rv != Meta.ResourceVersionText(current))
        {
            throw StatusBodies.Conflict(path.Resource, path.Name!,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {Meta.ResourceVersionText(current)}");
        }
    }
}
