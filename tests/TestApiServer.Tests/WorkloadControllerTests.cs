namespace Admission.TestApiServer.Tests;

/// <summary>
/// The Deployment and ReplicaSet controllers (TestApiServerOptions.Workloads): who writes what,
/// through admission, as kube-controller-manager's service accounts.
/// </summary>
public sealed class WorkloadControllerTests() : ControllerTest(new TestApiServerOptions { Workloads = true, ControllerMaxRetryDelay = TimeSpan.FromMilliseconds(200) })
{
    private List<JsonObject> Live(string group, string plural) =>
        [.. _server.List(group, plural, "payments").Where(o => o["metadata"]?["deletionTimestamp"] is null)];

    [Fact]
    public async Task A_Deployment_gets_a_ReplicaSet_and_its_Pods_each_admitted_as_its_controller()
    {
        _server.Seed(Webhooks.Configuration("watch.admission.dev", Webhooks.Url(_webhook), ["pods", "replicasets"], operations: ["CREATE"]));
        var deployment = _server.Seed(Servers.Deployment("payments", "web", "nginx:1", replicas: 2));

        await Until(() => Live("", "pods").Count == 2, "two pods");
        var rs = Assert.Single(Live("apps", "replicasets"));
        var hash = rs["metadata"]!["labels"]!["pod-template-hash"]!.ToString();
        Assert.Equal($"web-{hash}", rs["metadata"]!["name"]!.ToString());
        Assert.Equal(hash, rs["spec"]!["selector"]!["matchLabels"]!["pod-template-hash"]!.ToString());
        Assert.Equal("1", rs["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.ToString());
        AssertControlledBy(rs, "Deployment", deployment);
        foreach (var pod in Live("", "pods"))
        {
            AssertControlledBy(pod, "ReplicaSet", rs);
            Assert.StartsWith($"web-{hash}-", pod["metadata"]!["name"]!.ToString(), StringComparison.Ordinal);
            Assert.Equal("nginx:1", pod["spec"]!["containers"]![0]!["image"]!.ToString());
            Assert.Equal(hash, pod["metadata"]!["labels"]!["pod-template-hash"]!.ToString());
        }

        // As kube-apiserver: a generateName create is reviewed with name "", the object carries the generated one.
        var reviews = _webhook.Requests.ToList();
        var rsReview = Assert.Single(reviews, r => r["kind"]!["kind"]!.ToString() == "ReplicaSet");
        Assert.Equal((ControllerAccounts.Deployment, rs["metadata"]!["name"]!.ToString()), (rsReview["userInfo"]!["username"]!.ToString(), rsReview["name"]!.ToString()));
        var podReviews = reviews.Where(r => r["kind"]!["kind"]!.ToString() == "Pod").ToList();
        Assert.Equal(2, podReviews.Count);
        Assert.All(podReviews, r => Assert.Equal((ControllerAccounts.ReplicaSet, "", $"web-{hash}-"),
            (r["userInfo"]!["username"]!.ToString(), r["name"]?.ToString() ?? "", r["object"]!["metadata"]!["generateName"]!.ToString())));

        await Until(() => _server.Get("apps", "deployments", "payments", "web")!["status"]?["updatedReplicas"]?.GetValue<long>() == 2, "the Deployment's status");
        Assert.Equal(ControllerAccounts.Deployment, _server.Changes.Last(c => c is { Resource: "deployments", Subresource: "status" }).Username);
    }

    [Fact]
    public async Task A_new_template_makes_a_new_ReplicaSet_and_the_old_one_is_scaled_to_zero()
    {
        _server.Seed(Servers.Deployment("payments", "web", "nginx:1", replicas: 2));
        await Until(() => Live("", "pods").Count == 2, "two pods");
        var first = Assert.Single(Live("apps", "replicasets"))["metadata"]!["name"]!.ToString();

        _server.Seed(Servers.Deployment("payments", "web", "nginx:2", replicas: 3));

        await Until(() => Live("", "pods").Count == 3 && Live("", "pods").All(p => p["spec"]!["containers"]![0]!["image"]!.ToString() == "nginx:2"),
            "three pods of the new image, none of the old");
        var sets = Live("apps", "replicasets");
        Assert.Equal(2, sets.Count);
        var old = sets.Single(s => s["metadata"]!["name"]!.ToString() == first);
        var next = sets.Single(s => s["metadata"]!["name"]!.ToString() != first);
        Assert.Equal((0L, 3L), (old["spec"]!["replicas"]!.GetValue<long>(), next["spec"]!["replicas"]!.GetValue<long>()));
        Assert.Equal("2", next["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.ToString());
        Assert.Equal(ControllerAccounts.Deployment, _server.Changes.Last(c => c.Name == first && c.Subresource == "").Username);
        Assert.Equal(ControllerAccounts.ReplicaSet, _server.Changes.Last(c => c is { Resource: "pods", Type: "DELETED" }).Username);
    }

    [Fact]
    public async Task A_refused_Pod_is_retried_until_admission_allows_it()
    {
        _server.Seed(Webhooks.Configuration("guard.admission.dev", Webhooks.Url(_webhook), ["pods"], operations: ["CREATE"]));
        _webhook.Respond = _ => TestWebhook.Deny("not yet");
        _server.Seed(Servers.Deployment("payments", "web", "nginx:1", replicas: 1));
        await Until(() => _webhook.Requests.Count >= 3, "the controller to retry");
        Assert.Empty(Live("", "pods"));

        _webhook.Respond = _ => TestWebhook.Allow();
        await Until(() => Live("", "pods").Count == 1, "the pod once allowed");
    }

    [Fact]
    public async Task Without_the_option_nothing_runs_containers_and_Pods_are_not_served()
    {
        await using var plain = await Servers.StartAsync();
        plain.Seed(Servers.Namespace("payments"));
        plain.Seed(Servers.Deployment("payments", "web"));
        Assert.Null(plain.Resources.Find("", "pods"));
        var (code, _, _) = await plain.SendAsync(Servers.Admin, HttpMethod.Get, "/api/v1/namespaces/payments/pods");
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Kubectl_run_create_job_and_debug_store_and_review_what_kubectl_sends()
    {
        _server.Seed(Webhooks.Configuration("watch.admission.dev", Webhooks.Url(_webhook), ["pods", "pods/ephemeralcontainers", "jobs"]));
        using var kubectl = new Kubectl(_server, Servers.Alice, "payments");

        Ok(await kubectl.RunAsync("run", "shell", "--image=busybox:1.36", "--restart=Never"));
        Ok(await kubectl.RunAsync("create", "job", "once", "--image=busybox:1.36", "--", "sh", "-c", "echo hi")); // a protobuf body
        Ok(await kubectl.RunAsync("debug", "shell", "--image=busybox:1.37"));

        var job = _server.Get("batch", "jobs", "payments", "once")!;
        var container = job["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal(("once", "busybox:1.36", """["sh","-c","echo hi"]"""), (container["name"]!.ToString(), container["image"]!.ToString(), container["command"]!.ToJsonString()));
        Assert.Equal("Never", job["spec"]!["template"]!["spec"]!["restartPolicy"]!.ToString());
        var pod = _server.Get("", "pods", "payments", "shell")!;
        Assert.Equal("busybox:1.37", pod["spec"]!["ephemeralContainers"]![0]!["image"]!.ToString());

        var debug = _webhook.Requests.Single(r => r["subResource"]?.ToString() == "ephemeralcontainers");
        Assert.Equal(("UPDATE", "shell", "Pod"), (debug["operation"]!.ToString(), debug["name"]!.ToString(), debug["kind"]!["kind"]!.ToString()));
        Assert.Null(debug["oldObject"]!["spec"]!["ephemeralContainers"]);
    }

    private static string Ok((int ExitCode, string Stdout, string Stderr) result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    private static void AssertControlledBy(JsonObject item, string kind, JsonObject owner)
    {
        var reference = Assert.Single(item["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal((kind, owner["metadata"]!["name"]!.ToString(), owner["metadata"]!["uid"]!.ToString(), true),
            (reference["kind"]!.ToString(), reference["name"]!.ToString(), reference["uid"]!.ToString(), reference["controller"]!.GetValue<bool>()));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
