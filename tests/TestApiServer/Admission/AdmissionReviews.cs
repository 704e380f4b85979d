namespace Admission.TestApiServer.Admission;

/// <summary>admission.k8s.io/v1 AdmissionReview requests as kube-apiserver writes them.</summary>
internal static class AdmissionReviews
{
    public static JsonObject Request(AdmissionAttributes a, string uid)
    {
        var (group, version, kind) = a.Kind;
        var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = kind };
        var gvr = new JsonObject { ["group"] = a.Resource.Group, ["version"] = a.Resource.Version, ["resource"] = a.Resource.Plural };
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = gvk,
            ["resource"] = gvr,
        };
        if (a.Subresource.Length > 0)
        {
            request["subResource"] = a.Subresource;
        }

        request["requestKind"] = gvk.DeepClone();
        request["requestResource"] = gvr.DeepClone();
        if (a.Subresource.Length > 0)
        {
            request["requestSubResource"] = a.Subresource;
        }

        if (a.Name.Length > 0)
        {
            request["name"] = a.Name;
        }

        if (a.Namespace.Length > 0)
        {
            request["namespace"] = a.Namespace;
        }

        request["operation"] = a.Operation;
        request["userInfo"] = UserInfoJson(a.User);
        request["object"] = a.Object?.DeepClone();
        request["oldObject"] = a.OldObject?.DeepClone();
        request["dryRun"] = a.DryRun;
        request["options"] = a.Options.DeepClone();
        return new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = request,
        };
    }

    public static JsonObject UserInfoJson(UserInfo user)
    {
        var json = new JsonObject { ["username"] = user.Username };
        if (user.Uid.Length > 0)
        {
            json["uid"] = user.Uid;
        }

        json["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray());
        if (user.Extra.Count > 0)
        {
            json["extra"] = new JsonObject(user.Extra.Select(p =>
                KeyValuePair.Create(p.Key, (JsonNode?)new JsonArray(p.Value.Select(v => (JsonNode)v).ToArray()))));
        }

        return json;
    }
}
