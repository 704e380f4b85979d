namespace Admission.Operator.Tests.Check;

/// <summary>
/// Contract 6: check cannot look a namespace up, so where its labels come from is explicit: a
/// Namespace object in any input, or <c>--tier1</c>. A workload in a namespace it cannot place is
/// reported not-guarded with a warning, so a pipeline that forgot the Namespace is not silently green.
/// </summary>
public sealed class CheckNamespaceTests
{
    private const string Now = "2026-03-06T12:00:00Z";
    private static readonly string Approved = Repo.Example("approvals", "approved.yaml");
    private const string UnknownPayments = "warning: namespace payments is not known: no Namespace object for it is among the inputs, so its workloads are reported not-guarded; " +
                                           "give its Namespace with -f or --approvals, or mark it Tier-1 with --tier1 payments";

    public static TheoryData<string, string[], int, string, bool> Sources => new()
    {
        // case, arguments after "check -f deployment.yaml", exit, the object's line, whether the unknown-namespace warning is given
        { "no Namespace anywhere", [], 0, "ALLOWED Deployment payments/checkout not-guarded", true },
        { "Namespace with -f", ["-f", Repo.Example("namespace.yaml")], 1, "DENIED Deployment payments/checkout denied", false },
        { "Namespace among the approvals", ["--approvals", Repo.Example("namespace.yaml")], 1, "DENIED Deployment payments/checkout denied", false },
        { "--tier1 names it", ["--tier1", "payments"], 1, "DENIED Deployment payments/checkout denied", false },
        { "--tier1 names it, approved", ["--tier1", "payments", "--approvals", Approved, "--user", "carol"], 0, "ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1", false },
        { "--tier1 names another", ["--tier1", "billing", "--tier1", "ledger"], 0, "ALLOWED Deployment payments/checkout not-guarded", true },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public async Task Where_a_namespace_gets_its_labels(string @case, string[] more, int exit, string line, bool warned)
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("deployment.yaml"), "--now", Now, .. more]);
        Assert.True(exit == result.ExitCode, $"{@case}: {result}");
        Assert.Equal(line, result.ObjectLines.Single());
        if (warned)
        {
            Assert.Equal(UnknownPayments, result.Stderr.Trim());
            Assert.DoesNotContain("warning", result.Stdout, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("", result.Stderr);
        }
    }

    [Fact]
    public async Task The_warning_is_given_once_per_namespace_and_only_for_guarded_kinds()
    {
        using var dir = new TempDir();
        var manifests = dir.Write("many.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: a, namespace: payments}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: b, namespace: payments}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c, namespace: billing}
            """);
        var result = await AdmissionCli.RunAsync(["check", "-f", manifests, "--now", Now]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([UnknownPayments], result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Json_rows_carry_the_warning()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("deployment.yaml"), "--now", Now, "-o", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.Stdout);
        var warnings = doc.RootElement[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Equal([UnknownPayments["warning: ".Length..]], warnings);
        Assert.Equal(UnknownPayments, result.Stderr.Trim());
    }

    [Fact]
    public async Task The_approvals_folder_serve_takes_works_for_check_too()
    {
        // examples/ holds a policy, a Deployment, AdmissionReview bodies and the approvals: serve --approvals examples skips
        // what is not a ChangeApproval or Namespace, and so does check (contract 6).
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("deployment.yaml"), "--approvals", Repo.Example(""),
            "--user", "carol", "--now", Now]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["ALLOWED Deployment payments/checkout approved payments/checkout-2-4-1"], result.StdoutLines);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task A_ChangeApproval_given_with_f_gets_a_hint_to_use_approvals()
    {
        var result = await AdmissionCli.RunAsync(["check", "-f", Repo.Example("namespace.yaml"), "-f", Repo.Example("deployment.yaml"), "-f", Approved,
            "--user", "carol", "--now", Now]);
        Assert.Contains($"hint: {Approved}:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("ChangeApproval payments/checkout-2-4-1 was given with -f", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("pass it with --approvals", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hint", result.Stdout, StringComparison.Ordinal);
    }
}
