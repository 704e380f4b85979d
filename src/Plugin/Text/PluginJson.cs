using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Admission.Plugin.Text;

/// <summary>Serializer options for the plugin's own output: indented like kubectl, messages unescaped.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, IndentSize = 4)]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class PluginJson : JsonSerializerContext
{
    /// <summary>For <c>-o json</c>: four-space indents as kubectl writes, no escaping of quotes or angle brackets.</summary>
    public static readonly PluginJson Output = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
