namespace Admission.Operator.Tests.Check;

/// <summary><c>admission check</c>: where manifests come from, and the options that change a decision.</summary>
public sealed class CheckInputTests
{
    private const string Now = "2026-03-06T12:00:00Z";
    private static string Data(params string[] parts) => Repo.TestData(["Check", "data", .. parts]);
    private static readonly string Approved = Repo.Example("approvals", "approved.yaml");

    [Fact]
    public async Task Standard_input_with_dash()
    {
        var manifests = await File.ReadAllTextAsync(Repo.Example("namespace.yaml")) + "\n---\n" + await File.ReadAllTextAsync(Repo.Example("deployment.yaml"));
        var result = await AdmissionCli.RunAsync(["check", "-f", "-", "--approvals", Approved, "--user", "carol", "--now", Now], manifests);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1"], result.StdoutLines);
    }

    [Fact]
    public async Task Standard_input_together_with_files()
    {
        var result = await AdmissionCli.RunAsync(
            ["check", "-f", Repo.Example("namespace.yaml"), "-f", "-", "--now", Now, "-o", "json"],
            await File.ReadAllTextAsync(Repo.Example("deployment.yaml")));
        Assert.True(result.ExitCode == 1, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal("checkout", doc.RootElement[0].GetProperty("name").GetString());
        Assert.False(doc.RootElement[0].GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Broken_standard_input_is_named_as_such()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("<stdin>:", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_folder_is_read_recursively_in_order_and_its_Namespace_gives_labels()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Data("folder"), "--approvals", Approved, "--now", Now]);
        Assert.True(result.ExitCode == 1, result.ToString());
        var lines = result.ObjectLines;
        Assert.Equal(3, lines.Length);
        Assert.Equal("ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1", lines[0]);
        Assert.Equal("DENIED StatefulSet payments/ledger denied", lines[1]);
        Assert.Contains("\n    namespace payments is Tier-1: CREATE of StatefulSet payments/ledger", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("No ChangeApproval in payments targets StatefulSet ledger", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("ALLOWED ConfigMap payments/checkout-settings not-guarded", lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains("Namespace", StringComparison.Ordinal) && !l.Contains("namespace payments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_List_is_expanded_and_a_Namespace_in_it_gives_labels()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Data("list.yaml"), "--now", Now, "-o", "json"]);
        Assert.True(result.ExitCode == 1, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var rows = doc.RootElement.EnumerateArray()
            .Select(r => $"{r.GetProperty("kind").GetString()} {r.GetProperty("namespace").GetString()}/{r.GetProperty("name").GetString()} {r.GetProperty("decision").GetString()}")
            .ToList();
        Assert.Equal(["DaemonSet payments/node-agent denied", "ConfigMap payments/agent-settings not-guarded", "Deployment default/frontend not-guarded"], rows);
    }

    [Theory]
    [InlineData(false, "ALLOWED Deployment payments/checkout not-guarded")]
    [InlineData(true, "DENIED Deployment payments/checkout denied\n    namespace payments is Tier-1")]
    public async Task Namespace_labels_come_only_from_Namespace_objects_in_the_inputs(bool withNamespace, string expected)
    {
        string[] args = ["check", "-f", Repo.Example("deployment.yaml"), "--now", Now];
        if (withNamespace) args = [.. args, "-f", Repo.Example("namespace.yaml")];
        var result = await AdmissionCli.RunAsync(args);
        Assert.Equal(withNamespace ? 1 : 0, result.ExitCode);
        Assert.StartsWith(expected, result.Stdout, StringComparison.Ordinal);
        Assert.Single(result.ObjectLines);
    }

    [Fact]
    public async Task A_Namespace_among_the_approvals_gives_labels_too()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("deployment.yaml"), "--approvals", Repo.Example("namespace.yaml"), "--now", Now]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("DENIED Deployment payments/checkout denied\n    namespace payments is Tier-1", result.Stdout, StringComparison.Ordinal);
        Assert.Single(result.ObjectLines);
    }

    [Fact]
    public async Task Tier1_namespaces_listed_in_the_policy_need_no_Namespace_object()
    {
        using var dir = new TempDir();
        var policy = dir.Write("policy.yaml", "tier1:\n  namespaces: [payments]\n");
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("deployment.yaml"), "--policy", policy, "--now", Now]);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("DENIED Deployment payments/checkout denied\n    namespace payments is Tier-1", result.Stdout, StringComparison.Ordinal);
        Assert.Single(result.ObjectLines);
    }

    [Theory]
    [InlineData("default", "ALLOWED Deployment default/checkout not-guarded", 0)]
    [InlineData("payments", "ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1", 0)]
    public async Task Namespace_option_places_objects_without_one(string ns, string expected, int exit)
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Data("deployment-without-namespace.yaml"), "-f", Repo.Example("namespace.yaml"),
            "--approvals", Approved, "-n", ns, "--now", Now]);
        Assert.Equal(exit, result.ExitCode);
        Assert.Equal([expected], result.StdoutLines);
    }

    [Theory]
    [InlineData("flux", null, "ALLOWED Deployment payments/checkout exempt")]
    [InlineData("carol", "gitops", "ALLOWED Deployment payments/checkout exempt")]
    [InlineData("carol", "developers", "DENIED Deployment payments/checkout denied\n    namespace payments is Tier-1")]
    public async Task Exempt_users_and_groups(string user, string? group, string expected)
    {
        string[] args = ["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--policy", Data("policies", "exempt.yaml"), "--user", user, "--now", Now];
        if (group is not null) args = [.. args, "--group", "someone-else", "--group", group];
        var result = await AdmissionCli.RunAsync(args);
        Assert.Equal(expected.StartsWith("ALLOWED", StringComparison.Ordinal) ? 0 : 1, result.ExitCode);
        Assert.StartsWith(expected, result.Stdout, StringComparison.Ordinal);
        Assert.Single(result.ObjectLines);
    }

    [Fact]
    public async Task Break_glass_needs_the_annotation_and_the_group()
    {
        var manifest = (await File.ReadAllTextAsync(Repo.Example("deployment.yaml")))
            .Replace("  labels:\n    app.kubernetes.io/name: checkout\n    app.kubernetes.io/version: \"2.4.1\"\nspec:",
                "  labels:\n    app.kubernetes.io/name: checkout\n    app.kubernetes.io/version: \"2.4.1\"\n  annotations:\n    approvals.admission.dev/break-glass: \"INC-4411 outage\"\nspec:", StringComparison.Ordinal);
        Assert.Contains("break-glass", manifest, StringComparison.Ordinal);
        string[] args = ["check", "-f", Repo.Example("namespace.yaml"), "-f", "-", "--user", "dave", "--now", Now, "-o", "json"];

        var withGroup = await AdmissionCli.RunAsync([.. args, "--group", "tier1-break-glass"], manifest);
        Assert.True(withGroup.ExitCode == 0, withGroup.ToString());
        using (var doc = JsonDocument.Parse(withGroup.Stdout))
        {
            Assert.Equal("break-glass", doc.RootElement[0].GetProperty("decision").GetString());
            Assert.Contains("INC-4411 outage", doc.RootElement[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        // Text shows the decision's warnings under its line (contract 6), as kubectl would show them.
        var asText = await AdmissionCli.RunAsync([.. args[..^2], "--group", "tier1-break-glass"], manifest);
        Assert.True(asText.ExitCode == 0, asText.ToString());
        Assert.Equal("ALLOWED Deployment payments/checkout break-glass", asText.ObjectLines.Single());
        Assert.Contains("\n    warning: BREAK-GLASS: CREATE of Deployment payments/checkout by dave without approval (reason: \"INC-4411 outage\")", asText.Stdout, StringComparison.Ordinal);
        var withoutGroup = await AdmissionCli.RunAsync(args, manifest);
        Assert.Equal(1, withoutGroup.ExitCode);
        Assert.Contains("The break-glass annotation was ignored", withoutGroup.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approved.yaml", 1, "ChangeApproval checkout-2-4-1: does not cover DELETE (covers CREATE, UPDATE)")]
    [InlineData(null, 0, "ALLOWED Deployment payments/checkout approved payments/checkout-delete")]
    public async Task Operation_DELETE_needs_an_approval_that_lists_it(string? example, int exit, string expected)
    {
        var approvals = example is null ? Data("approvals", "delete-checkout.yaml") : Repo.Example("approvals", example);
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--approvals", approvals, "--user", "carol", "--operation", "DELETE", "--now", Now]);
        Assert.True(exit == result.ExitCode, result.ToString());
        Assert.Single(result.ObjectLines);
        var line = result.Stdout;
        Assert.Contains(expected, line, StringComparison.Ordinal);
        if (exit == 1)
        {
            Assert.StartsWith("DENIED Deployment payments/checkout denied\n    namespace payments is Tier-1: DELETE of Deployment payments/checkout", line, StringComparison.Ordinal);
            Assert.Contains("--operation DELETE", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Operation_UPDATE_is_decided_with_the_approval()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"),
            "--approvals", Data("approvals", "delete-checkout.yaml"), "--operation", "UPDATE", "--now", Now]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ChangeApproval checkout-delete: does not cover UPDATE (covers DELETE)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Now_decides_the_window()
    {
        string[] args = ["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"), "--approvals", Approved, "--user", "carol", "--now"];
        var before = await AdmissionCli.RunAsync([.. args, "2026-03-06T09:59:59Z"]);
        var inside = await AdmissionCli.RunAsync([.. args, "2026-03-06T10:00:00+00:00"]);
        var after = await AdmissionCli.RunAsync([.. args, "2026-03-06T18:00:00Z"]);
        Assert.Equal((1, 0, 1), (before.ExitCode, inside.ExitCode, after.ExitCode));
        Assert.Contains("not valid before 2026-03-06T10:00:00Z", before.Stdout, StringComparison.Ordinal);
        Assert.Contains("expired at 2026-03-06T18:00:00Z", after.Stdout, StringComparison.Ordinal);
    }
}
