namespace Admission.TestApiServer.Storage;

/// <summary>One committed write in the history window: what watches replay.</summary>
/// <param name="OldObject">The previous state on MODIFIED, so a selector-filtered watch can tell an object entering or leaving it.</param>
internal sealed record StoredEvent(string Type, ResourceDefinition Resource, JsonObject Object, JsonObject? OldObject, long ResourceVersion);
