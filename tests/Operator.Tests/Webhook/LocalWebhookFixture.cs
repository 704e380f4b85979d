namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// One <c>admission serve</c> process in local mode, shared by the webhook test classes: the
/// example policy (plus an exempt group), the example Tier-1 namespace <c>payments</c>, and
/// ChangeApprovals whose windows are placed around the real clock, since the server decides at
/// the time it runs:
/// <list type="bullet">
/// <item><c>checkout-2-4-1</c>: Deployment checkout, CREATE and UPDATE, images 2.4.1, approved by alice and bob;</item>
/// <item><c>ledger-3-0</c>: Deployment ledger, approved by alice only (1 of 2);</item>
/// <item><c>retired-delete</c>: Deployment retired, DELETE only, approved by alice and bob;</item>
/// <item><c>exact-2-4-1</c>: Deployment exact, approved by alice and bob, binding the exact change of
/// examples/reviews/deployment-update-denied.json (<see cref="ExactChange"/>).</item>
/// </list>
/// </summary>
public sealed class LocalWebhookFixture : IAsyncLifetime
{
    public const string ExemptGroup = "platform-gitops";
    public const string DnsName = "admission-webhook.admission-system.svc";

    private readonly TempDir _dir = new("admission-webhook-");

    public ServeProcess Server { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public DateTimeOffset Started { get; } = DateTimeOffset.UtcNow;
    public string ApprovalsDir => _dir.File("approvals");

    public async Task InitializeAsync()
    {
        _dir.Write("approvals/namespace.yaml", File.ReadAllText(Repo.Example("namespace.yaml")));
        _dir.Write("approvals/changeapprovals.yaml", Approvals(Started));
        var policy = File.ReadAllText(Repo.Example("policy.yaml"));
        Assert.Contains("exemptGroups: []", policy, StringComparison.Ordinal);
        // requireExactChange off: most rows here test the other rules with approvals that bind no
        // change; exact-change approvals still bind exactly (ExactChangeReviewTests).
        Assert.Contains("requireExactChange: true", policy, StringComparison.Ordinal);
        _dir.Write("policy.yaml", policy
            .Replace("exemptGroups: []", $"exemptGroups: [{ExemptGroup}]", StringComparison.Ordinal)
            .Replace("requireExactChange: true", "requireExactChange: false", StringComparison.Ordinal));
        Server = await ServeProcess.StartAsync(new ServeSettings
        {
            Approvals = [ApprovalsDir],
            Policy = _dir.File("policy.yaml"),
            TlsDir = _dir.File("tls"),
            DnsNames = [DnsName],
        });
        Client = Server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>The change digests of the example UPDATE review's object and oldObject, computed by the engine.</summary>
    public static (string Digest, string Base) ExactChange
    {
        get
        {
            var review = Review.Example("deployment-update-denied");
            using var obj = System.Text.Json.JsonDocument.Parse(review.Object!.ToJsonString());
            using var old = System.Text.Json.JsonDocument.Parse(review.OldObject!.ToJsonString());
            var policy = Admission.Policies.AdmissionPolicy.Default;
            return (Admission.Policies.Digest.ChangeDigest.Of(obj.RootElement, policy), Admission.Policies.Digest.ChangeDigest.Of(old.RootElement, policy));
        }
    }

    private static string Approvals(DateTimeOffset now)
    {
        string T(TimeSpan offset) => Review.Time(now + offset);
        string One(string name, string target, string operations, string images, string entries, string change = "") => $"""
            apiVersion: approvals.admission.dev/v1alpha1
            kind: ChangeApproval
            metadata:
              name: {name}
              namespace: payments
            spec:
              target: {"{"}apiGroup: apps, kind: Deployment, name: {target}{"}"}
              operations: {operations}
              images: {images}
              reason: "integration test"{change}
              requestedBy: carol
              notBefore: "{T(TimeSpan.FromHours(-1))}"
              expiresAt: "{T(TimeSpan.FromHours(6))}"
              approvals:
            {entries}
            """;
        var both = $"""
              - {"{"}approver: alice, approvedAt: "{T(TimeSpan.FromMinutes(-50))}"{"}"}
              - {"{"}approver: bob, approvedAt: "{T(TimeSpan.FromMinutes(-40))}"{"}"}
            """;
        var aliceOnly = $"""
              - {"{"}approver: alice, approvedAt: "{T(TimeSpan.FromMinutes(-50))}"{"}"}
            """;
        return string.Join("\n---\n",
            One("checkout-2-4-1", "checkout", "[CREATE, UPDATE]", "[registry.example.com/checkout:2.4.1, registry.example.com/migrate:2.4.1]", both),
            One("ledger-3-0", "ledger", "[CREATE, UPDATE]", "[]", aliceOnly),
            One("retired-delete", "retired", "[DELETE]", "[]", both),
            One("exact-2-4-1", "exact", "[UPDATE]", "[]", both, $"\n  change: {{digest: \"{ExactChange.Digest}\", base: \"{ExactChange.Base}\"}}")) + "\n";
    }
}

[CollectionDefinition(Name)]
public sealed class SharedWebhook : ICollectionFixture<LocalWebhookFixture>
{
    public const string Name = "local webhook";
}
