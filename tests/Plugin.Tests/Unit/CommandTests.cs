using Admission.Kubernetes;
namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// The commands against an in-memory cluster whose ChangeApproval writes are guarded by the real
/// engine: what each prints, what it writes, and every way it can fail.
/// </summary>
public class CommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);
    private const string Name = "checkout-x7k2q";

    private static FakeCluster Cluster()
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        cluster.AddNamespace("dev");
        cluster.Put(new ApiResource("apps", "v1", "deployments"), "payments", Deployment("registry.example.com/checkout:2.4.0"));
        return cluster;
    }

    private static JsonObject Deployment(string image) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "checkout" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 2,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image }) } },
        },
    };

    private static async Task<FakeCluster> RequestedAsync(string requester = "carol", params string[] extra)
    {
        var cluster = Cluster();
        var result = await Run.RunAsync(cluster, requester, ["request", "deployment/checkout", "--reason", "Roll out 2.4.1", .. extra]);
        Assert.True(result.Exit == 0, result.ToString());
        return cluster;
    }

    /// <summary>carol's request (with <paramref name="extra"/> options), approved by alice and bob.</summary>
    private static async Task<FakeCluster> ApprovedAsync(params string[] extra)
    {
        var cluster = await RequestedAsync("carol", extra);
        foreach (var approver in new[] { "alice", "bob" })
        {
            var approved = await Run.RunAsync(cluster, approver, "approve", Name);
            Assert.True(approved.Exit == 0, approved.ToString());
        }
        return cluster;
    }

    private static void Contains(string expected, string actual) => Assert.Contains(expected, actual, StringComparison.Ordinal);

    [Fact]
    public async Task Request_creates_a_change_approval_in_the_callers_name_and_says_what_next()
    {
        var cluster = Cluster();
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "--reason", "Roll out 2.4.1", "--ticket", "CHG-12345",
            "--image", "registry.example.com/checkout:2.4.1");
        Assert.Equal(0, result.Exit);
        Assert.Equal(
            $"changeapproval.approvals.admission.dev/{Name} created\n" +
            "It covers CREATE, UPDATE of Deployment payments/checkout with images registry.example.com/checkout:2.4.1, valid until 2026-03-07T09:00:00Z (in 24h).\n" +
            "Next: 2 people other than carol, each in the group tier1-approvers, must approve it. Each of them runs:\n" +
            $"  kubectl change approve {Name} -n payments\n" +
            $"Follow it with: kubectl change show {Name} -n payments\n", result.Out);
        var spec = cluster.Approval("payments", Name)!["spec"]!;
        Assert.Equal("carol", spec["requestedBy"]!.GetValue<string>());
        Assert.Equal("2026-03-07T09:00:00Z", spec["expiresAt"]!.GetValue<string>());
        Assert.Equal("CHG-12345", spec["ticket"]!.GetValue<string>());
        Assert.Empty(spec["approvals"]!.AsArray());
        Assert.Equal("""{"apiGroup":"apps","kind":"Deployment","name":"checkout"}""", spec["target"]!.ToJsonString());
    }

    [Fact]
    public async Task Request_takes_images_from_the_manifest()
    {
        var dir = Directory.CreateTempSubdirectory("plugin-cmd-");
        try
        {
            var file = Path.Combine(dir.FullName, "checkout.yaml");
            File.WriteAllText(file, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: \"registry.example.com/checkout:2.4.1\"}]\n");
            var cluster = Cluster();
            var result = await Run.RunAsync(cluster, "carol", "request", "deploy/checkout", "--reason", "r", "--from-file", file, "--image", "extra:1", "--name", "mine");
            Assert.Equal(0, result.Exit);
            Assert.Equal("""["extra:1","registry.example.com/checkout:2.4.1"]""", cluster.Approval("payments", "mine")!["spec"]!["images"]!.ToJsonString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_taken_generated_name_is_drawn_again_but_a_chosen_one_is_reported()
    {
        var cluster = await RequestedAsync();
        var again = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "--reason", "again", "--name", Name);
        Assert.Equal(1, again.Exit);
        Assert.Equal($"error: changeapproval {Name} already exists in namespace payments; choose another --name.\n", again.Err);
    }

    [Fact]
    public async Task Two_approvals_make_it_valid_and_each_approver_sees_where_it_stands()
    {
        var cluster = await RequestedAsync();
        var alice = await Run.RunAsync(cluster, "alice", "approve", Name, "--comment", "checked the canary");
        Assert.Equal(0, alice.Exit);
        Assert.Equal(
            $"changeapproval.approvals.admission.dev/{Name} approved by alice\n" +
            "Now 1 of 2 approvals (alice); it still lacks: 1 of 2 approvals (alice), needs 1 more from someone other than carol.\n", alice.Out);
        cluster.Clock.Advance(TimeSpan.FromMinutes(3));
        var bob = await Run.RunAsync(cluster, "bob", "approve", Name);
        Assert.Equal(0, bob.Exit);
        Assert.Equal(
            $"changeapproval.approvals.admission.dev/{Name} approved by bob\n" +
            "Now 2 of 2 approvals (alice, bob): CREATE, UPDATE of Deployment payments/checkout will be admitted until 2026-03-07T09:00:00Z (in 23h).\n", bob.Out);
        var entries = cluster.Approval("payments", Name)!["spec"]!["approvals"]!.AsArray();
        Assert.Equal("""{"approver":"alice","approvedAt":"2026-03-06T09:00:00Z","comment":"checked the canary"}""", entries[0]!.ToJsonString());
        Assert.Equal("""{"approver":"bob","approvedAt":"2026-03-06T09:03:00Z"}""", entries[1]!.ToJsonString());
    }

    [Fact]
    public async Task A_write_that_loses_a_race_is_redone_on_a_fresh_read()
    {
        var cluster = await RequestedAsync();
        cluster.ConflictsToInject = 2;
        var result = await Run.RunAsync(cluster, "alice", "approve", Name);
        Assert.Equal(0, result.Exit);
        Assert.Equal(3, cluster.Calls.Count(c => c.StartsWith("alice: replace", StringComparison.Ordinal)));
        Assert.Single(cluster.Approval("payments", Name)!["spec"]!["approvals"]!.AsArray());

        cluster.ConflictsToInject = 10;
        var lost = await Run.RunAsync(cluster, "bob", "approve", Name);
        Assert.Equal(1, lost.Exit);
        Assert.Equal($"error: changeapproval {Name} in namespace payments kept changing while you were writing (5 attempts); run the command again.\n", lost.Err);
    }

    [Fact]
    public async Task Withdraw_removes_only_the_callers_own_entry()
    {
        var cluster = await ApprovedAsync();
        var result = await Run.RunAsync(cluster, "bob", "withdraw", Name);
        Assert.Equal(0, result.Exit);
        Assert.Equal(
            $"changeapproval.approvals.admission.dev/{Name}: approval by bob withdrawn\n" +
            "Now 1 of 2 approvals (alice); it still lacks: 1 of 2 approvals (alice), needs 1 more from someone other than carol. Deployment payments/checkout cannot be changed with it.\n",
            result.Out);
        Assert.Equal("alice", cluster.Approval("payments", Name)!["spec"]!["approvals"]![0]!["approver"]!.GetValue<string>());

        var nothing = await Run.RunAsync(cluster, "dave", "withdraw", Name);
        Assert.Equal(1, nothing.Exit);
        Assert.Equal($"error: you (dave) have not approved changeapproval {Name} in namespace payments; there is nothing to withdraw.\n", nothing.Err);
    }

    // Every refusal the webhook gives an approver, in the words the plugin prints.

    /// <summary>
    /// <paramref name="user"/> approves and the webhook refuses: exit 1, and standard error is
    /// exactly the refusal with the webhook's reason <paramref name="why"/>.
    /// </summary>
    private static async Task<Run.Result> ApproveRefusedAsync(FakeCluster cluster, string user, string why, Dictionary<string, string>? env = null)
    {
        var result = await Run.RunAsync(cluster, user, env, "approve", Name);
        Assert.Equal(1, result.Exit);
        Assert.Equal($"error: approving changeapproval {Name} in namespace payments was refused by the admission webhook: {why} Nothing was changed.\n", result.Err);
        return result;
    }

    [Fact]
    public async Task Refused_own_request()
    {
        var cluster = await RequestedAsync("alice");
        var result = await ApproveRefusedAsync(cluster, "alice",
            "you (alice) requested this change yourself, and nobody may approve their own request; " +
            $"ask an approver to run `kubectl change approve {Name} -n payments`.");
        Assert.Empty(result.Out);
        Assert.Empty(cluster.Approval("payments", Name)!["spec"]!["approvals"]!.AsArray());
    }

    [Fact]
    public async Task Refused_not_an_approver() => await ApproveRefusedAsync(await RequestedAsync(), "dave",
        "you (dave) are not an approver: only members of tier1-approvers may approve, and your groups are developers.");

    [Fact]
    public async Task Refused_own_request_and_not_an_approver_says_both()
    {
        var cluster = await RequestedAsync();
        var result = await Run.RunAsync(cluster, "carol", "approve", Name);
        Assert.Equal(1, result.Exit);
        Contains("you (carol) requested this change yourself", result.Err);
        Contains("you (carol) are not an approver", result.Err);
        Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Refused_expired()
    {
        var cluster = await RequestedAsync("carol", "--expires-in", "1h");
        cluster.Clock.Advance(TimeSpan.FromMinutes(65));
        await ApproveRefusedAsync(cluster, "alice", "it expired at 2026-03-06T10:00:00Z (5m ago) and can no longer be approved; carol must request a new one.");
    }

    [Fact]
    public async Task Refused_already_approved()
    {
        var cluster = await RequestedAsync();
        Assert.Equal(0, (await Run.RunAsync(cluster, "alice", "approve", Name)).Exit);
        await ApproveRefusedAsync(cluster, "alice", "you (alice) have already approved it, and each approver counts once.");
        Assert.Single(cluster.Approval("payments", Name)!["spec"]!["approvals"]!.AsArray());
    }

    [Fact]
    public async Task Refused_forged_entry() => await ApproveRefusedAsync(await RequestedAsync(), "bob",
        "the new entry names alice as the approver, but that is not the username the API server knows you by, and an approval can only be added " +
        "in your own name (KUBECTL_CHANGE_USER is set to \"alice\"; unset it).",
        new Dictionary<string, string> { ["KUBECTL_CHANGE_USER"] = "alice" });

    [Fact]
    public async Task Refused_clock_skew()
    {
        var cluster = await RequestedAsync();
        cluster.ServerSkew = TimeSpan.FromMinutes(10);
        await ApproveRefusedAsync(cluster, "alice",
            "the approval time 2026-03-06T09:00:00Z taken from this computer's clock is more than 5 minutes away from the API server's clock; " +
            "correct this computer's clock and try again.");
    }

    [Fact]
    public async Task Refused_request_in_someone_elses_name()
    {
        var cluster = Cluster();
        var env = new Dictionary<string, string> { ["KUBECTL_CHANGE_USER"] = "alice" };
        var result = await Run.RunAsync(cluster, "carol", env, "request", "deployment/checkout", "--reason", "r");
        Assert.Equal(1, result.Exit);
        Assert.Equal(
            $"error: creating changeapproval {Name} in namespace payments was refused by the admission webhook: the request names alice as requester, but that is not " +
            "the username the API server knows you by, and a change can only be requested in your own name (KUBECTL_CHANGE_USER is set to \"alice\"; unset it). Nothing was changed.\n", result.Err);
    }

    [Fact]
    public async Task Refused_request_longer_than_max_validity()
    {
        var result = await Run.RunAsync(Cluster(), "carol", "request", "deployment/checkout", "--reason", "r", "--expires-in", "8d");
        Assert.Equal(1, result.Exit);
        Contains("it would stay valid for longer than the policy allows (maxValidity 168h); use a shorter --expires-in.", result.Err);
    }

    [Fact]
    public async Task Refused_request_without_the_ticket_the_policy_requires()
    {
        var cluster = Cluster();
        cluster.Policy = PolicyParser.Parse("ticketPattern: CHG-[0-9]+\nrequireExactChange: false", "policy.yaml");
        var result = await Run.RunAsync(cluster, "carol", "--policy-configmap", "none/none", "request", "deployment/checkout", "--reason", "r");
        Assert.Equal(1, result.Exit);
        // The plugin could not read the cluster's policy, so the pattern is quoted from the webhook.
        Contains("the policy requires a ticket (the webhook says: spec.ticket: is required and must match CHG-[0-9]+); pass --ticket.", result.Err);
    }

    [Fact]
    public async Task List_shows_phase_approvals_and_expiry_computed_now()
    {
        var cluster = await RequestedAsync();
        await Run.RunAsync(cluster, "alice", "approve", Name);
        cluster.Clock.Advance(TimeSpan.FromMinutes(48));
        var result = await Run.RunAsync(cluster, "carol", "list");
        Assert.Equal(0, result.Exit);
        Assert.Equal(
            "NAME             TARGET                PHASE     APPROVALS     EXPIRES   AGE\n" +
            $"{Name}   Deployment/checkout   Pending   1/2 (alice)   23h       48m\n", result.Out);
        var all = await Run.RunAsync(cluster, "carol", "list", "-A");
        Assert.StartsWith("NAMESPACE   NAME", all.Out, StringComparison.Ordinal);
        var empty = await Run.RunAsync(cluster, "carol", "list", "-n", "dev");
        Assert.Equal((0, "", "No resources found in dev namespace.\n"), (empty.Exit, empty.Out, empty.Err));
    }

    [Fact]
    public async Task List_and_show_print_yaml_or_json()
    {
        var cluster = await RequestedAsync();
        var json = await Run.RunAsync(cluster, "carol", "list", "-o", "json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal("List", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal(Name, doc.RootElement.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString());
        Contains("\n    \"items\": [", json.Out);
        var yaml = await Run.RunAsync(cluster, "carol", "show", Name, "-o", "yaml");
        Assert.StartsWith("apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\n", yaml.Out, StringComparison.Ordinal);
        Contains("  requestedBy: carol\n", yaml.Out);
        Contains("  expiresAt: \"2026-03-07T09:00:00Z\"\n", yaml.Out);
    }

    [Fact]
    public async Task Show_details_every_approval_and_what_is_missing()
    {
        var cluster = await RequestedAsync("carol", "--ticket", "CHG-12345", "--image", "registry.example.com/checkout:2.4.1");
        cluster.Clock.Advance(TimeSpan.FromMinutes(12));
        await Run.RunAsync(cluster, "alice", "approve", Name, "--comment", "checked the canary");
        cluster.Clock.Advance(TimeSpan.FromMinutes(3));
        var result = await Run.RunAsync(cluster, "carol", "show", Name);
        Assert.Equal(0, result.Exit);
        Assert.Equal(
            $"Name:         {Name}\n" +
            "Namespace:    payments\n" +
            "Target:       Deployment checkout (apiGroup: apps)\n" +
            "Operations:   CREATE, UPDATE\n" +
            "Images:       registry.example.com/checkout:2.4.1\n" +
            "Reason:       Roll out 2.4.1\n" +
            "Ticket:       CHG-12345\n" +
            "Requested by: carol, 2026-03-06T09:00:00Z (15m ago)\n" +
            "Valid:        from its creation until 2026-03-07T09:00:00Z (in 23h)\n" +
            "Phase:        Pending (no status yet)\n" +
            "Approvals:    1 of 2 needed\n" +
            "  APPROVER   APPROVED                        COMMENT\n" +
            "  alice      2026-03-06T09:12:00Z (3m ago)   checked the canary\n" +
            "Lacks:\n" +
            "  - 1 of 2 approvals (alice), needs 1 more from someone other than carol\n" +
            $"Approve with: kubectl change approve {Name} -n payments   (approvers: tier1-approvers; not carol)\n" +
            "Policy:       ConfigMap admission-system/admission-policy (policy.yaml)\n", result.Out);
    }

    [Fact]
    public async Task Show_of_a_valid_approval_says_it_lacks_nothing()
    {
        var cluster = await ApprovedAsync();
        var result = await Run.RunAsync(cluster, "carol", "show", Name);
        Contains("Phase:        Approved (no status yet)\n", result.Out);
        Contains("Lacks:        nothing; CREATE, UPDATE of Deployment payments/checkout is admitted until 2026-03-07T09:00:00Z.\n", result.Out);
    }

    [Fact]
    public async Task Policy_comes_from_the_clusters_config_map()
    {
        var cluster = await RequestedAsync();
        cluster.Put(ApiResource.ConfigMaps, "admission-system", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "admission-policy" },
            ["data"] = new JsonObject { ["policy.yaml"] = "requiredApprovals: 3\napproverGroups: [sre]\nrequireExactChange: false\n" },
        });
        var result = await Run.RunAsync(cluster, "carol", "show", Name);
        Contains("Approvals:    0 of 3 needed, none yet\n", result.Out);
        Contains("(approvers: sre; not carol)", result.Out);
        Contains("Policy:       ConfigMap admission-system/admission-policy (policy.yaml)\n", result.Out);
    }

    [Fact]
    public async Task Why_explains_a_denial_with_the_engines_message()
    {
        var cluster = Cluster();
        var result = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout");
        Assert.Equal(1, result.Exit);
        Assert.Equal(
            "UPDATE of Deployment payments/checkout by carol would be DENIED now (2026-03-06T09:00:00Z).\n" +
            "namespace payments is Tier-1: UPDATE of Deployment payments/checkout needs a ChangeApproval approved by 2 people other than its requester. " +
            "No ChangeApproval in payments targets Deployment checkout.\n" +
            "Request one: kubectl change request deployment/checkout -n payments --reason \"<why>\"\n" +
            "Reason codes: NoChangeApproval\n" +
            "\n" +
            "Asked about: a change of the live object's spec that keeps its images (pass -f MANIFEST to ask about a specific change).\n" +
            "Policy: ConfigMap admission-system/admission-policy (policy.yaml).\n", result.Out);
    }

    [Fact]
    public async Task Why_lists_what_each_approval_lacks_and_which_one_admits()
    {
        var cluster = await RequestedAsync("carol", "--name", "old", "--expires-in", "1h");
        await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "--reason", "r", "--name", "new");
        await Run.RunAsync(cluster, "alice", "approve", "new");
        var denied = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout");
        Assert.Equal(1, denied.Exit);
        Contains("- ChangeApproval new: 1 of 2 approvals (alice), needs 1 more from someone other than carol.\n", denied.Out);
        Contains("- ChangeApproval old: 0 of 2 approvals, needs 2 more from someone other than carol.\n", denied.Out);
        Contains("Or request a new one:", denied.Out);

        await Run.RunAsync(cluster, "bob", "approve", "new");
        cluster.Clock.Advance(TimeSpan.FromHours(2));
        var allowed = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout");
        Assert.Equal(0, allowed.Exit);
        Contains("UPDATE of Deployment payments/checkout by carol would be ALLOWED (approved) now (2026-03-06T11:00:00Z).\n", allowed.Out);
        Contains("approved by alice, bob in ChangeApproval payments/new\n", allowed.Out);
        Contains("- new: admits this change until 2026-03-07T09:00:00Z (in 22h)\n", allowed.Out);
        Contains("- old: 0 of 2 approvals, needs 2 more from someone other than carol; expired at 2026-03-06T10:00:00Z\n", allowed.Out);
    }

    [Fact]
    public async Task Why_with_a_manifest_checks_its_images()
    {
        var dir = Directory.CreateTempSubdirectory("plugin-cmd-");
        try
        {
            var cluster = await ApprovedAsync("--image", "registry.example.com/checkout:2.4.1");
            var file = Path.Combine(dir.FullName, "checkout.yaml");
            File.WriteAllText(file, Deployment("registry.example.com/checkout:2.4.2").ToJsonString());
            var result = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout", "-f", file);
            Assert.Equal(1, result.Exit);
            Contains($"- ChangeApproval {Name}: image registry.example.com/checkout:2.4.2 is not approved (approved: registry.example.com/checkout:2.4.1).\n", result.Out);
            Contains($"Asked about: {file} compared with the live object (as the API server would store it, from a dry run).\n", result.Out);
            Contains($"Reason codes: {Name}=ImageNotApproved\n", result.Out);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Why_outside_tier1_is_not_guarded()
    {
        var cluster = Cluster();
        cluster.Put(new ApiResource("apps", "v1", "deployments"), "dev", Deployment("x:1"));
        var result = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout", "-n", "dev");
        Assert.Equal(0, result.Exit);
        Contains("would be ALLOWED (not-guarded) now", result.Out);
        Contains("namespace dev is not Tier-1\n", result.Out);
    }

    [Fact]
    public async Task Why_of_a_missing_workload_asks_for_a_manifest()
    {
        var result = await Run.RunAsync(Cluster(), "carol", "why", "sts/nope");
        Assert.Equal(2, result.Exit);
        Contains("error: StatefulSet payments/nope does not exist; pass -f MANIFEST to ask about creating it", result.Err);
    }

    // API errors other than webhook refusals.

    [Fact]
    public async Task Not_found_says_where_it_looked()
    {
        var result = await Run.RunAsync(Cluster(), "alice", "approve", "nope");
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: changeapproval \"nope\" not found in namespace payments; list them with: kubectl change list -n payments\n", result.Err);
    }

    [Fact]
    public async Task Unreachable_server_is_one_line_without_a_stack_trace()
    {
        var result = await RunWhileEverythingFails(new ClusterUnreachableException("cannot reach the API server at https://fake.example:6443: connection refused"), "carol", "list");
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: cannot reach the API server at https://fake.example:6443: connection refused (context fake). Is the cluster up, and is your kubeconfig current?\n", result.Err);
    }

    [Fact]
    public async Task Unauthorized_says_to_log_in_again()
    {
        var result = await RunWhileEverythingFails(new KubernetesApiException(401, "Unauthorized", "Unauthorized"), "carol", "approve", Name);
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: the API server at https://fake.example:6443 did not accept your credentials (401 Unauthorized, context fake); log in again or fix the user in your kubeconfig.\n", result.Err);
    }

    [Fact]
    public async Task Missing_crd_says_admission_is_not_installed()
    {
        var result = await RunWhileEverythingFails(new KubernetesApiException(404, "NotFound", "the server could not find the requested resource"), "carol", "list");
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: the cluster does not serve this resource (the server could not find the requested resource); is Admission installed, with the ChangeApproval CRD?\n", result.Err);
    }

    [Fact]
    public async Task Rbac_forbidden_is_not_mistaken_for_the_webhook()
    {
        var result = await RunWhileEverythingFails(new KubernetesApiException(403, "Forbidden",
            "changeapprovals.approvals.admission.dev \"x\" is forbidden: User \"dave\" cannot update resource \"changeapprovals\" in API group \"approvals.admission.dev\" in the namespace \"payments\""), "dave", "approve", "x");
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: the cluster does not allow this (403 Forbidden): changeapprovals.approvals.admission.dev \"x\" is forbidden: User \"dave\" cannot update", result.Err, StringComparison.Ordinal);
        Assert.EndsWith(". Ask your cluster administrator for access.\n", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_without_self_subject_review_asks_for_the_username()
    {
        var cluster = Cluster();
        cluster.FailWhoAmI = new KubernetesApiException(404, "NotFound", "the server could not find the requested resource");
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "--reason", "r");
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: the API server did not say who you are (SelfSubjectReview: 404 NotFound; it needs Kubernetes 1.28 or later); " +
                     "set KUBECTL_CHANGE_USER to your username and try again.\n", result.Err);
        var env = new Dictionary<string, string> { ["KUBECTL_CHANGE_USER"] = "carol" };
        var withName = await Run.RunAsync(cluster, "carol", env, "request", "deployment/checkout", "--reason", "r");
        Assert.Equal(0, withName.Exit);
        Assert.Equal("carol", cluster.Approval("payments", Name)!["spec"]!["requestedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_unreachable_says_the_gate_fails_closed()
    {
        var result = await RunWhileEverythingFails(new KubernetesApiException(500, "InternalError",
            "Internal error occurred: failed calling webhook \"changeapprovals.approvals.admission.dev\": connection refused"), "carol", "list");
        Contains("error: the admission webhook could not be reached, so nothing was changed (the gate fails closed)", result.Err);
    }

    /// <summary>The command run against a cluster on which every call throws <paramref name="failure"/>.</summary>
    private static Task<Run.Result> RunWhileEverythingFails(Exception failure, string user, params string[] args)
    {
        var cluster = Cluster();
        cluster.FailEverything = failure;
        return Run.RunAsync(cluster, user, args);
    }
}
