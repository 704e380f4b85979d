using Admission.TestApiServer.Watch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Admission.TestApiServer.Http;

/// <summary>
/// The whole server as one middleware: log, authenticate, route (discovery or a resource path),
/// authorize through the optional hook, dispatch by verb, and turn failures into Status bodies.
/// </summary>
internal sealed class RequestPipeline(ServerState state)
{
    private readonly ReadEndpoints _reads = new(state);
    private readonly WriteEndpoints _writes = new(state);
    private readonly DeleteEndpoint _deletes = new(state);
    private readonly WatchStream _watches = new(state);

    public async Task HandleAsync(HttpContext http)
    {
        var warnings = new List<string>();
        UserInfo? user = null;
        var logged = false;
        void Log()
        {
            if (!logged)
            {
                logged = true;
                state.Requests.Enqueue(new RequestRecord(DateTimeOffset.UtcNow, http.Request.Method, http.Request.Path.Value ?? "",
                    http.Request.QueryString.Value ?? "", user?.Username, http.Response.StatusCode));
            }
        }

        http.Response.OnStarting(() =>
        {
            foreach (var header in WarningRecorder.HeadersFor(warnings))
            {
                http.Response.Headers.Append("Warning", header);
            }

            Log();
            return Task.CompletedTask;
        });
        try
        {
            var path = http.Request.Path.Value ?? "/";
            if (path is "/healthz" or "/livez" or "/readyz")
            {
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("ok", http.RequestAborted);
                return;
            }

            user = state.Tokens.Authenticate(http.Request.Headers.Authorization);
            if (user is null)
            {
                await HttpJson.WriteAsync(http, 401, StatusBodies.Unauthorized());
                return;
            }

            if (DiscoveryDocument(path) is { } document)
            {
                AuthorizeNonResource(user, path);
                await HttpJson.WriteAsync(http, 200, document);
                return;
            }

            var apiPath = ApiPath.Parse(path, state.Catalog) ?? throw StatusBodies.PathNotFound();
            if (apiPath.Subresource.Length > 0 && !apiPath.Resource.SubresourceNames.Contains(apiPath.Subresource))
            {
                throw StatusBodies.PathNotFound();
            }

            var request = new ApiRequest(http, user, warnings);
            var verb = Verb(http.Request.Method, apiPath, request);
            Authorize(user, verb, apiPath, request);
            if (await state.Faults.TryAnswerAsync(http, verb, apiPath)) return;
            await DispatchAsync(verb, request, apiPath, http);
        }
        catch (ApiException e) when (!http.Response.HasStarted)
        {
            await HttpJson.WriteAsync(http, e.Code, e.Status);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
        {
            // A bug or an input nothing else caught: answer as kube-apiserver's panic recovery would, not with an empty 500.
            await HttpJson.WriteAsync(http, 500, StatusBodies.Internal(e.Message).Status);
        }
        finally
        {
            Log();
        }
    }

    private Task DispatchAsync(string verb, ApiRequest request, ApiPath path, HttpContext http) => verb switch
    {
        "get" => _reads.GetAsync(request, path),
        "list" => _reads.ListAsync(request, path),
        "watch" => _watches.RunAsync(request, path, http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping),
        "create" => _writes.CreateAsync(request, path),
        "update" => _writes.ReplaceAsync(request, path),
        "patch" => _writes.PatchAsync(request, path),
        "delete" or "deletecollection" => _deletes.DeleteAsync(request, path),
        _ => throw StatusBodies.MethodNotSupported(path.Resource, verb),
    };

    private static string Verb(string method, ApiPath path, ApiRequest request)
    {
        var verb = method switch
        {
            "GET" when path.IsCollection => request.Query("watch") is "true" or "1" ? "watch" : "list",
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => path.IsCollection ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        // namespaces/finalize is update-only in kube-apiserver (FinalizeREST has no Get, so no patch either).
        if ((path.Resource.CreateOnly && verb != "create") || (path.Subresource == "finalize" && verb != "update"))
        {
            throw StatusBodies.MethodNotSupported(path.Resource, verb);
        }

        return verb;
    }

    private void Authorize(UserInfo user, string verb, ApiPath path, ApiRequest request)
    {
        if (state.Authorize is not { } authorize)
        {
            return;
        }

        var resource = path.Resource;
        // RequestInfoFactory: /api/v1/namespaces/NAME is a request in namespace NAME, so a RoleBinding there can allow it.
        var ns = path.Namespace ?? (resource.GroupResource == "namespaces" ? path.Name ?? "" : "");
        var name = path.Name ?? (verb is "list" or "watch" ? NamePinnedBy(request.Query("fieldSelector")) : "");
        if (authorize(new AuthorizationAttributes(user, verb, resource.Group, resource.Plural, path.Subresource, ns, name)))
        {
            return;
        }

        var what = path.Subresource.Length > 0 ? $"{resource.Plural}/{path.Subresource}" : resource.Plural;
        var where = ns.Length > 0 ? $" in the namespace \"{ns}\"" : " at the cluster scope";
        throw StatusBodies.Forbidden(resource, path.Name ?? "",
            $"User \"{user.Username}\" cannot {verb} resource \"{what}\" in API group \"{resource.Group}\"{where}");
    }

    /// <summary>Discovery, /version and /openapi are non-resource requests: RBAC's nonResourceURLs decide them.</summary>
    private void AuthorizeNonResource(UserInfo user, string path)
    {
        if (state.Authorize is { } authorize && !authorize(AuthorizationAttributes.NonResource(user, "get", path)))
        {
            throw new ApiException(StatusBodies.Failure(403, "Forbidden", $"forbidden: User \"{user.Username}\" cannot get path \"{path}\"", []));
        }
    }

    /// <summary>
    /// kube-apiserver's RequestInfoFactory: a list or watch whose fieldSelector requires
    /// metadata.name to equal one value is authorized as a request for that name, so resourceNames can allow it.
    /// </summary>
    private static string NamePinnedBy(string? fieldSelector)
    {
        foreach (var term in (fieldSelector ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var op in (string[])["metadata.name==", "metadata.name="])
            {
                if (term.StartsWith(op, StringComparison.Ordinal))
                {
                    return term[op.Length..];
                }
            }
        }

        return "";
    }

    private JsonObject? DiscoveryDocument(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["version"] => Discovery.Version(),
            ["api"] => Discovery.CoreVersions(state.ServerAddress),
            ["api", var v] => Discovery.ResourceList(state.Catalog, "", v) ?? throw StatusBodies.PathNotFound(),
            ["apis"] => Discovery.GroupList(state.Catalog),
            ["apis", var g] => Discovery.GroupDocument(state.Catalog, g) ?? throw StatusBodies.PathNotFound(),
            ["apis", var g, var v] => Discovery.ResourceList(state.Catalog, g, v) ?? throw StatusBodies.PathNotFound(),
            ["openapi", "v3"] => OpenApi.Root(state.Catalog),
            ["openapi", "v3", .. var rest] => OpenApi.GroupVersion(state.Catalog, string.Join('/', rest)) ?? throw StatusBodies.PathNotFound(),
            ["openapi", ..] => throw StatusBodies.PathNotFound(),
            _ => null,
        };
    }
}
