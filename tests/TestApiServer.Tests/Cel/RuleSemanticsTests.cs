namespace Admission.TestApiServer.Tests.Cel;

/// <summary>
/// Kubernetes' CEL rule semantics on a small CRD of its own: messageExpression, reason, fieldPath,
/// transition rules only where an old value exists, and map-list items correlated by key.
/// </summary>
public class RuleSemanticsTests
{
    private static readonly ResourceDefinition Widgets = new("example.dev", "v1", "widgets", "Widget", true, CustomResource: true);

    private static readonly Lazy<CustomResourceValidator> Validator = new(() =>
    {
        var validator = new CustomResourceValidator();
        validator.Add(JsonNode.Parse("""
            {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
             "metadata": {"name": "widgets.example.dev"},
             "spec": {"group": "example.dev", "names": {"plural": "widgets", "kind": "Widget"}, "scope": "Namespaced",
              "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object",
                  "x-kubernetes-validations": [
                    {"rule": "self.size <= 10", "messageExpression": "'size ' + string(self.size) + ' is over 10'", "fieldPath": ".size"},
                    {"rule": "self.size >= oldSelf.size", "message": "size may only grow", "reason": "FieldValueForbidden", "fieldPath": ".size"}],
                  "properties": {
                    "size": {"type": "integer"},
                    "ports": {"type": "array", "maxItems": 8, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                      "items": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string", "maxLength": 16},
                        "number": {"type": "integer", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "a port's number is immutable"}]}}}}}}}}}}]}}
            """)!.AsObject());
        return validator;
    });

    private static JsonObject Widget(long size, params (string Name, long Number)[] ports) => new()
    {
        ["apiVersion"] = "example.dev/v1", ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = "w" },
        ["spec"] = new JsonObject
        {
            ["size"] = size,
            ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["number"] = p.Number })]),
        },
    };

    private static List<(string Field, string Message, string Reason)> Causes(JsonObject obj, JsonObject? old)
    {
        try
        {
            Validator.Value.Validate(Widgets, obj, old, []);
            return [];
        }
        catch (Http.ApiException e)
        {
            return [.. e.Status["details"]!["causes"]!.AsArray().Select(c => ((string)c!["field"]!, (string)c["message"]!, (string)c["reason"]!))];
        }
    }

    public static TheoryData<string, JsonObject, JsonObject?, string[]> Rows() => new()
    {
        { "messageExpression and fieldPath", Widget(11), null, ["spec.size|Invalid value: \"object\": size 11 is over 10|FieldValueInvalid"] },
        { "a transition rule does not run on create", Widget(1), null, [] },
        { "reason Forbidden", Widget(1), Widget(2), ["spec.size|Forbidden: size may only grow|FieldValueForbidden"] },
        { "a map-list item is compared with the old item of the same key", Widget(1, ("http", 80), ("https", 443)), Widget(1, ("https", 443), ("http", 80)), [] },
        { "its change is refused", Widget(1, ("http", 8080)), Widget(1, ("http", 80)), ["spec.ports[0].number|Invalid value: \"integer\": a port's number is immutable|FieldValueInvalid"] },
        { "a new key has no old value", Widget(1, ("http", 80), ("grpc", 9000)), Widget(1, ("http", 80)), [] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Rule_semantics(string name, JsonObject obj, JsonObject? old, string[] expected)
    {
        var causes = Causes(obj, old).Select(c => $"{c.Field}|{c.Message}|{c.Reason}").ToArray();

        Assert.True(expected.SequenceEqual(causes), $"{name}: {string.Join("; ", causes)}");
    }
}
