namespace Admission.TestApiServer.Auth;

/// <summary>
/// What an optional authorization hook is asked about. There is no RBAC: without a hook every
/// authenticated request is allowed.
/// </summary>
public sealed record AuthorizationAttributes(
    UserInfo User,
    string Verb,
    string Group,
    string Resource,
    string Subresource,
    string Namespace,
    string Name);
