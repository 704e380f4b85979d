namespace Admission.Policies.Tests.PolicyFile;

/// <summary>Contract section 5: every key optional with its default; errors name the key and the line.</summary>
public class PolicyParserTests
{
    private const string Source = "policy.yaml";

    private static AdmissionPolicy Parse(string yaml) => PolicyParser.Parse(yaml, Source);

    /// <summary>The defaults, written out from the contract rather than read from the code.</summary>
    private static void AssertDefaults(AdmissionPolicy p, string? except = null)
    {
        if (except != "tier1.namespaceSelector")
        {
            Assert.Equal(new Dictionary<string, string> { ["approvals.admission.dev/tier"] = "1" }, p.Tier1Selector.MatchLabels);
            Assert.Empty(p.Tier1Selector.MatchExpressions);
        }
        if (except != "tier1.namespaces") Assert.Empty(p.Tier1Namespaces);
        if (except != "workloadKinds")
        {
            Assert.Equal(["Pod", "apps/ReplicaSet", "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "batch/Job", "batch/CronJob"],
                p.WorkloadKinds.Select(k => k.ToString()));
        }
        if (except != "requiredApprovals") Assert.Equal(2, p.RequiredApprovals);
        if (except != "approverGroups") Assert.Equal(["tier1-approvers"], p.ApproverGroups);
        if (except != "breakGlassGroups") Assert.Equal(["tier1-break-glass"], p.BreakGlassGroups);
        if (except != "policyAdminGroups") Assert.Equal(["system:masters"], p.PolicyAdminGroups);
        if (except != "exemptUsers") Assert.Empty(p.ExemptUsers);
        if (except != "exemptGroups") Assert.Empty(p.ExemptGroups);
        if (except != "allowReplicaChanges") Assert.True(p.AllowReplicaChanges);
        if (except != "allowRestarts") Assert.True(p.AllowRestarts);
        if (except != "interactiveAccess") Assert.Equal(InteractiveAccess.BreakGlass, p.InteractiveAccess);
        if (except != "trustedControllers")
        {
            Assert.Equal(
            [
                "system:kube-controller-manager",
                "system:serviceaccount:kube-system:cronjob-controller",
                "system:serviceaccount:kube-system:daemon-set-controller",
                "system:serviceaccount:kube-system:deployment-controller",
                "system:serviceaccount:kube-system:generic-garbage-collector",
                "system:serviceaccount:kube-system:job-controller",
                "system:serviceaccount:kube-system:namespace-controller",
                "system:serviceaccount:kube-system:node-controller",
                "system:serviceaccount:kube-system:pod-garbage-collector",
                "system:serviceaccount:kube-system:replicaset-controller",
                "system:serviceaccount:kube-system:statefulset-controller",
            ], p.TrustedControllers.Order(StringComparer.Ordinal));
        }
        if (except != "maxValidity") Assert.Equal(TimeSpan.FromHours(168), p.MaxValidity);
        if (except != "ticketPattern") Assert.Null(p.TicketPattern);
    }

    public static readonly Table<string> Empty = new()
    {
        { "empty text", "" },
        { "only a comment", "# nothing set\n" },
        { "empty mapping", "{}\n" },
        { "a null document", "~\n" },
        { "only apiVersion and kind", "apiVersion: approvals.admission.dev/v1alpha1\nkind: AdmissionPolicy\n" },
        {
            // Contract section 5's file (tests/Shared), as the chart's values also give it.
            "the contract's default file written out",
            ContractPolicy.Defaults
        },
    };

    [Theory, RowsOf(nameof(Empty))]
    public void Every_default_applies(string name) => AssertDefaults(Parse(Empty[name]));

    public sealed record KeyCase(string Yaml, string Key, Action<AdmissionPolicy> Check);

    public static readonly Table<KeyCase> Keys = new()
    {
        {
            "tier1.namespaces alone keeps the default selector",
            new("tier1:\n  namespaces: [payments, ledger]\n", "tier1.namespaces", p => Assert.Equal(["ledger", "payments"], p.Tier1Namespaces.Order()))
        },
        {
            "tier1.namespaceSelector.matchLabels",
            new("tier1:\n  namespaceSelector:\n    matchLabels:\n      env: prod\n", "tier1.namespaceSelector", p =>
            {
                Assert.Equal(new Dictionary<string, string> { ["env"] = "prod" }, p.Tier1Selector.MatchLabels);
                Assert.Empty(p.Tier1Selector.MatchExpressions);
            })
        },
        {
            "tier1.namespaceSelector.matchExpressions",
            new("tier1:\n  namespaceSelector:\n    matchExpressions:\n    - {key: env, operator: In, values: [prod, staging]}\n    - {key: legacy, operator: DoesNotExist}\n", "tier1.namespaceSelector", p =>
            {
                Assert.Empty(p.Tier1Selector.MatchLabels);
                Assert.Equal(2, p.Tier1Selector.MatchExpressions.Count);
                Assert.True(p.Tier1Selector.Matches(new Dictionary<string, string> { ["env"] = "staging" }));
                Assert.False(p.Tier1Selector.Matches(new Dictionary<string, string> { ["env"] = "staging", ["legacy"] = "y" }));
                Assert.False(p.Tier1Selector.Matches(new Dictionary<string, string> { ["env"] = "dev" }));
            })
        },
        {
            "workloadKinds, with a core-group kind",
            new("workloadKinds: [apps/Deployment, Pod, batch/Job]\n", "workloadKinds", p =>
                Assert.Equal([new WorkloadKind("apps", "Deployment"), new WorkloadKind("", "Pod"), new WorkloadKind("batch", "Job")], p.WorkloadKinds))
        },
        { "requiredApprovals", new("requiredApprovals: 3\n", "requiredApprovals", p => Assert.Equal(3, p.RequiredApprovals)) },
        { "approverGroups", new("approverGroups: [release-managers, sre]\n", "approverGroups", p => Assert.Equal(["release-managers", "sre"], p.ApproverGroups.Order())) },
        { "breakGlassGroups", new("breakGlassGroups:\n- oncall\n", "breakGlassGroups", p => Assert.Equal(["oncall"], p.BreakGlassGroups)) },
        { "policyAdminGroups", new("policyAdminGroups: [platform]\n", "policyAdminGroups", p => Assert.Equal(["platform"], p.PolicyAdminGroups)) },
        { "exemptUsers", new("exemptUsers: [\"system:serviceaccount:argocd:argocd\"]\n", "exemptUsers", p => Assert.Equal(["system:serviceaccount:argocd:argocd"], p.ExemptUsers)) },
        { "exemptGroups", new("exemptGroups: [ci]\n", "exemptGroups", p => Assert.Equal(["ci"], p.ExemptGroups)) },
        { "allowReplicaChanges", new("allowReplicaChanges: false\n", "allowReplicaChanges", p => Assert.False(p.AllowReplicaChanges)) },
        { "allowRestarts", new("allowRestarts: false\n", "allowRestarts", p => Assert.False(p.AllowRestarts)) },
        { "interactiveAccess deny", new("interactiveAccess: deny\n", "interactiveAccess", p => Assert.Equal(InteractiveAccess.Deny, p.InteractiveAccess)) },
        { "interactiveAccess allow", new("interactiveAccess: allow\n", "interactiveAccess", p => Assert.Equal(InteractiveAccess.Allow, p.InteractiveAccess)) },
        { "trustedControllers replaced", new("trustedControllers: [\"system:serviceaccount:kube-system:replicaset-controller\"]\n", "trustedControllers", p => Assert.Equal(["system:serviceaccount:kube-system:replicaset-controller"], p.TrustedControllers)) },
        { "trustedControllers emptied", new("trustedControllers: []\n", "trustedControllers", p => Assert.Empty(p.TrustedControllers)) },
        {
            "workloadKinds with a custom kind",
            new("workloadKinds: [argoproj.io/Rollout]\n", "workloadKinds", p => Assert.Equal([new WorkloadKind("argoproj.io", "Rollout")], p.WorkloadKinds))
        },
        { "maxValidity in hours", new("maxValidity: 24h\n", "maxValidity", p => Assert.Equal(TimeSpan.FromHours(24), p.MaxValidity)) },
        { "maxValidity in hours and minutes", new("maxValidity: 1h30m\n", "maxValidity", p => Assert.Equal(TimeSpan.FromMinutes(90), p.MaxValidity)) },
        {
            "ticketPattern",
            new("ticketPattern: \"CHG-[0-9]+\"\n", "ticketPattern", p =>
            {
                Assert.NotNull(p.TicketPattern);
                Assert.Equal("CHG-[0-9]+", p.TicketPatternText);
                Assert.Matches(p.TicketPattern, "CHG-12345");
                Assert.DoesNotMatch(p.TicketPattern, "XCHG-12345");
                Assert.DoesNotMatch(p.TicketPattern, "CHG-12345x");
                // Linear-time matching: no timeout exists that a slow machine could hit.
                Assert.True(p.TicketPattern.Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking));
                Assert.Equal(System.Text.RegularExpressions.Regex.InfiniteMatchTimeout, p.TicketPattern.MatchTimeout);
            })
        },
    };

    [Theory, RowsOf(nameof(Keys))]
    public void Each_key_is_read_and_the_others_keep_their_defaults(string name)
    {
        var c = Keys[name];

        var policy = Parse(c.Yaml);

        c.Check(policy);
        AssertDefaults(policy, except: c.Key);
    }

    public sealed record ErrorCase(string Yaml, string Key, int Line);

    public static readonly Table<ErrorCase> Errors = new()
    {
        { "unknown top-level key", new("apiVersion: approvals.admission.dev/v1alpha1\nkind: AdmissionPolicy\nrequiredApprovals: 2\nrequiredAprovals: 3\n", "requiredAprovals", 4) },
        { "unknown key in tier1", new("tier1:\n  namespace: [payments]\n", "tier1.namespace", 2) },
        { "unknown key in namespaceSelector", new("tier1:\n  namespaceSelector:\n    matchLabel: {a: b}\n", "tier1.namespaceSelector.matchLabel", 3) },
        { "requiredApprovals as a quoted string", new("requiredApprovals: \"two\"\n", "requiredApprovals", 1) },
        { "requiredApprovals as a word", new("# policy\nrequiredApprovals: two\n", "requiredApprovals", 2) },
        { "requiredApprovals a fraction", new("requiredApprovals: 2.5\n", "requiredApprovals", 1) },
        { "requiredApprovals 1 (below the two-person rule)", new("\n\nrequiredApprovals: 1\n", "requiredApprovals", 3) },
        { "requiredApprovals 0", new("requiredApprovals: 0\n", "requiredApprovals", 1) },
        { "requiredApprovals negative", new("requiredApprovals: -2\n", "requiredApprovals", 1) },
        { "allowReplicaChanges: maybe", new("maxValidity: 24h\nallowReplicaChanges: maybe\n", "allowReplicaChanges", 2) },
        { "allowReplicaChanges as a quoted string", new("allowReplicaChanges: \"true\"\n", "allowReplicaChanges", 1) },
        { "workloadKinds as a string, not a list", new("workloadKinds: Deployment\n", "workloadKinds", 1) },
        { "workloadKinds item not group/Kind", new("workloadKinds:\n- apps/Deployment\n- apps/deployment\n", "workloadKinds[1]", 3) },
        { "workloadKinds Deployment without apps/", new("workloadKinds:\n- Pod\n- Deployment\n", "workloadKinds[1]", 3) },
        { "workloadKinds apps/Job (Job is batch)", new("workloadKinds: [apps/Job]\n", "workloadKinds[0]", 1) },
        { "workloadKinds batch/Cronjob (no such kind)", new("workloadKinds: [batch/Cronjob]\n", "workloadKinds[0]", 1) },
        { "interactiveAccess not a listed choice", new("interactiveAccess: sometimes\n", "interactiveAccess", 1) },
        { "interactiveAccess as a list", new("interactiveAccess: [deny]\n", "interactiveAccess", 1) },
        { "allowRestarts: maybe", new("allowRestarts: maybe\n", "allowRestarts", 1) },
        { "trustedControllers as a string", new("trustedControllers: system:kube-controller-manager\n", "trustedControllers", 1) },
        { "approverGroups as a string, not a list", new("approverGroups: tier1-approvers\n", "approverGroups", 1) },
        { "approverGroups item a mapping", new("approverGroups:\n- {name: x}\n", "approverGroups[0]", 2) },
        { "tier1 as a list", new("tier1: [payments]\n", "tier1", 1) },
        { "tier1.namespaces as a string", new("tier1:\n  namespaces: payments\n", "tier1.namespaces", 2) },
        { "matchExpressions with an unknown operator", new("tier1:\n  namespaceSelector:\n    matchExpressions:\n    - {key: env, operator: Equals, values: [a]}\n", "tier1.namespaceSelector.matchExpressions[0].operator", 4) },
        { "maxValidity not a duration", new("maxValidity: forever\n", "maxValidity", 1) },
        { "maxValidity without a unit", new("maxValidity: 168\n", "maxValidity", 1) },
        { "maxValidity in days (not a Go duration)", new("maxValidity: 7d\n", "maxValidity", 1) },
        { "maxValidity zero", new("maxValidity: 0s\n", "maxValidity", 1) },
        { "ticketPattern not a regular expression", new("ticketPattern: \"CHG-[0-9\"\n", "ticketPattern", 1) },
        { "ticketPattern that only parses once wrapped", new("ticketPattern: \"CHG-[0-9]+)|(.*\"\n", "ticketPattern", 1) },
        { "ticketPattern with a backreference (needs backtracking)", new("ticketPattern: \"(CHG)-\\\\1\"\n", "ticketPattern", 1) },
        { "ticketPattern with a lookahead (needs backtracking)", new("ticketPattern: \"(?=CHG)[A-Z]+-[0-9]+\"\n", "ticketPattern", 1) },
        { "apiVersion wrong", new("apiVersion: v1\n", "apiVersion", 1) },
        { "kind wrong", new("kind: ConfigMap\n", "kind", 1) },
    };

    [Theory, RowsOf(nameof(Errors))]
    public void Error_names_the_key_and_the_line(string name)
    {
        var c = Errors[name];

        var e = Assert.Throws<InputException>(() => Parse(c.Yaml));

        var error = Assert.Single(e.Errors);
        Assert.Equal(c.Key, error.Field);
        Assert.Equal(c.Line, error.Line);
        Assert.Contains($"{Source}:{c.Line}", e.Message, StringComparison.Ordinal);
        Assert.Contains(c.Key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_errors_are_reported_together_each_with_its_line()
    {
        const string yaml = "requiredApprovals: 1\nallowReplicaChanges: maybe\nworkloadKinds: Deployment\nmaxValidity: 3d\ncolour: blue\n";

        var e = Assert.Throws<InputException>(() => Parse(yaml));

        Assert.Equal(
            [("requiredApprovals", 1), ("allowReplicaChanges", 2), ("workloadKinds", 3), ("maxValidity", 4), ("colour", 5)],
            e.Errors.Select(x => (x.Field, x.Line ?? 0)));
        for (var line = 1; line <= 5; line++) Assert.Contains($"{Source}:{line}", e.Message, StringComparison.Ordinal);
    }

    public static readonly Table<(string Yaml, int Line)> BadYaml = new()
    {
        { "unclosed flow sequence", ("requiredApprovals: 2\nworkloadKinds: [apps/Deployment\nexemptUsers: []\n", 2) },
        { "bad indentation", ("tier1:\n  namespaces: [a]\n namespaceSelector: {}\n", 3) },
        { "unclosed flow sequence on the first line", ("workloadKinds: [apps/Deployment, Pod\nexemptUsers: []\n", 1) },
    };

    [Theory, RowsOf(nameof(BadYaml))]
    public void Invalid_yaml_names_the_line(string name)
    {
        var (yaml, line) = BadYaml[name];

        var e = Assert.Throws<InputException>(() => Parse(yaml));

        var error = Assert.Single(e.Errors);
        Assert.Equal(line, error.Line);
        Assert.Contains($"{Source}:{line}", e.Message, StringComparison.Ordinal);
        Assert.Contains("YAML", e.Message, StringComparison.Ordinal);
    }

    public static readonly Table<string> NotAPolicy = new()
    {
        { "a list at the top", "- requiredApprovals: 2\n" },
        { "a scalar at the top", "requiredApprovals\n" },
        { "two documents", "requiredApprovals: 2\n---\nrequiredApprovals: 3\n" },
        { "a mapping used as a key", "? [requiredApprovals]\n: 2\n" },
    };

    [Theory, RowsOf(nameof(NotAPolicy))]
    public void Text_that_is_not_one_policy_mapping_is_an_input_error(string name)
    {
        var e = Assert.Throws<InputException>(() => Parse(NotAPolicy[name]));

        Assert.NotEmpty(e.Errors);
        Assert.All(e.Errors, x => Assert.NotNull(x.Line));
        Assert.StartsWith($"{Source}:", e.Message, StringComparison.Ordinal);
    }
}
