namespace Admission.Cluster.Tests.EndToEnd;

/// <summary>AdmissionReviews as kube-apiserver sends them, for when the test API server is down and cannot.</summary>
internal static class Reviews
{
    public static string DeploymentImageUpdate(string user, string deployment = ClusterHarness.Deployment, string image = "registry.example.com/checkout:9.9.9")
    {
        JsonObject Deployment(string img) => ClusterHarness.Node(new
        {
            apiVersion = "apps/v1",
            kind = "Deployment",
            metadata = new { name = deployment, @namespace = ClusterHarness.Ns },
            spec = new
            {
                replicas = 2,
                selector = new { matchLabels = new { app = deployment } },
                template = new
                {
                    metadata = new { labels = new { app = deployment } },
                    spec = new { containers = new[] { new { name = "app", image = img } } },
                },
            },
        });
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "Deployment" },
                ["resource"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["resource"] = "deployments" },
                ["requestKind"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["kind"] = "Deployment" },
                ["requestResource"] = new JsonObject { ["group"] = "apps", ["version"] = "v1", ["resource"] = "deployments" },
                ["name"] = deployment,
                ["namespace"] = ClusterHarness.Ns,
                ["operation"] = "UPDATE",
                ["userInfo"] = new JsonObject { ["username"] = user, ["groups"] = new JsonArray("developers", "system:authenticated") },
                ["object"] = Deployment(image),
                ["oldObject"] = Deployment("registry.example.com/checkout:2.4.0"),
                ["dryRun"] = false,
                ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = "UpdateOptions" },
            },
        }.ToJsonString();
    }

    /// <summary>Posts the review to the process and returns (allowed, message).</summary>
    public static async Task<(bool Allowed, string Message)> DecideAsync(AdmissionProcess process, string review)
    {
        var (status, body) = await process.PostAsync("/validate", review);
        Assert.True(status == 200, $"/validate answered {status}: {body}");
        var response = JsonNode.Parse(body)!["response"]!;
        return ((bool)response["allowed"]!, response["status"]?["message"]?.ToString() ?? "");
    }
}
