using Admission.Fuzz.Harness;
using CsCheck;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Contract 2.1 as a property: start from reviews the webhook allows, spoil one envelope field
/// (a wrong JSON type, a required field missing, or a value that disagrees with the rest), and
/// the review is never allowed, on the path /validate takes (strict read, envelope, translation, decision).
/// </summary>
public sealed class EnvelopeProperties
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Reviews that are allowed as they are: outside Tier-1, by an exempt user, and a ChangeApproval approval.</summary>
    private static readonly (string Example, Action<JsonObject> Setup)[] Allowed =
    [
        ("deployment-create", r => { r["namespace"] = "sandbox"; r["object"]!["metadata"]!["namespace"] = "sandbox"; }),
        ("deployment-update-denied", r => r["userInfo"]!["username"] = "ci-bot"),
        ("deployment-delete", r => r["userInfo"]!["username"] = "ci-bot"),
        ("deployment-scale", _ => { }),
        ("changeapproval-approve", _ => { }),
        ("namespace-unlabel", r => r["userInfo"]!["groups"] = new JsonArray("system:masters")),
    ];

    private static readonly AdmissionPolicy Policy = AdmissionPolicy.Default with { ExemptUsers = new HashSet<string> { "ci-bot" } };

    /// <summary>Fields every review needs, with a value of the right type.</summary>
    private static readonly string[] Required = ["uid", "operation", "resource", "resource.resource", "userInfo", "userInfo.username"];

    /// <summary>Fields that must agree with each other (request against object) or name the right thing.</summary>
    private static readonly string[] Agreeing = ["namespace", "name", "kind.kind", "object.metadata.name", "object.metadata.namespace", "object.kind", "oldObject.metadata.name", "oldObject.metadata.namespace", "oldObject.kind"];

    /// <summary>Every string, object, list or boolean field of the envelope that is read.</summary>
    private static readonly string[] Typed =
    [
        "uid", "kind", "kind.group", "kind.version", "kind.kind", "resource", "resource.group", "resource.version", "resource.resource",
        "subResource", "requestKind", "requestResource", "requestSubResource", "name", "namespace", "operation", "userInfo",
        "userInfo.username", "userInfo.uid", "userInfo.groups", "userInfo.extra", "object", "oldObject", "dryRun", "options",
    ];

    private static readonly Gen<JsonNode?> WrongValue = Gen.OneOfConst<Func<JsonNode?>>(
        () => JsonValue.Create(42), () => JsonValue.Create(true), () => JsonValue.Create(1.5), () => new JsonArray("payments"),
        () => new JsonObject { ["name"] = "checkout" }, () => JsonValue.Create("text")).Select(f => f());

    private static readonly Gen<string> OtherText = Gen.OneOfConst("other", "Deployment", "ConfigMap", "sandbox", "payments", "checkout", "billing", "Checkout", " checkout");

    private enum Spoil { WrongType, Missing, Disagreeing }

    [Fact]
    public void A_spoiled_envelope_field_is_never_allowed()
    {
        var snapshot = new DecisionSnapshot(
            new ApprovalIndex([]),
            new NamespaceIndex([KeyValuePair.Create("payments", (IReadOnlyDictionary<string, string>)new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" })]));
        var handler = new ReviewHandler(Policy, new FixedState(snapshot), new FixedClock(Now), NullLogger<ReviewHandler>.Instance);

        // Every base is allowed untouched, so a refusal below comes from the spoiled field.
        foreach (var (example, setup) in Allowed)
        {
            Assert.True(Decide(handler, Base(example, setup)) is { Allowed: true }, $"{example} must be allowed untouched");
        }

        var gen =
            from b in Gen.Int[0, Allowed.Length - 1]
            from spoil in Gen.OneOfConst(Spoil.WrongType, Spoil.Missing, Spoil.Disagreeing)
            from typed in Gen.OneOfConst(Typed)
            from required in Gen.OneOfConst(Required)
            from agreeing in Gen.OneOfConst(Agreeing)
            from wrong in WrongValue
            from other in OtherText
            select (b, spoil, typed, required, agreeing, wrong, other);

        gen.Sample(c =>
        {
            var (example, setup) = Allowed[c.b];
            var request = Base(example, setup);
            string what;
            switch (c.spoil)
            {
                case Spoil.WrongType:
                    if (!Has(request, c.typed) && !CanAdd(request, c.typed)) return;
                    if (Kind(c.wrong) == Expected(c.typed)) return; // not a wrong type for this field
                    Set(request, c.typed, c.wrong?.DeepClone());
                    what = $"{c.typed} = {c.wrong?.ToJsonString()}";
                    break;
                case Spoil.Missing:
                    if (!Has(request, c.required)) return;
                    Remove(request, c.required);
                    what = $"{c.required} removed";
                    break;
                default:
                    if (Get(request, c.agreeing) is not JsonValue v || v.GetValueKind() != JsonValueKind.String || (string)v! == c.other) return;
                    if ((string)v! == "") return;
                    Set(request, c.agreeing, c.other);
                    what = $"{c.agreeing} = \"{c.other}\"";
                    break;
            }
            var decision = Decide(handler, request);
            Assert.False(decision is { Allowed: true }, $"{example} with {what} was allowed: {decision?.Code}");
        }, iter: 4000);
    }

    /// <summary>The decision /validate would give, or null when the review is refused before one (400).</summary>
    private static Decision? Decide(ReviewHandler handler, JsonObject request)
    {
        var body = new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request.DeepClone() }.ToJsonString();
        using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { AllowDuplicateProperties = false });
        AdmissionReview review;
        try
        {
            review = ReviewReader.Read(doc.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
        if (ReviewTranslator.EnvelopeProblem(review) is not null) return null;
        var (input, _) = ReviewTranslator.ToInput(review.Request!, handler.Policy);
        if (input is null) return null;
        var answer = handler.HandleAsync(review.Request!.Uid!, input, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return new Decision { Allowed = answer.Response!.Allowed, Code = answer.Response.Allowed ? DecisionCode.NotGuarded : DecisionCode.Denied };
    }

    private static JsonObject Base(string example, Action<JsonObject> setup)
    {
        var r = Review.Example(example);
        if (example == "changeapproval-approve")
        {
            r.ApprovalWindow(Now.AddHours(-1), Now.AddHours(6));
            r.Object!["spec"]!["approvals"] = Review.Entries(("alice", Now));
        }
        setup(r.Request);
        return r.Request;
    }

    private static JsonValueKind Expected(string field) => field switch
    {
        "kind" or "resource" or "requestKind" or "requestResource" or "userInfo" or "userInfo.extra" or "object" or "oldObject" or "options" => JsonValueKind.Object,
        "userInfo.groups" => JsonValueKind.Array,
        "dryRun" => JsonValueKind.True,
        _ => JsonValueKind.String,
    };

    private static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() switch { null => JsonValueKind.Null, JsonValueKind.False => JsonValueKind.True, var k => k.Value };

    private static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(part, out node)) return null;
        }
        return node;
    }

    private static bool Has(JsonObject root, string path) => Get(root, path) is not null;

    private static bool CanAdd(JsonObject root, string path) => !path.Contains('.', StringComparison.Ordinal) || Get(root, path[..path.LastIndexOf('.')]) is JsonObject;

    private static void Set(JsonObject root, string path, JsonNode? value)
    {
        var dot = path.LastIndexOf('.');
        var parent = dot < 0 ? root : (JsonObject)Get(root, path[..dot])!;
        parent[dot < 0 ? path : path[(dot + 1)..]] = value;
    }

    private static void Remove(JsonObject root, string path)
    {
        var dot = path.LastIndexOf('.');
        var parent = dot < 0 ? root : (JsonObject)Get(root, path[..dot])!;
        parent.Remove(dot < 0 ? path : path[(dot + 1)..]);
    }
}
