namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// `why` for someone who may not read the Namespace (403): the webhook reads its labels, so the
/// plugin must say it cannot tell whether the namespace is Tier-1, never that it is not (which
/// would tell a developer an unapproved change passes). Exit 2 is "could not tell".
/// </summary>
public class WhyUnreadableNamespaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 9, 0, 0, TimeSpan.Zero);

    public sealed record Row(string Namespace, bool Unreadable, bool Listed, bool Approved, int Exit, string[] Says, string[] NeverSays);

    private static readonly string[] NotTier1 = ["is not Tier-1"];

    public static TheoryData<string, Row> Rows => new()
    {
        { "readable Tier-1, no approval", new(Namespace: "payments", Unreadable: false, Listed: false, Approved: false, Exit: 1,
            ["would be DENIED now", "namespace payments is Tier-1"], ["cannot tell"]) },
        { "unreadable Tier-1, no approval", new("payments", true, false, false, 2,
            ["cannot tell whether it would be admitted now (2026-03-06T09:00:00Z): you may not read Namespace payments (Forbidden), so whether it is Tier-1 is unknown.",
             "if it is Tier-1 it would be DENIED:\n", "needs a ChangeApproval approved by 2 people",
             "Namespace payments: labels not readable (Forbidden); someone who may get namespaces can tell whether it is Tier-1.\n"], NotTier1) },
        { "unreadable, not Tier-1 in fact", new("dev", true, false, false, 2,
            ["cannot tell whether it would be admitted", "you may not read Namespace dev (Forbidden)"], NotTier1) },
        { "unreadable but listed in tier1.namespaces", new("payments", true, true, false, 1,
            ["UPDATE of Deployment payments/checkout by carol would be DENIED now (2026-03-06T09:00:00Z).\n"], ["cannot tell", "labels not readable"]) },
        { "unreadable, approved", new("payments", true, false, true, 0,
            ["would be ALLOWED (approved) now (2026-03-06T09:00:00Z), whether or not namespace payments is Tier-1.\n"], ["cannot tell"]) },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Why_never_says_not_Tier_1_about_a_namespace_it_cannot_read(string name, Row row)
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        cluster.AddNamespace("dev");
        foreach (var ns in new[] { "payments", "dev" }) cluster.Put(new ApiResource("apps", "v1", "deployments"), ns, Deployment());
        if (row.Listed)
        {
            cluster.Put(ApiResource.ConfigMaps, "admission-system", new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = "admission-policy" },
                ["data"] = new JsonObject { ["policy.yaml"] = "tier1:\n  namespaces: [payments]\nrequireExactChange: false\n" },
            });
        }
        if (row.Approved)
        {
            Assert.Equal(0, (await Run.RunAsync(cluster, "carol", "request", "deployment/checkout", "-n", row.Namespace, "--reason", "r", "--name", "a")).Exit);
            Assert.Equal(0, (await Run.RunAsync(cluster, "alice", "approve", "a", "-n", row.Namespace)).Exit);
            Assert.Equal(0, (await Run.RunAsync(cluster, "bob", "approve", "a", "-n", row.Namespace)).Exit);
        }
        if (row.Unreadable) cluster.UnreadableNamespaces.Add(row.Namespace);

        var result = await Run.RunAsync(cluster, "carol", "why", "deployment/checkout", "-n", row.Namespace);

        Assert.True(row.Exit == result.Exit, $"{name}: {result}");
        foreach (var text in row.Says) Assert.True(result.Out.Contains(text, StringComparison.Ordinal), $"{name}: missing \"{text}\" in\n{result}");
        foreach (var text in row.NeverSays) Assert.False(result.Out.Contains(text, StringComparison.Ordinal), $"{name}: says \"{text}\" in\n{result}");
    }

    private static JsonObject Deployment() => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "checkout" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 2,
            ["template"] = new JsonObject { ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "registry.example.com/checkout:2.4.0" }) } },
        },
    };
}
