using System.Text.Encodings.Web;

namespace Admission.TestApiServer.Storage;

internal static class JsonValues
{
    // Quotes as \" rather than \u0022, like Go's encoder, so raw bodies read as kube-apiserver's do.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The integer in a node, whatever CLR type backs it: values built in code (int) and parsed ones
    /// (JsonElement) answer TryGetValue differently.
    /// </summary>
    public static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.Number
        && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    public static bool? Boolean(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    public static string Serialize(JsonNode node) => node.ToJsonString(Relaxed);
}
