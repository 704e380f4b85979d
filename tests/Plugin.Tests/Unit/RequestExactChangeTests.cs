using Admission.Policies.Digest;

namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// <c>request -f MANIFEST</c> (contract 2.5 and 8): previews the manifest, records the change
/// digest (and base) the webhook answered and the manifest, and prints the difference asked for.
/// </summary>
public sealed class RequestExactChangeTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly ApiResource Deployments = new("apps", "v1", "deployments");
    private readonly string _dir = Directory.CreateTempSubdirectory("plugin-exact-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonObject Deployment(string image, params (string Name, string Value)[] env)
    {
        var container = new JsonObject { ["name"] = "app", ["image"] = image };
        if (env.Length > 0) container["env"] = new JsonArray([.. env.Select(e => (JsonNode)new JsonObject { ["name"] = e.Name, ["value"] = e.Value })]);
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "checkout" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(container) } },
            },
        };
    }

    private static FakeCluster Cluster(bool live = true)
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        cluster.PublishPolicy("requireExactChange: true\n");
        if (live) cluster.Put(Deployments, "payments", Deployment("registry.example.com/checkout:2.4.0"));
        return cluster;
    }

    private string Manifest(JsonObject obj, string name = "checkout.yaml")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, YamlWriter.Write(JsonSerializer.SerializeToElement(obj)));
        return path;
    }

    private static string Digest(JsonObject obj) => ChangeDigest.Of(JsonSerializer.SerializeToElement(obj), AdmissionPolicy.Default);

    private static void Shows(string expected, string output) => Assert.True(output.Contains(expected, StringComparison.Ordinal), $"missing {expected}in:\n{output}");

    private static JsonObject Stored(FakeCluster cluster) =>
        Assert.Single(new[] { cluster.Approval("payments", "checkout-x") }.OfType<JsonObject>());

    [Fact]
    public async Task An_update_records_digest_base_and_manifest_and_prints_the_difference()
    {
        var cluster = Cluster();
        var wanted = Deployment("registry.example.com/checkout:2.4.1", ("MODE", "fast"));
        var path = Manifest(wanted);
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", path, "--reason", "Roll out 2.4.1", "--name", "checkout-x");
        Assert.True(result.Exit == 0, result.ToString());

        var change = Stored(cluster)["spec"]!["change"]!;
        Assert.Equal(Digest(wanted), change["digest"]!.ToString());
        Assert.Equal(Digest(Deployment("registry.example.com/checkout:2.4.0")), change["base"]!.ToString());
        Assert.Equal("registry.example.com/checkout:2.4.1", change["manifest"]!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.ToString());
        Assert.Null(change["manifest"]!["metadata"]!["annotations"]); // the preview annotation is not recorded
        Assert.Equal(["UPDATE"], Stored(cluster)["spec"]!["operations"]!.AsArray().Select(o => o!.ToString()));

        Assert.Contains($"It binds the exact change: UPDATE of deployment/checkout from {change["base"]} to {change["digest"]}.", result.Out, StringComparison.Ordinal);
        Shows("-       - image: registry.example.com/checkout:2.4.0\n", result.Out);
        Shows("+         image: registry.example.com/checkout:2.4.1\n", result.Out);
        Shows("+           value: fast\n", result.Out);
        Assert.Contains("carol: dry-run replace deployments.apps payments/checkout", cluster.Calls);
    }

    [Fact]
    public async Task A_new_object_is_a_CREATE_with_no_base()
    {
        var cluster = Cluster(live: false);
        var wanted = Deployment("registry.example.com/checkout:2.4.1");
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", Manifest(wanted), "--reason", "new", "--name", "checkout-x");
        Assert.True(result.Exit == 0, result.ToString());
        var change = Stored(cluster)["spec"]!["change"]!;
        Assert.Equal(Digest(wanted), change["digest"]!.ToString());
        Assert.Null(change["base"]);
        Assert.Equal(["CREATE"], Stored(cluster)["spec"]!["operations"]!.AsArray().Select(o => o!.ToString()));
        Assert.Contains("The object it creates", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_a_mutating_webhook_adds_is_part_of_the_digest()
    {
        var cluster = Cluster();
        cluster.Mutate = o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "IfNotPresent";
        var wanted = Deployment("registry.example.com/checkout:2.4.1");
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", Manifest(wanted), "--reason", "r", "--name", "checkout-x");
        Assert.True(result.Exit == 0, result.ToString());
        var stored = (JsonObject)wanted.DeepClone();
        stored["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "IfNotPresent";
        Assert.Equal(Digest(stored), Stored(cluster)["spec"]!["change"]!["digest"]!.ToString());
        Shows("+         imagePullPolicy: IfNotPresent\n", result.Out);
    }

    [Fact]
    public async Task Without_f_while_the_policy_requires_exact_changes_it_says_to_pass_f()
    {
        var cluster = Cluster();
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "--reason", "r");
        Assert.Equal(2, result.Exit);
        Assert.Contains("sets requireExactChange (the default)", result.Err, StringComparison.Ordinal);
        Assert.Contains("kubectl change request deployment/checkout -f MANIFEST --reason", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Calls, c => c.Contains(": create ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("the manifest holds another object", "other", "payments", "holds no Deployment named checkout (it holds: Deployment other)")]
    [InlineData("the manifest is for another namespace", "checkout", "dev", "Deployment checkout is for namespace dev, not payments; pass -n dev")]
    public async Task A_manifest_that_does_not_fit_is_a_usage_error_naming_the_file(string what, string objectName, string ns, string expected)
    {
        var cluster = Cluster();
        var obj = Deployment("registry.example.com/checkout:2.4.1");
        obj["metadata"]!["name"] = objectName;
        obj["metadata"]!["namespace"] = ns;
        var path = Manifest(obj);
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", path, "--reason", "r");
        Assert.True(result.Exit == 2, $"{what}: {result}");
        Assert.Contains($"-f {path}", result.Err, StringComparison.Ordinal);
        Assert.Contains(expected, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_digest_from_the_preview_creates_nothing()
    {
        var cluster = Cluster();
        cluster.AnswersPreviews = false;
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", Manifest(Deployment("x:1")), "--reason", "r");
        Assert.Equal(1, result.Exit);
        Assert.Contains("returned no change digest", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Calls, c => c.Contains(": create ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("change digest sha256:0000000000000000000000000000000000000000000000000000000000000000", true, false)]
    [InlineData("change digest sha256:0000000000000000000000000000000000000000000000000000000000000000 base sha256:1111111111111111111111111111111111111111111111111111111111111111", true, true)]
    [InlineData("change digest sha256:00", false, false)]
    [InlineData("change digest sha256:000000000000000000000000000000000000000000000000000000000000000G", false, false)]
    [InlineData("break-glass: reason recorded", false, false)]
    public void The_preview_warning_is_read_exactly(string warning, bool digest, bool @base)
    {
        var parsed = ExactChange.ParseWarning([warning]);
        Assert.Equal(digest, parsed is not null);
        Assert.Equal(@base, parsed?.Base is not null);
    }

    [Fact]
    public void A_Secrets_values_are_masked_in_the_difference()
    {
        JsonElement Secret(string value) => JsonSerializer.SerializeToElement(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "s" },
            ["data"] = new JsonObject { ["password"] = value }, ["stringData"] = new JsonObject { ["token"] = value },
        });
        var diff = ContentDiff.Render(Secret("c2VjcmV0"), Secret("bmV3"), AdmissionPolicy.Default);
        Assert.DoesNotContain("c2VjcmV0", diff, StringComparison.Ordinal);
        Assert.DoesNotContain("bmV3", diff, StringComparison.Ordinal);
        Assert.Contains("(no difference in content)", diff, StringComparison.Ordinal);
    }

    /// <summary>carol has requested the change to 2.4.1 from a manifest; the approval is checkout-x.</summary>
    private async Task<FakeCluster> RequestedAsync()
    {
        var cluster = Cluster();
        var result = await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", Manifest(Deployment("registry.example.com/checkout:2.4.1")),
            "--reason", "Roll out 2.4.1", "--name", "checkout-x");
        Assert.True(result.Exit == 0, result.ToString());
        return cluster;
    }

    private static IReadOnlyList<string?> Entries(FakeCluster cluster) =>
        [.. Stored(cluster)["spec"]!["approvals"]!.AsArray().Select(e => e!["approver"]?.ToString() + ":" + (e["decision"]?.ToString() ?? "Approve"))];

    [Fact]
    public async Task Approve_with_yes_when_the_change_still_matches()
    {
        var cluster = await RequestedAsync();
        var result = await Run.RunAsync(cluster, "alice", "approve", "checkout-x", "--yes");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal(["alice:Approve"], Entries(cluster));
    }

    [Theory]
    [InlineData("y\n", 0, true)]
    [InlineData("n\n", 1, false)]
    [InlineData("\n", 1, false)]
    public async Task Approve_shows_the_difference_and_asks(string typed, int exit, bool approved)
    {
        var cluster = await RequestedAsync();
        cluster.Stdin = typed;
        var result = await Run.RunAsync(cluster, "alice", "approve", "checkout-x");
        Assert.True(result.Exit == exit, result.ToString());
        Shows("+       - image: registry.example.com/checkout:2.4.1\n", result.Out);
        Shows("Approve exactly this change for carol? [y/N] ", result.Out);
        Assert.Equal(approved ? ["alice:Approve"] : [], Entries(cluster));
    }

    [Fact]
    public async Task Approve_with_no_terminal_and_no_yes_is_a_usage_error()
    {
        var cluster = await RequestedAsync();
        var result = await Run.RunAsync(cluster, "alice", "approve", "checkout-x");
        Assert.Equal(2, result.Exit);
        Assert.Contains("pass --yes", result.Err, StringComparison.Ordinal);
        Assert.Empty(Entries(cluster));
    }

    [Theory]
    [InlineData("approve", "--yes")]
    [InlineData("reject", "--comment")]
    public async Task Approve_and_reject_refuse_when_the_live_object_changed_since_the_request(string verb, string flag)
    {
        var cluster = await RequestedAsync();
        cluster.Put(Deployments, "payments", Deployment("registry.example.com/checkout:2.4.0", ("HOTFIX", "1")));
        string[] args = flag == "--yes" ? [verb, "checkout-x", flag] : [verb, "checkout-x", flag, "not now"];
        var result = await Run.RunAsync(cluster, "alice", args);
        Assert.True(result.Exit == 1, result.ToString());
        Assert.Contains("no longer matches the cluster: the live object changed since the request: base sha256:", result.Err, StringComparison.Ordinal);
        Assert.Contains("carol must request the change anew: kubectl change request deployment/checkout -f MANIFEST", result.Err, StringComparison.Ordinal);
        Assert.Empty(Entries(cluster));
    }

    [Fact]
    public async Task Approve_refuses_when_the_preview_no_longer_gives_the_recorded_result()
    {
        var cluster = await RequestedAsync();
        cluster.Mutate = o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "Always";
        var result = await Run.RunAsync(cluster, "alice", "approve", "checkout-x", "--yes");
        Assert.True(result.Exit == 1, result.ToString());
        Assert.Contains("the manifest no longer previews to the recorded result: digest sha256:", result.Err, StringComparison.Ordinal);
        Assert.Empty(Entries(cluster));
    }

    [Fact]
    public async Task Reject_records_a_Reject_entry_with_the_comment()
    {
        var cluster = await RequestedAsync();
        var result = await Run.RunAsync(cluster, "bob", "reject", "checkout-x", "--comment", "not during the freeze");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal(["bob:Reject"], Entries(cluster));
        Assert.Equal("not during the freeze", Stored(cluster)["spec"]!["approvals"]![0]!["comment"]!.ToString());
        Shows("rejected by bob; it admits nothing until you withdraw it", result.Out);
    }

    [Fact]
    public async Task Show_says_whether_a_fresh_preview_still_matches_and_shows_the_difference()
    {
        var cluster = await RequestedAsync();
        var fresh = await Run.RunAsync(cluster, "alice", "show", "checkout-x");
        Assert.True(fresh.Exit == 0, fresh.ToString());
        Shows("a fresh preview of the recorded manifest still matches (same base, same result)\n", fresh.Out);
        Shows("-       - image: registry.example.com/checkout:2.4.0\n", fresh.Out);

        cluster.Put(Deployments, "payments", Deployment("registry.example.com/checkout:2.4.0", ("HOTFIX", "1")));
        var stale = await Run.RunAsync(cluster, "alice", "show", "checkout-x");
        Assert.True(stale.Exit == 0, stale.ToString());
        Shows("NO LONGER MATCHES: the live object changed since the request", stale.Out);
    }

    [Fact]
    public async Task Why_f_judges_what_the_API_server_would_store_and_names_the_codes()
    {
        var cluster = Cluster();
        cluster.Policy = AdmissionPolicy.Default; // the webhook requires exact changes too
        // A mutating webhook adds a field: only a dry run shows the object an exact change binds.
        cluster.Mutate = o => o["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"] = "IfNotPresent";
        var path = Manifest(Deployment("registry.example.com/checkout:2.4.1"));
        Assert.Equal(0, (await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-f", path, "--reason", "r", "--name", "checkout-x")).Exit);
        Assert.Equal(0, (await Run.RunAsync(cluster, "alice", "approve", "checkout-x", "--yes")).Exit);
        Assert.Equal(0, (await Run.RunAsync(cluster, "bob", "approve", "checkout-x", "--yes")).Exit);

        var same = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout", "-f", path);
        Assert.True(same.Exit == 0, same.ToString());
        Shows("would be ALLOWED (approved)", same.Out);

        var other = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout", "-f", Manifest(Deployment("registry.example.com/checkout:2.4.1", ("DEBUG", "1")), "debug.yaml"));
        Assert.True(other.Exit == 1, other.ToString());
        Shows("the result differs: this request would store sha256:", other.Out);
        Shows("Reason codes: checkout-x=ChangeDigestDiffers\n", other.Out);
    }
}
