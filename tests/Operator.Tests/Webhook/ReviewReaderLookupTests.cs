namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// ReviewReader finds the request's fields in one pass over its properties: however the names are
/// written (escaped, in any order, repeated in a document not parsed with the repeat check), it
/// reads what the serializer reads.
/// </summary>
public sealed class ReviewReaderLookupTests
{
    private const string Request = """
        "uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{"group":"apps","version":"v1","kind":"Deployment"},
        "resource":{"group":"apps","version":"v1","resource":"deployments"},"subResource":"scale",
        "requestKind":{"group":"autoscaling","version":"v1","kind":"Scale"},"requestResource":{"group":"apps","version":"v1","resource":"deployments"},
        "requestSubResource":"scale","name":"checkout","namespace":"payments","operation":"UPDATE",
        "userInfo":{"username":"carol","uid":"u-1","groups":["developers","system:authenticated"]},
        "object":{"kind":"Scale","spec":{"replicas":3}},"oldObject":{"kind":"Scale","spec":{"replicas":2}},"dryRun":true,"options":{"kind":"UpdateOptions"}
        """;

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static TheoryData<string, string> Requests => new()
    {
        // name, the request object's JSON
        { "as kube-apiserver writes it", "{" + Request + "}" },
        { "every name escaped", "{" + EscapeNames(Request) + "}" },
        { "in reverse order", "{" + string.Join(",", Split(Request).Reverse()) + "}" },
        { "each field repeated, the last one different", "{" + Request + "," + Request.Replace("checkout", "billing", StringComparison.Ordinal).Replace("UPDATE", "CREATE", StringComparison.Ordinal) + "}" },
        { "repeated with an escaped name last", "{" + Request + ",\"n\\u0061me\":\"other\"}" },
        { "only some fields", """{"uid":"x","operation":"DELETE","oldObject":{"a":1},"unknown":{"uid":"not this"}}""" },
        { "empty", "{}" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void The_request_reads_as_the_serializer_reads_it(string name, string request)
    {
        var json = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":" + request + "}";
        var expected = FixtureReadTests.Fields(JsonSerializer.Deserialize<AdmissionReview>(json, Web)!);
        using var doc = JsonDocument.Parse(json);

        Assert.True(expected.SequenceEqual(FixtureReadTests.Fields(ReviewReader.Read(doc.RootElement))), name);
    }

    /// <summary>The top-level fields of the request, each "name":value.</summary>
    private static IEnumerable<string> Split(string fields)
    {
        var depth = 0;
        var start = 0;
        var inString = false;
        for (var i = 0; i < fields.Length; i++)
        {
            var c = fields[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') inString = false; continue; }
            if (c == '"') inString = true;
            else if (c is '{' or '[') depth++;
            else if (c is '}' or ']') depth--;
            else if (c == ',' && depth == 0) { yield return fields[start..i].Trim(); start = i + 1; }
        }
        yield return fields[start..].Trim();
    }

    /// <summary>Each top-level name with its first letter as a \u escape.</summary>
    private static string EscapeNames(string fields) =>
        string.Join(",", Split(fields).Select(f => "\"\\u" + ((int)f[1]).ToString("x4", CultureInfo.InvariantCulture) + f[2..]));
}
