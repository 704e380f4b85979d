namespace Admission.TestApiServer.Storage;

/// <summary>
/// A committed write, for tests to assert on (for example that exactly one client wrote status).
/// </summary>
/// <param name="Type">ADDED, MODIFIED or DELETED.</param>
/// <param name="Subresource">"status", "scale" or "" for the main resource.</param>
/// <param name="Username">Who wrote it; empty for writes made directly through the test API.</param>
public sealed record StoredChange(
    string Type,
    string Group,
    string Resource,
    string Subresource,
    string Namespace,
    string Name,
    string Username,
    long ResourceVersion,
    JsonObject Item);
