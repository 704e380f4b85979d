namespace Admission.TestApiServer.Http;

/// <summary>metav1.Status bodies with the reasons and messages kube-apiserver uses.</summary>
internal static class StatusBodies
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }

        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success(ResourceDefinition resource, string name, string? uid) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = Details(resource, name, uid),
    };

    public static ApiException NotFound(ResourceDefinition resource, string name) =>
        new(Failure(404, "NotFound", $"{resource.GroupResource} \"{name}\" not found", Details(resource, name)));

    public static ApiException NamespaceNotFound(string name) =>
        new(Failure(404, "NotFound", $"namespaces \"{name}\" not found",
            new JsonObject { ["name"] = name, ["kind"] = "namespaces" }));

    public static ApiException PathNotFound() =>
        new(Failure(404, "NotFound", "the server could not find the requested resource",
            new JsonObject()));

    public static ApiException AlreadyExists(ResourceDefinition resource, string name) =>
        new(Failure(409, "AlreadyExists", $"{resource.GroupResource} \"{name}\" already exists", Details(resource, name)));

    public static ApiException Conflict(ResourceDefinition resource, string name, string why =
        "the object has been modified; please apply your changes to the latest version and try again") =>
        new(Failure(409, "Conflict", $"Operation cannot be fulfilled on {resource.GroupResource} \"{name}\": {why}",
            Details(resource, name)));

    public static ApiException BadRequest(string message) => new(Failure(400, "BadRequest", message));

    public static ApiException Invalid(ResourceDefinition resource, string name, string field, string message) =>
        new(Failure(422, "Invalid", $"{QualifiedKind(resource)} \"{name}\" is invalid: {field}: {message}",
            Details(resource, name, causes: new JsonArray(new JsonObject
            {
                ["reason"] = "FieldValueInvalid",
                ["message"] = message,
                ["field"] = field,
            }))));

    /// <summary>errors.NewInvalid: every field error a cause; the message lists them, in brackets when more than one.</summary>
    public static ApiException Invalid(ResourceDefinition resource, string name, IReadOnlyList<CustomResources.FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var error in errors)
        {
            // A field error without a path (the blocking-error note) carries Go's "<nil>" path, as there.
            causes.Add(new JsonObject { ["reason"] = error.Reason, ["message"] = error.Body, ["field"] = error.Field.Length > 0 ? error.Field : "<nil>" });
        }

        var listed = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        return new(Failure(422, "Invalid", $"{QualifiedKind(resource)} \"{name}\" is invalid: {listed}",
            Details(resource, name, causes: causes)));
    }

    public static ApiException MethodNotSupported(ResourceDefinition resource, string verb) =>
        new(Failure(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{resource.GroupResource}\"",
            new JsonObject { ["group"] = resource.Group, ["kind"] = resource.Plural }));

    public static ApiException UnsupportedMediaType(string contentType, string accepted) =>
        new(Failure(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {accepted} (got {contentType})"));

    public static ApiException Internal(string message) =>
        new(Failure(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) }));

    public static ApiException Forbidden(ResourceDefinition resource, string name, string message) =>
        new(Failure(403, "Forbidden",
            name.Length > 0 ? $"{resource.GroupResource} \"{name}\" is forbidden: {message}" : $"{resource.GroupResource} is forbidden: {message}",
            Details(resource, name)));

    /// <summary>The NamespaceLifecycle admission plugin's refusal of a create in a namespace being deleted.</summary>
    public static ApiException NamespaceTerminating(ResourceDefinition resource, string name, string ns)
    {
        var why = $"unable to create new content in namespace {ns} because it is being terminated";
        var details = Details(resource, name, causes: new JsonArray(new JsonObject
        {
            ["reason"] = "NamespaceTerminating",
            ["message"] = $"namespace {ns} is being terminated",
            ["field"] = "metadata.namespace",
        }));
        return new(Failure(403, "Forbidden", $"{resource.GroupResource} \"{name}\" is forbidden: {why}", details));
    }

    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized");

    public static JsonObject Gone(string message) => Failure(410, "Expired", message);

    private static string QualifiedKind(ResourceDefinition resource) =>
        resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";

    private static JsonObject Details(ResourceDefinition resource, string name, string? uid = null, JsonArray? causes = null)
    {
        var details = new JsonObject();
        if (name.Length > 0)
        {
            details["name"] = name;
        }

        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        if (uid is not null)
        {
            details["uid"] = uid;
        }

        if (causes is not null)
        {
            details["causes"] = causes;
        }

        return details;
    }
}
