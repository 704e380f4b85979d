namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Issue 10 over HTTPS to the real <c>admission serve</c>: every way around the gate, with reviews
/// shaped as kube-apiserver sends them (started from the examples and the captured fixtures).
/// Each row fails if its protection is removed.
/// </summary>
[Collection(SharedWebhook.Name)]
public sealed class GateReviewTests(LocalWebhookFixture webhook)
{
    private const string Tier1 = "namespace payments is Tier-1";
    private const string BreakGlass = "approvals.admission.dev/break-glass";
    private const string Sa = "system:serviceaccount:kube-system:";

    /// <summary>A captured Pod CREATE (kube-apiserver 1.2x), moved into the Tier-1 namespace.</summary>
    private static Review PodCreate()
    {
        var r = Review.FromFile(Repo.TestData("Webhook", "fixtures", "pod-create--openyurtio-openyurt.json"));
        r.Request["namespace"] = "payments";
        r.Object!["metadata"]!["namespace"] = "payments";
        return r.As("carol", "developers", "system:authenticated");
    }

    /// <summary>The captured kubelet DELETE of a terminating Pod (deletionTimestamp set, grace 0), in the Tier-1 namespace.</summary>
    private static Review PodFinalDelete()
    {
        var r = Review.FromFile(Repo.TestData("Webhook", "fixtures", "pod-delete--openyurtio-openyurt.json"));
        r.Request["namespace"] = "payments";
        r.OldObject!["metadata"]!["namespace"] = "payments";
        return r;
    }

    private static string PodName(Review r) => (string)r.Request["name"]! is { Length: > 0 } n ? n : (string)r.Object!["metadata"]!["name"]!;

    /// <summary>The example Deployment CREATE as another kind of the apps or batch group.</summary>
    private static Review AsKind(string group, string kind, string resource)
    {
        var r = Review.Example("deployment-create").Named("batch-" + resource);
        foreach (var field in new[] { "kind", "requestKind" }) { r.Request[field]!["group"] = group; r.Request[field]!["kind"] = kind; }
        foreach (var field in new[] { "resource", "requestResource" }) { r.Request[field]!["group"] = group; r.Request[field]!["resource"] = resource; }
        r.Object!["kind"] = kind;
        r.Object!["apiVersion"] = group + "/v1";
        if (kind == "CronJob")
        {
            var spec = r.Object!["spec"]!.AsObject();
            var template = spec["template"]!.DeepClone();
            r.Object!["spec"] = new JsonObject { ["schedule"] = "0 * * * *", ["jobTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = template } } };
        }
        return r;
    }

    /// <summary>A CONNECT to pods/exec, attach or portforward, as kube-apiserver sends it: the object is the options.</summary>
    private static Review Connect(string sub, string user, params string[] groups)
    {
        var options = sub switch { "exec" => "PodExecOptions", "attach" => "PodAttachOptions", _ => "PodPortForwardOptions" };
        var root = new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/v1",
            ["request"] = new JsonObject
            {
                ["uid"] = "x",
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = options },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["subResource"] = sub,
                ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = options },
                ["requestResource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["requestSubResource"] = sub,
                ["name"] = "checkout-7d9f-x2x",
                ["namespace"] = "payments",
                ["operation"] = "CONNECT",
                ["userInfo"] = new JsonObject(),
                ["object"] = new JsonObject { ["kind"] = options, ["apiVersion"] = "v1", ["stdin"] = true, ["tty"] = true, ["container"] = "app", ["command"] = new JsonArray("sh") },
                ["oldObject"] = null,
                ["dryRun"] = false,
                ["options"] = null,
            },
        };
        return Review.Of(root).As(user, groups);
    }

    /// <summary><c>kubectl debug</c>: an UPDATE of pods/ephemeralcontainers adding a shell container.</summary>
    private static Review Debug(string user, params string[] groups)
    {
        var r = PodCreate().Operation("UPDATE").As(user, groups);
        r.Request["subResource"] = "ephemeralcontainers";
        r.Request["requestSubResource"] = "ephemeralcontainers";
        var name = PodName(r);
        r.Request["name"] = name;
        r.Object!["metadata"]!["name"] = name;
        r.Request["oldObject"] = r.Object!.DeepClone();
        r.Object!["spec"]!["ephemeralContainers"] = new JsonArray(new JsonObject { ["name"] = "debugger", ["image"] = "busybox:1.36", ["stdin"] = true, ["tty"] = true });
        return r;
    }

    /// <summary>The example Deployment UPDATE of billing (no approval) with the new object derived from the old one.</summary>
    private static Review Billing(Action<JsonObject> change, string user = "carol", params string[] groups)
    {
        var r = Review.Example("deployment-update-denied").Named("billing");
        if (groups.Length > 0 || user != "carol") r.As(user, groups);
        var updated = r.OldObject!.DeepClone().AsObject();
        change(updated);
        r.Request["object"] = updated;
        return r;
    }

    private static readonly Dictionary<string, ReviewCase> Cases = new()
    {
        ["a bare Pod by a developer"] = new(_ => PodCreate(), false, "denied", MessageContains: [Tier1, "CREATE of Pod payments/"]),
        ["a Pod by the ReplicaSet controller"] = new(_ => PodCreate().As(Sa + "replicaset-controller", "system:serviceaccounts", "system:authenticated"), true, "controller"),
        ["a Job by a developer"] = new(_ => AsKind("batch", "Job", "jobs"), false, "denied", MessageContains: [Tier1, "CREATE of Job payments/batch-jobs"]),
        ["a CronJob by a developer"] = new(_ => AsKind("batch", "CronJob", "cronjobs"), false, "denied", MessageContains: [Tier1, "CREATE of CronJob payments/batch-cronjobs"]),
        ["a ReplicaSet by a developer"] = new(_ => AsKind("apps", "ReplicaSet", "replicasets"), false, "denied", MessageContains: [Tier1, "CREATE of ReplicaSet"]),
        ["a Job by the CronJob controller"] = new(_ => AsKind("batch", "Job", "jobs").As(Sa + "cronjob-controller", "system:serviceaccounts"), true, "controller"),
        ["kubectl exec by a developer"] = new(_ => Connect("exec", "carol", "developers"), false, "denied", MessageContains: [Tier1, "exec into Pod payments/checkout-7d9f-x2x", "break-glass groups (tier1-break-glass)"]),
        ["kubectl attach by a developer"] = new(_ => Connect("attach", "carol", "developers"), false, "denied", MessageContains: [Tier1]),
        ["kubectl port-forward by a developer"] = new(_ => Connect("portforward", "carol", "developers"), false, "denied", MessageContains: [Tier1]),
        ["kubectl exec by a break-glass member"] = new(_ => Connect("exec", "olga", "tier1-break-glass"), true, "break-glass", WarningContains: "BREAK-GLASS: exec into Pod payments/checkout-7d9f-x2x by olga"),
        ["kubectl exec by an exempt group"] = new(_ => Connect("exec", "flux", LocalWebhookFixture.ExemptGroup), true, "exempt"),
        ["kubectl debug by a developer"] = new(_ => Debug("carol", "developers"), false, "denied", MessageContains: [Tier1, "ephemeral container"]),
        ["kubectl debug by a break-glass member"] = new(_ => Debug("olga", "tier1-break-glass"), true, "break-glass", WarningContains: "BREAK-GLASS"),
        ["an ownerReferences edit handing a Deployment to the garbage collector"] = new(
            _ => Billing(o => o["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "doomed", ["uid"] = "1" })),
            false, "denied", MessageContains: [Tier1]),
        ["kubectl rollout restart"] = new(
            _ => Billing(o => o["spec"]!["template"]!["metadata"]!["annotations"] = new JsonObject { ["kubectl.kubernetes.io/restartedAt"] = "2026-03-06T12:00:00Z" }),
            true, "no-approval-needed"),
        ["a second break-glass member riding on an earlier reason"] = new(
            _ =>
            {
                var r = Review.Example("deployment-update-denied").Named("billing").As("oskar", "tier1-break-glass");
                r.Annotate(r.OldObject, BreakGlass, "INC-1 last week");
                return r.Annotate(r.Object, BreakGlass, "INC-1 last week");
            },
            false, "denied", MessageContains: [Tier1, "set by an earlier change"]),
        ["break glass with a new reason"] = new(
            _ =>
            {
                var r = Review.Example("deployment-update-denied").Named("billing").As("oskar", "tier1-break-glass");
                r.Annotate(r.OldObject, BreakGlass, "INC-1 last week");
                return r.Annotate(r.Object, BreakGlass, "INC-2 today");
            },
            true, "break-glass", WarningContains: "INC-2 today"),
        ["deleting a ReplicaSet's Pod"] = new(
            _ =>
            {
                var r = PodFinalDelete();
                r.OldObject!["metadata"]!.AsObject().Remove("deletionTimestamp");
                r.OldObject!["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = "web-7d9f", ["uid"] = "2", ["controller"] = true });
                return r.As("carol", "developers");
            },
            true, "no-approval-needed"),
        ["deleting a bare Pod"] = new(
            _ =>
            {
                var r = PodFinalDelete();
                r.OldObject!["metadata"]!.AsObject().Remove("deletionTimestamp");
                return r.As("carol", "developers");
            },
            false, "denied", MessageContains: [Tier1]),
        ["the kubelet's final delete of a terminating Pod"] = new(_ => PodFinalDelete(), true, "no-approval-needed"),
        ["the namespace controller deleting a Deployment"] = new(
            _ => Review.Example("deployment-delete").Named("billing").As(Sa + "namespace-controller", "system:serviceaccounts", "system:serviceaccounts:kube-system"),
            true, "controller"),
        ["Alice approving after alice"] = new(
            now =>
            {
                var r = Review.Example("changeapproval-approve").ApprovalWindow(now.AddHours(-1), now.AddHours(6)).As("Alice", "tier1-approvers");
                r.OldObject!["spec"]!["approvals"] = Review.Entries(("alice", now.AddMinutes(-5)));
                r.Object!["spec"]!["approvals"] = Review.Entries(("alice", now.AddMinutes(-5)), ("Alice", now));
                return r;
            },
            false, "denied", MessageContains: ["\"Alice\" names the same person as \"alice\""]),
        ["cаrol (Cyrillic а) approving carol's request"] = new(
            now =>
            {
                var r = Review.Example("changeapproval-approve").ApprovalWindow(now.AddHours(-1), now.AddHours(6)).As("c\u0430rol", "tier1-approvers");
                r.Object!["spec"]!["approvals"] = Review.Entries(("c\u0430rol", now));
                return r;
            },
            false, "denied", MessageContains: ["same person as the requester \"carol\""]),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task Way_around_the_gate_is_closed(string name) => Cases[name].SendAndAssertAsync(webhook.Client);

    /// <summary>Reviews that do not decode cleanly or say inconsistent things: HTTP 400 naming the problem, never an answer that allows.</summary>
    private static readonly Dictionary<string, (Func<byte[]> Body, string Problem)> Malformed = new()
    {
        ["a number where the username belongs"] = (() => Edit("deployment-create", r => r["userInfo"]!["username"] = 42), "request.userInfo.username must be a string"),
        ["a number where the name belongs"] = (() => Edit("deployment-create", r => r["name"] = 7), "request.name must be a string"),
        ["a string where the object belongs"] = (() => Edit("deployment-create", r => r["object"] = "{}"), "request.object must be an object"),
        ["a group that is not a string"] = (() => Edit("deployment-create", r => r["userInfo"]!["groups"] = new JsonArray("developers", 1)), "request.userInfo.groups[1] must be a string"),
        ["dryRun as a string"] = (() => Edit("deployment-create", r => r["dryRun"] = "false"), "request.dryRun must be true or false"),
        ["groups without a username"] = (() => Edit("deployment-create", r => ((JsonObject)r["userInfo"]!).Remove("username")), "username is missing"),
        ["an empty username"] = (() => Edit("deployment-create", r => r["userInfo"]!["username"] = ""), "username is missing"),
        ["request namespace disagreeing with the object"] = (() => Edit("deployment-create", r => r["namespace"] = "sandbox"), "metadata.namespace is \"payments\""),
        ["request name disagreeing with the object"] = (() => Edit("deployment-create", r => r["name"] = "billing"), "metadata.name is \"checkout\""),
        ["a guarded resource whose kind says ConfigMap"] = (() => Edit("deployment-create", r => r["kind"]!["kind"] = "ConfigMap"), "serves Deployment"),
        ["a Deployment sent as configmaps"] = (() => Edit("deployment-create", r => { r["resource"]!["group"] = "apps"; r["resource"]!["resource"] = "configmaps"; }), "served as deployments"),
        ["an object whose own kind says ConfigMap"] = (() => Edit("deployment-create", r => r["object"]!["kind"] = "ConfigMap"), "object.kind is \"ConfigMap\""),
        ["an UPDATE with no name"] = (() => Edit("deployment-update-denied", r => r["name"] = ""), "request.name is missing on UPDATE"),
        ["a Namespace UPDATE without oldObject"] = (() => Edit("namespace-unlabel", r => r.Remove("oldObject")), "Namespace UPDATE carries no oldObject"),
        ["an escaped lone surrogate in the username"] = (() => Encoding.UTF8.GetBytes(Text("deployment-create").Replace("\"username\": \"carol\"", "\"username\": \"carol\\ud800\"", StringComparison.Ordinal)), "not valid Unicode"),
        ["a repeated namespace key"] = (() => Encoding.UTF8.GetBytes(Text("deployment-create").Replace("\"namespace\": \"payments\",", "\"namespace\": \"sandbox\", \"namespace\": \"payments\",", StringComparison.Ordinal)), "not a valid AdmissionReview"),
        ["a repeated key inside the object"] = (() => Encoding.UTF8.GetBytes(Text("deployment-create").Replace("\"kind\": \"Deployment\",", "\"kind\": \"Deployment\", \"kind\": \"Deployment\",", StringComparison.Ordinal)), "not a valid AdmissionReview"),
        ["invalid UTF-8 in a label"] = (() => InvalidUtf8(), "not valid UTF-8"),
    };

    public static TheoryData<string> MalformedNames => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedNames))]
    public async Task A_review_that_does_not_decode_cleanly_is_400_never_an_allow(string name)
    {
        var (body, problem) = Malformed[name];
        var bytes = body();
        var (status, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(bytes, "application/json"));
        response.Dispose();
        Assert.True(status == HttpStatusCode.BadRequest, $"expected 400, got {(int)status}: {text}");
        Assert.Contains(problem, text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"allowed\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_untouched_bodies_the_malformed_rows_start_from_are_answered()
    {
        // So each 400 above comes from the one thing the row changed.
        foreach (var example in new[] { "deployment-create", "deployment-update-denied", "namespace-unlabel" })
        {
            var (status, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(Encoding.UTF8.GetBytes(Text(example)), "application/json"));
            response.Dispose();
            Assert.True(status == HttpStatusCode.OK, $"{example}: {(int)status} {text}");
        }
    }

    private static string Text(string example) => File.ReadAllText(Repo.Example("reviews", example + ".json"));

    private static byte[] Edit(string example, Action<JsonObject> edit)
    {
        var r = Review.Example(example);
        edit(r.Request);
        return Encoding.UTF8.GetBytes(r.ToJson());
    }

    private static byte[] InvalidUtf8()
    {
        var text = Review.Example("deployment-create").ToJson();
        var bytes = Encoding.UTF8.GetBytes(text.Replace("\"app.kubernetes.io/version\":\"2.4.1\"", "\"app.kubernetes.io/version\":\"2.4.1@@\"", StringComparison.Ordinal));
        var at = Encoding.UTF8.GetBytes("@@");
        var i = bytes.AsSpan().IndexOf(at);
        Assert.True(i > 0, "the example has the label the row edits");
        bytes[i] = 0xC3;
        bytes[i + 1] = 0x28; // 0xC3 must be followed by a continuation byte
        return bytes;
    }
}
