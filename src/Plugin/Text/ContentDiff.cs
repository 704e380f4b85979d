using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Policies;
using Admission.Policies.Digest;

namespace Admission.Plugin.Text;

/// <summary>
/// The difference an approval is asked for: the live object's content against the previewed one's
/// (contract "content": without metadata and status, as the digest sees it), as YAML lines marked
/// <c>-</c> and <c>+</c> with two lines of context. A Secret's values are masked.
/// </summary>
public static class ContentDiff
{
    private const int Context = 2;
    public const string Masked = "(masked)";

    public static string Render(JsonElement? live, JsonElement previewed, AdmissionPolicy policy)
    {
        var before = live is { } l ? Lines(l, policy) : [];
        var after = Lines(previewed, policy);
        var ops = Diff(before, after);
        if (ops.All(o => o.Mark == ' ')) return "  (no difference in content)\n";
        var sb = new StringBuilder();
        var shown = new bool[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            if (ops[i].Mark == ' ') continue;
            for (var j = Math.Max(0, i - Context); j <= Math.Min(ops.Count - 1, i + Context); j++) shown[j] = true;
        }
        for (var i = 0; i < ops.Count; i++)
        {
            if (!shown[i])
            {
                if (i == 0 || shown[i - 1]) sb.Append("  …\n");
                continue;
            }
            sb.Append(ops[i].Mark).Append(' ').Append(ops[i].Line).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The content as YAML lines, keys in canonical order so the two sides line up.</summary>
    private static string[] Lines(JsonElement obj, AdmissionPolicy policy)
    {
        var canonical = JsonNode.Parse(ChangeDigest.Content(obj, policy))!;
        if (IsSecret(obj) && canonical is JsonObject content)
        {
            foreach (var key in (string[])["data", "stringData"])
            {
                if (content[key] is JsonObject values)
                {
                    foreach (var name in values.Select(p => p.Key).ToList()) values[name] = Masked;
                }
            }
        }
        var yaml = YamlWriter.Write(JsonSerializer.SerializeToElement(canonical, PluginJson.Default.JsonNode));
        return yaml.TrimEnd('\n').Split('\n');
    }

    private static bool IsSecret(JsonElement obj) =>
        obj.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String && k.ValueEquals("Secret") &&
        obj.TryGetProperty("apiVersion", out var v) && v.ValueKind == JsonValueKind.String && v.ValueEquals("v1");

    /// <summary>A line diff by longest common subsequence (objects are small: hundreds of lines).</summary>
    private static List<(char Mark, string Line)> Diff(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var ops = new List<(char, string)>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { ops.Add((' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) ops.Add(('-', a[x++]));
            else ops.Add(('+', b[y++]));
        }
        while (x < a.Length) ops.Add(('-', a[x++]));
        while (y < b.Length) ops.Add(('+', b[y++]));
        return ops;
    }
}
