using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Admission.Operator.Cli;
using Admission.Operator.Webhook;

namespace Admission.Operator;

/// <summary>
/// The one set of serializer options for the whole process, source-generated so that no request
/// pays for reflection or options construction.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = false)]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(List<CheckResult>))]
[JsonSerializable(typeof(AdmissionReview))]
internal sealed partial class AdmissionJson : JsonSerializerContext
{
    /// <summary>Messages carry quotes and angle brackets; people read them, so they are not escaped.</summary>
    public static readonly AdmissionJson Relaxed = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
