namespace Admission.Operator.Tests.Check;

/// <summary>
/// <c>admission check</c> run as a process on the examples, judged at the examples' time: one
/// ChangeApproval per outcome (examples/README.md).
/// </summary>
public sealed class CheckOutcomeTests
{
    private const string Now = "2026-03-06T12:00:00Z";
    private const string Denied = "DENIED Deployment payments/checkout denied";
    private const string Why = "namespace payments is Tier-1: CREATE of Deployment payments/checkout needs a ChangeApproval approved by 2 people other than its requester.";

    private static string[] Args(string? approvals, params string[] more)
    {
        var args = new List<string> { "check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--policy", Repo.Example("policy.yaml"), "--user", "carol", "--now", Now };
        if (approvals is not null) args.AddRange(["--approvals", Repo.Example("approvals", approvals)]);
        args.AddRange(more);
        return [.. args];
    }

    public static TheoryData<string?, int, string, string?> Outcomes => new()
    {
        // --approvals, exit status, what the line starts with, the reason it must give
        { "approved.yaml", 0, "ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1", null },
        { "one-approval.yaml", 1, Denied, "- ChangeApproval checkout-2-4-1-one-approval: 1 of 2 approvals (alice), needs 1 more from someone other than carol." },
        { "self-approval.yaml", 1, Denied, "- ChangeApproval checkout-2-4-1-self-approval: 1 of 2 approvals (alice), needs 1 more from someone other than carol; carol's own approval does not count." },
        { "expired.yaml", 1, Denied, "- ChangeApproval checkout-2-4-1-expired: expired at 2026-03-06T11:00:00Z." },
        { "wrong-image.yaml", 1, Denied, "- ChangeApproval checkout-2-4-0: images registry.example.com/migrate:2.4.1, registry.example.com/checkout:2.4.1 are not approved (approved: registry.example.com/checkout:2.4.0, registry.example.com/migrate:2.4.0)." },
        { null, 1, Denied, "Request one: kubectl change request deployment/checkout -n payments -f <manifest> --reason \"<why>\"" },
    };

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Each_example_outcome_as_text(string? approvals, int exit, string line, string? reason)
    {
        var result = await AdmissionCli.RunAsync(Args(approvals));
        Assert.True(exit == result.ExitCode, result.ToString());
        Assert.Equal("", result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(line, lines[0]);
        if (reason is null)
        {
            Assert.Single(lines);
            return;
        }
        // Contract 6: the denial's message follows on indented lines, one per ChangeApproval, never folded.
        Assert.All(lines.Skip(1), l => Assert.StartsWith(CheckIndent, l, StringComparison.Ordinal));
        var message = lines.Skip(1).Select(l => l[CheckIndent.Length..]).ToList();
        Assert.Equal(approvals is null ? Why + " No ChangeApproval in payments targets Deployment checkout." : Why, message[0]);
        Assert.Contains(reason, message);
        Assert.Equal(approvals is null ? reason : "Or request a new one: kubectl change request deployment/checkout -n payments -f <manifest> --reason \"<why>\"", message[^1]);
        Assert.DoesNotContain(" | ", result.Stdout, StringComparison.Ordinal);
    }

    private const string CheckIndent = "    ";

    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task Each_example_outcome_as_json(string? approvals, int exit, string line, string? reason)
    {
        var result = await AdmissionCli.RunAsync(Args(approvals, "-o", "json"));
        Assert.True(exit == result.ExitCode, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal(["allowed", "approval", "decision", "digest", "kind", "message", "name", "namespace", "warnings"],
            row.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        // The digest the example approvals bind: admission digest -f examples/deployment.yaml.
        Assert.Equal("sha256:7f1116b3a0cfb9852b268c16296e826b13ef6c39cbe0c58214c9c493401449d2", row.GetProperty("digest").GetString());
        Assert.Equal("Deployment", row.GetProperty("kind").GetString());
        Assert.Equal("payments", row.GetProperty("namespace").GetString());
        Assert.Equal("checkout", row.GetProperty("name").GetString());
        Assert.Equal(exit == 0, row.GetProperty("allowed").GetBoolean());
        Assert.Equal(line.Split(' ')[0] == "ALLOWED", row.GetProperty("allowed").GetBoolean());
        var message = row.GetProperty("message").GetString()!;
        if (exit == 0)
        {
            Assert.Equal("approved", row.GetProperty("decision").GetString());
            Assert.Equal("payments/checkout-2-4-1", row.GetProperty("approval").GetString());
            Assert.Contains("approved by alice, bob", message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("denied", row.GetProperty("decision").GetString());
            Assert.Equal(JsonValueKind.Null, row.GetProperty("approval").ValueKind);
            // JSON keeps the message as the engine wrote it, one line per ChangeApproval, as text does.
            Assert.StartsWith(Why, message, StringComparison.Ordinal);
            Assert.Contains(reason!, message.Split('\n'));
        }
    }

    [Fact]
    public async Task All_example_approvals_together_the_valid_one_is_used()
    {
        var result = await AdmissionCli.RunAsync(Args("", "-o", "json"));
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal("payments/checkout-2-4-1", row.GetProperty("approval").GetString());
    }

    [Fact]
    public async Task Without_a_valid_approval_every_candidate_is_listed_closest_first()
    {
        var args = Args(null, "-o", "json");
        foreach (var file in new[] { "expired.yaml", "one-approval.yaml", "self-approval.yaml", "wrong-image.yaml" })
        {
            args = [.. args, "--approvals", Repo.Example("approvals", file)];
        }
        var result = await AdmissionCli.RunAsync(args);
        Assert.True(result.ExitCode == 1, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var message = doc.RootElement[0].GetProperty("message").GetString()!;
        var listed = message.Split('\n').Where(l => l.StartsWith("- ChangeApproval ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2].TrimEnd(':')).ToList();
        // Fewest problems first, then fewest approvals missing, then the latest expiry, then the name.
        Assert.Equal(["checkout-2-4-0", "checkout-2-4-1-expired", "checkout-2-4-1-one-approval", "checkout-2-4-1-self-approval"], listed);
    }
}
