using Admission.Fuzz.Harness;
using CsCheck;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Whatever shape the objects in a review take (wrong types, missing fields, lists where maps
/// belong), the webhook answers: no exception, the uid echoed, and a refusal always carries a
/// status code and a message. Generated trees use the field names the rules look at, so the
/// generator reaches the code paths that read them.
/// </summary>
public sealed class HostileReviewProperties
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Keys =
    [
        "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "status", "replicas",
        "template", "containers", "initContainers", "ephemeralContainers", "image", "target", "apiGroup", "operations",
        "images", "reason", "requestedBy", "notBefore", "expiresAt", "approvals", "approver", "approvedAt",
        AdmissionPolicy.TierLabel, AdmissionPolicy.BreakGlassAnnotation,
    ];

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf<JsonNode?>(
        Gen.Bool.Select(_ => (JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int[-3, 5].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.OneOfConst("", "1", "carol", "alice", "bob", "CREATE", "UPDATE", "DELETE", "PATCH", "Deployment", "apps", "checkout",
            "payments", "registry.example.com/checkout:2.4.1", "2026-03-06T10:00:00Z", "2026-03-06T18:00:00Z", "tomorrow")
            .Select(s => (JsonNode?)JsonValue.Create(s)));

    private static Gen<JsonNode?> Tree(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (2, Leaf),
            (3, Gen.Select(Gen.OneOfConst(Keys), Tree(depth - 1)).Array[0, 5].Select(kvs =>
            {
                var obj = new JsonObject();
                foreach (var (k, v) in kvs) obj[k] = v?.DeepClone();
                return (JsonNode?)obj;
            })),
            (1, Tree(depth - 1).Array[0, 3].Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]))));

    private static readonly (string Group, string Kind, string Resource, string? Sub)[] Resources =
    [
        ("apps", "Deployment", "deployments", null),
        ("autoscaling", "Scale", "deployments", "scale"),
        ("apps", "StatefulSet", "statefulsets", null),
        (ChangeApproval.Group, ChangeApproval.KindName, ChangeApproval.Plural, null),
        ("", "Namespace", "namespaces", null),
        ("", "Namespace", "namespaces", "status"),
    ];

    [Fact]
    public void Any_object_shape_gets_an_answer_with_the_uid()
    {
        var snapshot = new DecisionSnapshot(
            new ApprovalIndex([]),
            new NamespaceIndex([KeyValuePair.Create("payments", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]));
        var handler = new ReviewHandler(AdmissionPolicy.Default, new FixedState(snapshot), new FixedClock(Now), NullLogger<ReviewHandler>.Instance);

        var gen =
            from resource in Gen.OneOfConst(Resources)
            from operation in Gen.OneOfConst("CREATE", "UPDATE", "DELETE", "CONNECT")
            from obj in Tree(4)
            from old in Tree(4)
            from groups in Gen.OneOfConst("tier1-approvers", "tier1-break-glass", "developers", "system:masters").Array[0, 2]
            select (resource, operation, obj, old, groups);

        gen.Sample(c =>
        {
            var request = new JsonObject
            {
                ["uid"] = "0f0e9d8c-7b6a-5f4e-3d2c-1b0a99887766",
                ["kind"] = new JsonObject { ["group"] = c.resource.Group, ["version"] = "v1", ["kind"] = c.resource.Kind },
                ["resource"] = new JsonObject { ["group"] = c.resource.Group == "autoscaling" ? "apps" : c.resource.Group, ["version"] = "v1", ["resource"] = c.resource.Resource },
                ["subResource"] = c.resource.Sub,
                ["name"] = "checkout",
                ["namespace"] = c.resource.Resource == "namespaces" ? null : "payments",
                ["operation"] = c.operation,
                ["userInfo"] = new JsonObject { ["username"] = "alice", ["groups"] = new JsonArray([.. c.groups.Select(g => (JsonNode?)JsonValue.Create(g))]) },
                ["object"] = c.obj?.DeepClone(),
                ["oldObject"] = c.old?.DeepClone(),
                ["dryRun"] = false,
            };
            var body = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
            using var doc = JsonDocument.Parse(body);
            AdmissionReview review;
            try
            {
                review = ReviewReader.Read(doc.RootElement);
            }
            catch (JsonException e)
            {
                // An object that is not an object is refused (400) with a message naming the field.
                Assert.Contains("object", e.Message, StringComparison.Ordinal);
                return;
            }
            Assert.Null(ReviewTranslator.EnvelopeProblem(review));

            var answer = handler.HandleAsync(review.Request!, CancellationToken.None).AsTask().GetAwaiter().GetResult();

            var response = answer.Response!;
            Assert.Equal("0f0e9d8c-7b6a-5f4e-3d2c-1b0a99887766", response.Uid);
            Assert.NotNull(response.AuditAnnotations?["decision"]);
            if (!response.Allowed)
            {
                Assert.Contains(response.Status!.Code, new[] { 400, 403 });
                Assert.False(string.IsNullOrWhiteSpace(response.Status.Message));
            }
        }, iter: 3000);
    }
}
