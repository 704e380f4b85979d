namespace Admission.TestApiServer.Auth;

/// <summary>
/// What the optional authorization hook is asked about: kube-apiserver's authorizer.Attributes.
/// Without a hook every authenticated request is allowed; <see cref="Rbac.RbacAuthorizer"/> is a hook
/// with RBAC's semantics. For list and watch, <see cref="Name"/> is the name a
/// <c>fieldSelector=metadata.name=...</c> pins, as kube-apiserver's RequestInfoFactory sets it.
/// </summary>
public sealed record AuthorizationAttributes(
    UserInfo User,
    string Verb,
    string Group,
    string Resource,
    string Subresource,
    string Namespace,
    string Name)
{
    /// <summary>False for a non-resource request (discovery, /version, /openapi/...), which has only a verb and <see cref="Path"/>.</summary>
    public bool IsResourceRequest { get; init; } = true;

    public string Path { get; init; } = "";

    public static AuthorizationAttributes NonResource(UserInfo user, string verb, string path) =>
        new(user, verb, "", "", "", "", "") { IsResourceRequest = false, Path = path };
}
