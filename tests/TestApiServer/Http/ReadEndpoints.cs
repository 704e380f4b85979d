namespace Admission.TestApiServer.Http;

/// <summary>GET of one object (or its status or scale) and list, in pages when asked (<see cref="ListPaging"/>).</summary>
internal sealed class ReadEndpoints(ServerState state)
{
    private readonly ListPaging _paging = new();

    public async Task GetAsync(ApiRequest request, ApiPath path)
    {
        var resource = path.Resource;
        var obj = state.Store.Get(resource, path.Namespace ?? "", path.Name!)
            ?? throw StatusBodies.NotFound(resource, path.Name!);
        state.CustomResources?.ApplyDefaults(resource, obj);
        if (path.Subresource == "scale")
        {
            await HttpJson.WriteAsync(request.Http, 200, ScaleView.From(obj));
            return;
        }

        if (path.Subresource.Length == 0 && Tables.Wanted(request.Http.Request.Headers.Accept))
        {
            await HttpJson.WriteAsync(request.Http, 200,
                Tables.Build(resource, [obj], Meta.ResourceVersion(obj), request.Query("includeObject")));
            return;
        }

        await HttpJson.WriteAsync(request.Http, 200, obj);
    }

    public async Task ListAsync(ApiRequest request, ApiPath path)
    {
        var (labels, fields) = Selectors(request);
        var compacted = state.Store.CompactedResourceVersion;
        var page = _paging.Serve(request, () =>
            {
                var (items, rv) = state.Store.List(path.Resource, path.Namespace);
                var selected = items.Where(i => labels.Matches(i) && fields.Matches(i)).ToList();
                selected.ForEach(i => state.CustomResources?.ApplyDefaults(path.Resource, i));
                return (selected, rv);
            }, compacted,
            countRemaining: string.IsNullOrEmpty(request.Query("labelSelector")) && string.IsNullOrEmpty(request.Query("fieldSelector")));
        var metadata = new JsonObject { ["resourceVersion"] = page.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (page.Continue is not null) metadata["continue"] = page.Continue;
        if (page.RemainingItemCount is { } remaining) metadata["remainingItemCount"] = remaining;
        if (Tables.Wanted(request.Http.Request.Headers.Accept))
        {
            var table = Tables.Build(path.Resource, page.Items, page.ResourceVersion, request.Query("includeObject"));
            table["metadata"] = metadata;
            await HttpJson.WriteAsync(request.Http, 200, table);
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = path.Resource.ListKind,
            ["apiVersion"] = path.Resource.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. page.Items]),
        };
        await HttpJson.WriteAsync(request.Http, 200, list);
    }

    public static (LabelSelector Labels, FieldSelector Fields) Selectors(ApiRequest request)
    {
        try
        {
            return (LabelSelector.Parse(request.Query("labelSelector")), FieldSelector.Parse(request.Query("fieldSelector")));
        }
        catch (FormatException e)
        {
            throw StatusBodies.BadRequest($"unable to parse requirement: {e.Message}");
        }
    }
}
