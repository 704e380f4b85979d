namespace Admission.TestApiServer.Http;

/// <summary>GET of one object (or its status or scale) and list. limit is ignored: every list is one page.</summary>
internal sealed class ReadEndpoints(ServerState state)
{
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
        var (items, rv) = state.Store.List(path.Resource, path.Namespace);
        var selected = items.Where(i => labels.Matches(i) && fields.Matches(i)).ToList();
        selected.ForEach(i => state.CustomResources?.ApplyDefaults(path.Resource, i));
        if (Tables.Wanted(request.Http.Request.Headers.Accept))
        {
            await HttpJson.WriteAsync(request.Http, 200, Tables.Build(path.Resource, selected, rv, request.Query("includeObject")));
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = path.Resource.ListKind,
            ["apiVersion"] = path.Resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
            ["items"] = new JsonArray([.. selected]),
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
