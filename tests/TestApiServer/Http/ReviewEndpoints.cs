namespace Admission.TestApiServer.Http;

/// <summary>The create-only review types: who am I, and may I.</summary>
internal static class ReviewEndpoints
{
    public static JsonObject Answer(ServerState state, ApiRequest request, ResourceDefinition resource, JsonObject body)
    {
        var answer = (JsonObject)body.DeepClone();
        answer["apiVersion"] = resource.ApiVersion;
        answer["kind"] = resource.Kind;
        answer["metadata"] ??= new JsonObject();
        answer["status"] = resource.Kind switch
        {
            "SelfSubjectReview" => new JsonObject { ["userInfo"] = AdmissionReviews.UserInfoJson(request.User) },
            "SelfSubjectAccessReview" => new JsonObject { ["allowed"] = Allowed(state, request.User, body) },
            _ => throw StatusBodies.MethodNotSupported(resource, "create"),
        };
        return answer;
    }

    /// <summary>What the authorization hook (RBAC, or the test's own) says about the review's attributes; allowed without one.</summary>
    private static bool Allowed(ServerState state, UserInfo user, JsonObject review)
    {
        if (state.Authorize is not { } authorize)
        {
            return true;
        }

        if (review["spec"]?["nonResourceAttributes"] is JsonObject nonResource)
        {
            return authorize(AuthorizationAttributes.NonResource(user, nonResource["verb"]?.ToString() ?? "", nonResource["path"]?.ToString() ?? ""));
        }

        var attributes = review["spec"]?["resourceAttributes"];
        string Field(string key) => attributes?[key]?.ToString() ?? "";
        return authorize(new AuthorizationAttributes(user, Field("verb"), Field("group"), Field("resource"),
            Field("subresource"), Field("namespace"), Field("name")));
    }
}
