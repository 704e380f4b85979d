using System.Text.Encodings.Web;
using System.Text.Json;
using Admission.Kubernetes;
using Admission.Operator.Observability;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Operator.Cluster;

/// <summary>
/// A ChangeApproval as the API server holds it: the raw object (for the status operator) and,
/// when its spec reads, the model decisions use. One that does not read never approves anything.
/// </summary>
internal sealed record CachedApproval(string Namespace, string Name, JsonElement Raw, ChangeApproval? Model, string? Problem)
{
    public string Key => Namespace + "/" + Name;

    public string? ResourceVersion => ObjectFields.ResourceVersion(Raw);

    public string? Uid => ObjectFields.Uid(Raw);

    public long Generation => ObjectFields.Generation(Raw) ?? 0;

    public JsonElement? Status => Raw.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object ? s : null;

    /// <param name="keep">
    /// Whether the result is kept beyond the response it came in (the cache): then the raw object
    /// is copied as <see cref="Kept"/> says. A live read only wants the model, and does not copy.
    /// </param>
    public static CachedApproval? From(JsonElement raw, bool keep = true)
    {
        if (ObjectFields.Name(raw) is not { Length: > 0 } name || ObjectFields.Namespace(raw) is not { Length: > 0 } ns) return null;
        if (keep) raw = Kept(raw);
        var errors = new List<InputError>();
        var model = ChangeApprovalReader.Read(raw, errors, $"ChangeApproval {ns}/{name}", ns);
        return new CachedApproval(ns, name, raw, model, errors.Count == 0 ? null : string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")));
    }

    /// <summary>
    /// The object as the cache keeps it: in a document of its own, sized to it, so that one item
    /// does not hold a whole list's response alive (with the buffers it was read into), and without
    /// <c>metadata.managedFields</c>, which nothing here reads and which is often the larger part
    /// of the object. A status written back without it keeps the server's (kube-apiserver takes
    /// the live object's managedFields when a request has none, and always for a subresource).
    /// </summary>
    internal static JsonElement Kept(JsonElement raw)
    {
        if (raw.ValueKind != JsonValueKind.Object || !raw.TryGetProperty("metadata"u8, out var metadata) ||
            metadata.ValueKind != JsonValueKind.Object || !metadata.TryGetProperty("managedFields"u8, out _))
        {
            return raw.Clone();
        }
        // Written into this thread's pooled buffer, then parsed into a document of exactly its size:
        // one copy kept, and nothing else allocated but the document (a buffer and writer per thread).
        var buffer = t_buffer ??= new PooledBufferWriter(4096);
        buffer.Clear();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.Reset(buffer);
        writer.WriteStartObject();
        foreach (var property in raw.EnumerateObject())
        {
            if (!property.NameEquals("metadata"u8))
            {
                property.WriteTo(writer);
                continue;
            }
            writer.WritePropertyName(property.Name);
            writer.WriteStartObject();
            foreach (var field in property.Value.EnumerateObject())
            {
                if (!field.NameEquals("managedFields"u8)) field.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
        writer.Flush();
        var reader = new Utf8JsonReader(buffer.WrittenSpan);
        return JsonElement.ParseValue(ref reader);
    }

    [ThreadStatic] private static PooledBufferWriter? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
}

/// <summary>The raw ChangeApprovals the status operator works from, with a change feed.</summary>
internal interface IApprovalObjects
{
    IReadOnlyCollection<CachedApproval> All { get; }

    CachedApproval? Find(string key);

    /// <summary>Raised with the key of each ChangeApproval added, changed or removed (after the snapshot is published).</summary>
    event Action<string>? Changed;
}
