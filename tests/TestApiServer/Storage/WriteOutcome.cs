namespace Admission.TestApiServer.Storage;

internal enum WriteStatus
{
    Ok,
    AlreadyExists,
    NotFound,
    Conflict,
}

internal readonly record struct WriteOutcome(WriteStatus Status, JsonObject? Object);
