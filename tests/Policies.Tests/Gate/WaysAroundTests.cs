namespace Admission.Policies.Tests.Gate;

/// <summary>
/// Issue 10, every way around the gate an attacker would try, through the engine: each row is
/// denied (or decided as the contract says) and fails if its protection is removed.
/// Contract sections 2, 2.1, 2.2 and 4.
/// </summary>
public class WaysAroundTests
{
    private static readonly Workload Deploy = new();
    private static readonly Workload Pod = new() { Group = "", Kind = "Pod", Name = "checkout-7d9f-x2x" };
    private static readonly Workload ReplicaSet = Deploy with { Kind = "ReplicaSet", Name = "checkout-7d9f" };
    private static readonly Workload Job = Deploy with { Group = "batch", Kind = "Job", Name = "migrate" };
    private static readonly Workload CronJob = Deploy with { Group = "batch", Kind = "CronJob", Name = "report" };
    private static readonly Workload Rollout = Deploy with { Group = "argoproj.io", Kind = "Rollout" };
    private const string Evil = "registry.example.com/miner:1";

    private static readonly UserInfo Dev = Deployer;
    private static readonly UserInfo Oncall = User("olga", BreakGlassGroup);
    private static readonly UserInfo Oncall2 = User("oskar", BreakGlassGroup);
    private static readonly UserInfo Admin = User("root", AdminGroup);
    private const string Sa = "system:serviceaccount:kube-system:";
    private static readonly UserInfo ReplicaSetController = User(Sa + "replicaset-controller", "system:serviceaccounts");
    private static readonly UserInfo CronJobController = User(Sa + "cronjob-controller", "system:serviceaccounts");
    private static readonly UserInfo GarbageCollector = User(Sa + "generic-garbage-collector", "system:serviceaccounts");
    private static readonly UserInfo NamespaceController = User(Sa + "namespace-controller", "system:serviceaccounts");
    private static readonly UserInfo NodeController = User(Sa + "node-controller", "system:serviceaccounts");
    private static readonly UserInfo PodGarbageCollector = User(Sa + "pod-garbage-collector", "system:serviceaccounts");
    private static readonly UserInfo ControllerManager = User("system:kube-controller-manager", "system:authenticated");

    private static Approval For(Workload w, params string[] images) =>
        new Approval { Name = "ok", ApiGroup = w.Group, Kind = w.Kind, TargetName = w.Name, Images = images }.ApprovedBy("alice", "bob");

    private static Row Create(Workload w, DecisionCode expected, UserInfo? user = null, AdmissionPolicy? policy = null, Approval[]? approvals = null, string? message = null) =>
        new(Requests.Create(w, user), Context(approvals, policy), expected, expected == Approved ? "payments/ok" : null, message);

    private static Row Update(Workload old, Workload updated, DecisionCode expected, UserInfo? user = null, AdmissionPolicy? policy = null, Approval[]? approvals = null, string? message = null) =>
        new(Requests.Update(old, updated, user), Context(approvals, policy), expected, expected == Approved ? "payments/ok" : null, message);

    private static Row Delete(Workload w, DecisionCode expected, UserInfo? user = null, AdmissionPolicy? policy = null) =>
        new(Requests.Delete(w, user), Context(policy: policy), expected);

    /// <summary>A Pod subresource request as kube-apiserver sends it (for CONNECT the object is the options, with no metadata).</summary>
    private static AdmissionInput PodSub(string sub, Operation op, UserInfo user, string? ns = null, JsonElement? obj = null, JsonElement? old = null, string? kind = null) => new()
    {
        Operation = op,
        Group = "",
        Kind = kind ?? sub switch
        {
            "exec" => "PodExecOptions",
            "attach" => "PodAttachOptions",
            "portforward" => "PodPortForwardOptions",
            "eviction" => "Eviction",
            "binding" => "Binding",
            _ => "Pod",
        },
        Resource = "pods",
        SubResource = sub,
        Namespace = ns ?? Tier1,
        Name = Pod.Name,
        User = user,
        Object = obj ?? (op == Operation.Connect ? Options(sub) : null),
        OldObject = old,
    };

    private static JsonElement Options(string sub) => JsonSerializer.SerializeToElement(new JsonObject
    {
        ["kind"] = sub switch { "exec" => "PodExecOptions", "attach" => "PodAttachOptions", _ => "PodPortForwardOptions" },
        ["apiVersion"] = "v1",
        ["command"] = new JsonArray("sh"),
    });

    private static Row Sub(string sub, Operation op, UserInfo user, DecisionCode expected, AdmissionPolicy? policy = null, string? ns = null, JsonElement? obj = null, JsonElement? old = null) =>
        new(PodSub(sub, op, user, ns, obj, old), Context(policy: policy), expected);

    private static JsonElement Resized(string cpu)
    {
        var node = JsonNode.Parse(Pod.ToJson().GetRawText())!;
        node["spec"]!["containers"]![0]!["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = cpu } };
        return JsonSerializer.SerializeToElement(node);
    }

    private static JsonElement Terminating(Workload w)
    {
        var node = JsonNode.Parse(w.ToJson().GetRawText())!;
        node["metadata"]!["deletionTimestamp"] = "2026-03-06T11:59:30Z";
        return JsonSerializer.SerializeToElement(node);
    }

    private static Workload Restarted(Workload w, string at) =>
        w with { TemplateAnnotations = new Dictionary<string, string>(w.TemplateAnnotations) { ["kubectl.kubernetes.io/restartedAt"] = at } };

    private static Workload OwnedBy(Workload w, string kind, string name, bool controller = true) => w with { Owners = [(kind, name, controller)] };

    private static readonly AdmissionPolicy NoRestarts = Policy with { AllowRestarts = false };
    private static readonly AdmissionPolicy InteractiveDeny = Policy with { InteractiveAccess = InteractiveAccess.Deny };
    private static readonly AdmissionPolicy InteractiveAllow = Policy with { InteractiveAccess = InteractiveAccess.Allow };
    private static readonly AdmissionPolicy NoControllers = Policy with { TrustedControllers = Set() };
    private static readonly AdmissionPolicy ExemptDev = Policy with { ExemptUsers = Set(Deployer.Username) };

    public static readonly Table<Row> Cases = new()
    {
        // Every kind that runs containers, with no approval at all.
        { "a bare Pod running any image: denied", Create(Pod with { Images = [Evil] }, Denied) },
        { "a ReplicaSet: denied", Create(ReplicaSet with { Images = [Evil] }, Denied) },
        { "a Job: denied", Create(Job with { Images = [Evil] }, Denied) },
        { "a CronJob: denied", Create(CronJob with { Images = [Evil] }, Denied) },
        { "a custom kind added to workloadKinds: denied", Create(Rollout with { Images = [Evil] }, Denied, policy: ParsePolicy("workloadKinds: [argoproj.io/Rollout]")) },

        // Images at each kind's real pod template path.
        { "Pod: approved image at spec: approved", Create(Pod, Approved, approvals: [For(Pod, Fixture.Image)]) },
        { "Pod: an unapproved image in spec.containers: denied", Create(Pod with { Images = [Evil] }, Denied, approvals: [For(Pod, Fixture.Image)], message: $"image {Evil} is not approved") },
        { "Pod: an unapproved ephemeral container image: denied", Create(Pod with { EphemeralImages = [Evil] }, Denied, approvals: [For(Pod, Fixture.Image)], message: $"image {Evil} is not approved") },
        { "Job: an unapproved init container image: denied", Create(Job with { InitImages = [Evil] }, Denied, approvals: [For(Job, Fixture.Image)], message: $"image {Evil} is not approved") },
        { "CronJob: approved image at the job template: approved", Create(CronJob, Approved, approvals: [For(CronJob, Fixture.Image)]) },
        { "CronJob: an unapproved image at spec.jobTemplate.spec.template.spec: denied", Create(CronJob with { Images = [Evil] }, Denied, approvals: [For(CronJob, Fixture.Image)], message: $"image {Evil} is not approved") },
        { "custom kind: an unapproved image at spec.template.spec: denied", Create(Rollout with { Images = [Evil] }, Denied, policy: ParsePolicy("workloadKinds: [argoproj.io/Rollout]"), approvals: [For(Rollout, Fixture.Image)], message: $"image {Evil} is not approved") },

        // Trusted controllers (step 2).
        { "the ReplicaSet controller creates a Pod: controller", Create(OwnedBy(Pod, "ReplicaSet", "checkout-7d9f"), Controller, ReplicaSetController) },
        { "the CronJob controller creates a Job: controller", Create(OwnedBy(Job, "CronJob", "report"), Controller, CronJobController) },
        { "kube-controller-manager without service-account credentials: controller", Create(Pod, Controller, ControllerManager) },
        { "the garbage collector deletes a Deployment: controller", Delete(Deploy, Controller, GarbageCollector) },
        { "the namespace controller empties a namespace being deleted: controller", Delete(Deploy, Controller, NamespaceController) },
        { "the namespace controller deletes a StatefulSet: controller", Delete(Deploy with { Kind = "StatefulSet" }, Controller, NamespaceController) },
        { "the node controller evicts a bare Pod from a failed node: controller", Delete(Pod, Controller, NodeController) },
        { "the pod garbage collector removes a bare Pod of a deleted node: controller", Delete(Pod, Controller, PodGarbageCollector) },
        { "trustedControllers emptied: the node controller's eviction of a bare Pod is denied", Delete(Pod, Denied, NodeController, NoControllers) },
        { "trustedControllers emptied: the ReplicaSet controller is denied", Create(Pod, Denied, ReplicaSetController, NoControllers) },
        { "a name one character off a controller's is no controller: denied", Create(Pod, Denied, User(Sa + "replicaset-controller ", "system:serviceaccounts")) },
        { "a controller's name in another namespace is no controller: denied", Create(Pod, Denied, User("system:serviceaccount:payments:replicaset-controller")) },
        { "a group named like a controller does not make one: denied", Create(Pod, Denied, User("mallory", Sa + "replicaset-controller")) },
        { "exempt is still checked first", Create(Pod, Exempt, Dev, ExemptDev) },

        // Deleting what a controller owns needs no approval (step 3); deleting anything else does.
        { "a developer deletes a ReplicaSet's Pod: no approval needed", Delete(OwnedBy(Pod, "ReplicaSet", "checkout-7d9f"), NoApprovalNeeded) },
        { "a developer deletes a Deployment's ReplicaSet: no approval needed", Delete(OwnedBy(ReplicaSet, "Deployment", "checkout"), NoApprovalNeeded) },
        { "an ownerReference without controller: true: needs approval", Delete(OwnedBy(Pod, "ConfigMap", "x", controller: false), Denied) },
        { "a bare Pod (no owner): needs approval", Delete(Pod, Denied) },
        { "the kubelet's final DELETE of a terminating bare Pod: no approval needed", new(Requests.Delete(Pod, User("system:node:n1", "system:nodes")) with { OldObject = Terminating(Pod) }, Context(), NoApprovalNeeded) },

        // ownerReferences are not metadata one may change freely.
        { "an ownerReference added (hands it to the garbage collector): needs approval", Update(Deploy, OwnedBy(Deploy, "ConfigMap", "doomed"), Denied) },
        { "an ownerReference removed (orphans it from its controller): needs approval", Update(OwnedBy(ReplicaSet, "Deployment", "checkout"), ReplicaSet, Denied) },
        { "an ownerReference changed: needs approval", Update(OwnedBy(ReplicaSet, "Deployment", "checkout"), OwnedBy(ReplicaSet, "Deployment", "other"), Denied) },
        { "an ownerReference changed, with an approval: approved", Update(Deploy, OwnedBy(Deploy, "ConfigMap", "x"), Approved, approvals: [For(Deploy)]) },
        { "ownerReferences unchanged, labels changed: no approval needed", Update(OwnedBy(ReplicaSet, "Deployment", "checkout"), OwnedBy(ReplicaSet, "Deployment", "checkout").WithAnnotation("a", "b"), NoApprovalNeeded) },

        // kubectl rollout restart (allowRestarts).
        { "rollout restart of a Deployment: no approval needed", Update(Deploy, Restarted(Deploy, "2026-03-06T11:00:00Z"), NoApprovalNeeded) },
        { "a second restart: no approval needed", Update(Restarted(Deploy, "2026-03-06T11:00:00Z"), Restarted(Deploy, "2026-03-06T11:30:00Z"), NoApprovalNeeded) },
        { "rollout restart of a CronJob's job template: no approval needed", Update(CronJob, Restarted(CronJob, "2026-03-06T11:00:00Z"), NoApprovalNeeded) },
        { "rollout restart with allowRestarts false: needs approval", Update(Deploy, Restarted(Deploy, "2026-03-06T11:00:00Z"), Denied, policy: NoRestarts) },
        { "a restart together with a new image: needs approval", Update(Deploy, Restarted(Deploy with { Images = [Evil] }, "2026-03-06T11:00:00Z"), Denied) },
        { "another pod template annotation: needs approval", Update(Deploy, Deploy with { TemplateAnnotations = new Dictionary<string, string> { ["sidecar.istio.io/inject"] = "false" } }, Denied) },
        { "a restart next to an existing template annotation: no approval needed", Update(Deploy with { TemplateAnnotations = new Dictionary<string, string> { ["x"] = "1" } }, Restarted(Deploy with { TemplateAnnotations = new Dictionary<string, string> { ["x"] = "1" } }, "t"), NoApprovalNeeded) },

        // Subresources (contract 2.2).
        { "pods/exec by a developer: denied", Sub("exec", Operation.Connect, Dev, Denied) },
        { "pods/attach by a developer: denied", Sub("attach", Operation.Connect, Dev, Denied) },
        { "pods/portforward by a developer: denied", Sub("portforward", Operation.Connect, Dev, Denied) },
        { "pods/ephemeralcontainers (kubectl debug) by a developer: denied", Sub("ephemeralcontainers", Operation.Update, Dev, Denied, obj: (Pod with { EphemeralImages = ["busybox"] }).ToJson(), old: Pod.ToJson()) },
        { "pods/exec by a break-glass member: break-glass, with a warning", Sub("exec", Operation.Connect, Oncall, BreakGlass) },
        { "pods/ephemeralcontainers by a break-glass member: break-glass", Sub("ephemeralcontainers", Operation.Update, Oncall, BreakGlass, obj: (Pod with { EphemeralImages = ["busybox"] }).ToJson(), old: Pod.ToJson()) },
        { "pods/exec by an exempt user: exempt", Sub("exec", Operation.Connect, Dev, Exempt, ExemptDev) },
        { "pods/exec by a trusted controller: denied (controllers do not exec)", Sub("exec", Operation.Connect, ReplicaSetController, Denied) },
        { "interactiveAccess deny: a break-glass member is denied", Sub("exec", Operation.Connect, Oncall, Denied, InteractiveDeny) },
        { "interactiveAccess deny: an exempt user may", Sub("exec", Operation.Connect, Dev, Exempt, InteractiveDeny with { ExemptUsers = Set(Deployer.Username) }) },
        { "interactiveAccess allow: anyone may", Sub("exec", Operation.Connect, Dev, NoApprovalNeeded, InteractiveAllow) },
        { "pods/exec outside Tier-1: not guarded", Sub("exec", Operation.Connect, Dev, NotGuarded, ns: Plain) },
        { "pods/proxy (a CONNECT the chart does not register): interactive, denied", Sub("proxy", Operation.Connect, Dev, Denied) },
        { "pods/eviction: not guarded", Sub("eviction", Operation.Create, Dev, NotGuarded) },
        { "pods/binding: not guarded", Sub("binding", Operation.Create, Dev, NotGuarded) },
        { "pods/status: not guarded", Sub("status", Operation.Update, Dev, NotGuarded, obj: Resized("4"), old: Pod.ToJson()) },
        { "pods/resize changing resources: needs approval", Sub("resize", Operation.Update, Dev, Denied, obj: Resized("4"), old: Pod.ToJson()) },
        { "pods/resize changing nothing: no approval needed", Sub("resize", Operation.Update, Dev, NoApprovalNeeded, obj: Pod.ToJson(), old: Pod.ToJson()) },
        { "an unknown new subresource changing the spec: needs approval", new(PodSub("tune", Operation.Update, Dev, obj: Resized("4"), old: Pod.ToJson(), kind: "Pod"), Context(), Denied) },
        { "an unknown subresource CREATE (no old object): needs approval", new(PodSub("tune", Operation.Create, Dev, obj: Pod.ToJson(), kind: "Pod"), Context(), Denied) },

        // Break glass bound to the change (step 4).
        { "a second member rides on last week's reason: denied", Update(Deploy.WithBreakGlass("INC-1 last week"), (Deploy with { Images = [Evil] }).WithBreakGlass("INC-1 last week"), Denied, Oncall2, message: "set by an earlier change") },
        { "the same reason with other white space is not new: denied", Update(Deploy.WithBreakGlass("INC-1"), (Deploy with { Images = [Evil] }).WithBreakGlass(" INC-1 "), Denied, Oncall2) },
        { "a new reason set by this request: break-glass", Update(Deploy.WithBreakGlass("INC-1 last week"), (Deploy with { Images = [Evil] }).WithBreakGlass("INC-2 today"), BreakGlass, Oncall2) },
        { "a reason of white space: denied", Create((Deploy with { Images = [Evil] }).WithBreakGlass("   "), Denied, Oncall) },
        { "a reason of invisible characters (U+200B): denied", Create((Deploy with { Images = [Evil] }).WithBreakGlass("\u200B\u200B"), Denied, Oncall, message: "no visible characters") },
        { "DELETE: the deleted object's reason counts", Delete(Deploy.WithBreakGlass("INC-3"), BreakGlass, Oncall) },
        { "DELETE: an invisible reason on the deleted object does not count", Delete(Deploy.WithBreakGlass("\u2060"), Denied, Oncall) },

        // Inconsistent requests are never allowed (contract 2.1).
        { "a guarded resource whose kind says ConfigMap: denied", new(Requests.Create(Deploy) with { Kind = "ConfigMap" }, Context(), Denied, MessageContains: "serves Deployment") },
        { "request namespace sandbox, object in payments: denied", new(Requests.Create(Deploy) with { Namespace = Plain }, Context(), Denied, MessageContains: "metadata.namespace") },
        { "request name other, object checkout: denied", new(Requests.Create(Deploy) with { Name = "other" }, Context(), Denied, MessageContains: "metadata.name") },
        { "no username, only groups: denied", new(Requests.Create(Deploy, User("", "system:masters")), Context(), Denied, MessageContains: "username") },
        { "an unguarded ConfigMap request in sandbox whose object is in payments: denied", new(Requests.Create(Deploy with { Group = "", Kind = "ConfigMap" }) with { Namespace = Plain }, Context(), Denied, MessageContains: "metadata.namespace") },
        { "an unguarded ConfigMap request naming another object: denied", new(Requests.Create(Deploy with { Group = "", Kind = "ConfigMap" }) with { Name = "other" }, Context(), Denied, MessageContains: "metadata.name") },
        { "an unguarded ConfigMap whose metadata agrees: not guarded", new(Requests.Create(Deploy with { Group = "", Kind = "ConfigMap" }), Context(), NotGuarded) },
        { "a Deployment whose metadata is a list: denied", new(Requests.Create(Deploy) with { Object = System.Text.Json.JsonDocument.Parse("""{"kind":"Deployment","metadata":[]}""").RootElement }, Context(), Denied, MessageContains: "metadata is a JSON Array") },
        { "an unguarded ConfigMap whose metadata is a string: denied", new(Requests.Create(Deploy with { Group = "", Kind = "ConfigMap" }) with { Object = System.Text.Json.JsonDocument.Parse("""{"kind":"ConfigMap","metadata":"x"}""").RootElement }, Context(), Denied, MessageContains: "metadata is a JSON String") },
        { "a Namespace UPDATE without oldObject: denied", new(Requests.Namespace(Operation.Update, Tier1, null, new Dictionary<string, string>(), Admin), Context(), Denied, MessageContains: "oldObject") },

        // Persons counting approvals.
        { "approved by alice and Alice: one person, denied", Create(Deploy, Denied, approvals: [new Approval { Name = "ok" }.ApprovedBy("alice", "Alice")], message: "1 of 2 approvals") },
        { "approved by alice and cаrol (carol's request): denied", Create(Deploy, Denied, approvals: [new Approval { Name = "ok" }.ApprovedBy("alice", "c\u0430rol")], message: "1 of 2 approvals") },
        { "approved by alice and bob: approved", Create(Deploy, Approved, approvals: [new Approval { Name = "ok" }.ApprovedBy("alice", "bob")]) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Rule(string name) => Cases[name].Verify();

    [Fact]
    public void Break_glass_exec_warns_and_says_what_was_done()
    {
        var d = AdmissionEngine.Decide(PodSub("exec", Operation.Connect, Oncall), Context());
        Assert.Equal(BreakGlass, d.Code);
        Assert.Contains($"exec into Pod payments/{Pod.Name} by olga", Assert.Single(d.Warnings), StringComparison.Ordinal);
    }
}
