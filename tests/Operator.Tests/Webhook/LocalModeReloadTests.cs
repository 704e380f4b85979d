namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// serve --approvals FOLDER: adding, changing, breaking and deleting approval files changes later
/// decisions within a few seconds; a broken file is reported and its last good content stays in force.
/// </summary>
public sealed class LocalModeReloadTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(8);

    private static string Approval(string target, DateTimeOffset now, params string[] approvers) => $"""
        apiVersion: approvals.admission.dev/v1alpha1
        kind: ChangeApproval
        metadata:
          name: {target}-change
          namespace: payments
        spec:
          target:
            apiGroup: apps
            kind: Deployment
            name: {target}
          change:
            digest: "{LocalWebhookFixture.ExactChange.Digest}"
            base: "{LocalWebhookFixture.ExactChange.Base}"
          reason: "local mode reload test"
          requestedBy: carol
          notBefore: "{Review.Time(now.AddHours(-1))}"
          expiresAt: "{Review.Time(now.AddHours(4))}"
          approvals:
        {string.Concat(approvers.Select(a => $"  - approver: {a}\n    approvedAt: \"{Review.Time(now.AddMinutes(-30))}\"\n"))}
        """;

    /// <summary>
    /// Ways a file gets broken while someone edits it, and the line each error must name: where
    /// the parser stopped (for an unclosed brace, the line that opened it), or the field's own line.
    /// </summary>
    private static readonly (string What, string Text, int Line)[] Breakages =
    [
        ("a YAML syntax error", "apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata:\n  name: checkout-change\n  namespace: payments\nspec:\n  reason: one: two\n", 7),
        ("an unclosed flow mapping", "apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata: {name: checkout-change, namespace: payments\nspec:\n  reason: x\n", 3),
        ("a ChangeApproval with a bad time", "apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata:\n  name: checkout-change\n  namespace: payments\nspec:\n  target: {kind: Deployment, name: checkout}\n  reason: x\n  requestedBy: carol\n  expiresAt: tomorrow\n", 10),
    ];

    [Fact]
    public async Task Approval_files_are_reloaded_and_a_broken_file_keeps_its_last_good_content()
    {
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        dir.Write("approvals/namespace.yaml", File.ReadAllText(Repo.Example("namespace.yaml")));
        var checkoutFile = dir.Write("approvals/checkout.yaml", Approval("checkout", now, "alice"));
        await using var server = await ServeProcess.StartAsync(new ServeSettings { Approvals = [dir.File("approvals")] });
        using var client = server.CreateClient();

        Task<ReviewAnswer> Checkout() => client.ReviewAsync(Review.Example("deployment-update-denied"));
        Task<ReviewAnswer> Ledger() => client.ReviewAsync(Review.Example("deployment-update-denied").Named("ledger"));
        async Task<(string Ready, double? Errors)> Health()
        {
            Assert.False(server.HasExited, $"the server exited:\n{server.Output}");
            var ready = await client.GetTextAsync("readyz");
            var metrics = PrometheusText.Parse(await client.GetStringAsync("metrics"));
            return (ready, metrics.Value("admission_approval_source_errors"));
        }

        var first = await Checkout();
        Assert.False(first.Allowed);
        Assert.Contains("ChangeApproval checkout-change: 1 of 2 approvals (alice)", first.Message, StringComparison.Ordinal);
        Assert.False((await Ledger()).Allowed);

        // Adding a file.
        dir.Write("approvals/ledger.yaml", Approval("ledger", now, "alice", "bob"));
        var ledger = await WebhookCalls.EventuallyAsync(Ledger, a => a.Allowed, Soon, "the added approval file taking effect");
        Assert.Equal("payments/ledger-change", ledger.Approval);

        // Changing a file: bob's approval is written into it.
        File.WriteAllText(checkoutFile, Approval("checkout", now, "alice", "bob"));
        var approved = await WebhookCalls.EventuallyAsync(Checkout, a => a.Allowed, Soon, "the second approval taking effect");
        Assert.Equal("approved", approved.Decision);
        Assert.Equal("payments/checkout-change", approved.Approval);
        Assert.Equal(0, (await Health()).Errors);

        foreach (var (what, text, line) in Breakages)
        {
            // Breaking the file: reported with its name and line, and its last good content stays in force.
            File.WriteAllText(checkoutFile, text);
            // /readyz and /metrics are two reads: a reload (an editor's write can raise several file
            // events) may fall between them, so wait until both show the same state.
            var (ready, errors) = await WebhookCalls.EventuallyAsync(Health, h => (h.Ready.Contains($"{checkoutFile}:{line}:", StringComparison.Ordinal) && h.Errors == 1) || server.HasExited,
                Soon, $"{what} being reported with the file and line {line}");
            Assert.False(server.HasExited, $"{what} stopped the server:\n{server.Output}");
            Assert.StartsWith("200\nok\n", ready, StringComparison.Ordinal);
            Assert.Equal(1, errors);
            Assert.Contains("last good content kept", ready, StringComparison.Ordinal);
            Assert.Contains("is broken, its last good content stays in force", server.Output, StringComparison.Ordinal);
            var still = await Checkout();
            Assert.True(still.Allowed, $"{what}: the last good content must stay in force: {still.Body}");
            Assert.Equal("payments/checkout-change", still.Approval);
        }

        // Fixing it clears the error.
        File.WriteAllText(checkoutFile, Approval("checkout", now, "alice", "bob", "dave"));
        var (fixedReady, fixedErrors) = await WebhookCalls.EventuallyAsync(Health, h => h.Errors == 0 && !h.Ready.Contains("broken", StringComparison.Ordinal), Soon, "the fixed file clearing the error");
        Assert.DoesNotContain("broken", fixedReady, StringComparison.Ordinal);
        Assert.Contains("2 ChangeApprovals and 1 Namespaces from 3 files", fixedReady, StringComparison.Ordinal);
        Assert.True((await Checkout()).Allowed);

        // Deleting it takes its approval away.
        File.Delete(checkoutFile);
        var denied = await WebhookCalls.EventuallyAsync(Checkout, a => !a.Allowed, Soon, "the deleted file's approval going away");
        Assert.Contains("No ChangeApproval in payments targets Deployment checkout", denied.Message, StringComparison.Ordinal);
        Assert.True((await Ledger()).Allowed);
        var metrics = PrometheusText.Parse(await client.GetStringAsync("metrics"));
        Assert.Equal(1, metrics.Value("admission_approvals_cached"));

        // Deleting the Namespace file: payments is no longer known to be Tier-1 (local mode takes labels from the files).
        File.Delete(dir.File("approvals/namespace.yaml"));
        var unguarded = await WebhookCalls.EventuallyAsync(Checkout, a => a.Allowed, Soon, "the namespace's labels going away");
        Assert.Equal("not-guarded", unguarded.Decision);
    }

    [Fact]
    public async Task A_file_that_is_broken_at_start_is_reported_and_the_rest_is_used()
    {
        using var dir = new TempDir();
        var now = DateTimeOffset.UtcNow;
        dir.Write("approvals/namespace.yaml", File.ReadAllText(Repo.Example("namespace.yaml")));
        dir.Write("approvals/ledger.yaml", Approval("ledger", now, "alice", "bob"));
        var broken = dir.Write("approvals/checkout.yaml", Breakages[0].Text);
        await using var server = await ServeProcess.StartAsync(new ServeSettings { Approvals = [dir.File("approvals")] });
        using var client = server.CreateClient();
        var ready = await client.GetTextAsync("readyz");
        Assert.Contains($"{broken}:{Breakages[0].Line}:", ready, StringComparison.Ordinal);
        Assert.True((await client.ReviewAsync(Review.Example("deployment-update-denied").Named("ledger"))).Allowed);
        Assert.False((await client.ReviewAsync(Review.Example("deployment-update-denied"))).Allowed);
    }
}
