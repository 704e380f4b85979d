namespace Admission.TestApiServer.Http;

/// <summary>
/// meta.k8s.io/v1 Table responses, which `kubectl get` asks for to print its columns.
/// </summary>
internal static class Tables
{
    private sealed record Column(string Name, string Type, Func<JsonObject, string> Cell, string Format = "");

    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject Build(ResourceDefinition resource, IEnumerable<JsonObject> items, long resourceVersion, string? includeObject)
    {
        var columns = ColumnsFor(resource);
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => (JsonNode)c.Cell(item)).ToArray()),
            };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    row["object"] = item.DeepClone();
                    break;
                default:
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = item["metadata"]?.DeepClone(),
                    };
                    break;
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = "",
                ["priority"] = 0,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    private static List<Column> ColumnsFor(ResourceDefinition resource)
    {
        var name = new Column("Name", "string", o => o["metadata"]?["name"]?.ToString() ?? "", "name");
        var age = new Column("Age", "string", o => Age(o["metadata"]?["creationTimestamp"]?.ToString()));
        return resource.GroupResource switch
        {
            "namespaces" => [name, new Column("Status", "string", o => Text(o["status"]?["phase"])), age],
            "deployments.apps" =>
            [
                name,
                new Column("Ready", "string", o => $"{Number(o["status"]?["readyReplicas"])}/{Number(o["spec"]?["replicas"])}"),
                new Column("Up-to-date", "integer", o => Number(o["status"]?["updatedReplicas"])),
                new Column("Available", "integer", o => Number(o["status"]?["availableReplicas"])),
                age,
            ],
            "changeapprovals.approvals.admission.dev" =>
            [
                name,
                new Column("Target", "string", o => $"{Text(o["spec"]?["target"]?["kind"])}/{Text(o["spec"]?["target"]?["name"])}"),
                new Column("Phase", "string", o => Text(o["status"]?["phase"])),
                new Column("Expires", "string", o => Text(o["spec"]?["expiresAt"])),
                age,
            ],
            _ => [name, age],
        };
    }

    private static string Text(JsonNode? node) => node?.ToString() ?? "";

    private static string Number(JsonNode? node) => node?.ToString() ?? "0";

    private static string Age(string? timestamp)
    {
        if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            return "<unknown>";
        }

        var age = DateTimeOffset.UtcNow - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
