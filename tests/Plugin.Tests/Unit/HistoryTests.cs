namespace Admission.Plugin.Tests.Unit;

/// <summary><c>kubectl change history</c>: the change records the operator kept, as a table, JSON or CSV.</summary>
public class HistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Record(string ns, string name, string target, string appliedAt, string reason = "Roll out 2.4.1") => new()
    {
        ["kind"] = "ChangeApplied",
        ["changeApproval"] = new JsonObject { ["namespace"] = ns, ["name"] = name, ["uid"] = "uid-" + name },
        ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["namespace"] = ns, ["name"] = target },
        ["requestedBy"] = "carol",
        ["reason"] = reason,
        ["ticket"] = "CHG-1",
        ["reviews"] = new JsonArray(
            new JsonObject { ["by"] = "alice", ["decision"] = "Approve", ["at"] = "2026-03-06T09:12:00Z", ["comment"] = "checked the canary" },
            new JsonObject { ["by"] = "bob", ["decision"] = "Approve", ["at"] = "2026-03-06T09:20:00Z", ["comment"] = null }),
        ["approvedBy"] = new JsonArray("alice", "bob"),
        ["change"] = new JsonObject { ["digest"] = "sha256:aa", ["base"] = "sha256:bb" },
        ["images"] = new JsonArray(),
        ["appliedAt"] = appliedAt,
        ["admissionUid"] = null,
        ["recordedAt"] = appliedAt,
    };

    private static FakeCluster Cluster()
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        cluster.AddTier1Namespace("ledger");
        void Add(string ns, string name, JsonObject? record)
        {
            var meta = new JsonObject { ["name"] = name };
            if (record is not null) meta["annotations"] = new JsonObject { ["audit.approvals.admission.dev/record"] = record.ToJsonString() };
            cluster.Put(ApiResource.ChangeApprovals, ns, new JsonObject
            {
                ["apiVersion"] = "approvals.admission.dev/v1alpha1",
                ["kind"] = "ChangeApproval",
                ["metadata"] = meta,
                ["spec"] = new JsonObject(),
            });
        }
        Add("payments", "checkout-1", Record("payments", "checkout-1", "checkout", "2026-03-06T10:00:00Z"));
        Add("payments", "checkout-2", Record("payments", "checkout-2", "checkout", "2026-03-06T11:00:00Z", "Fix \"quoted\", and commas"));
        Add("payments", "cart-1", Record("payments", "cart-1", "cart", "2026-03-06T10:30:00Z"));
        Add("payments", "pending", null);
        Add("ledger", "ledger-1", Record("ledger", "ledger-1", "ledger", "2026-03-05T10:00:00Z"));
        return cluster;
    }

    [Fact]
    public async Task The_table_lists_records_newest_first()
    {
        var result = await Run.RunAsync(Cluster(), "carol", "history");
        Assert.Equal(0, result.Exit);
        var lines = result.Out.TrimEnd('\n').Split('\n');
        Assert.StartsWith("APPLIED", lines[0], StringComparison.Ordinal);
        Assert.Equal(["checkout-2", "cart-1", "checkout-1"], lines[1..].Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[2].Trim()));
        Assert.Contains("deployment/checkout", lines[1], StringComparison.Ordinal);
        Assert.Contains("alice,bob", lines[1], StringComparison.Ordinal);
    }

    public static TheoryData<string[], string[]> Filters => new()
    {
        { [], ["checkout-2", "cart-1", "checkout-1"] },
        { ["deployment/checkout"], ["checkout-2", "checkout-1"] },
        { ["deploy/cart"], ["cart-1"] },
        { ["statefulset/checkout"], [] },
        { ["-A"], ["checkout-2", "cart-1", "checkout-1", "ledger-1"] },
        { ["-n", "ledger"], ["ledger-1"] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Json_holds_the_records_of_the_namespace_and_target_asked_for(string[] args, string[] names)
    {
        var result = await Run.RunAsync(Cluster(), "carol", ["history", .. args, "-o", "json"]);
        Assert.True(result.Exit == 0, result.ToString());
        var records = JsonNode.Parse(result.Out)!.AsArray();
        Assert.Equal(names, records.Select(r => r!["changeApproval"]!["name"]!.ToString()));
    }

    [Fact]
    public async Task Csv_has_one_quoted_row_per_change()
    {
        var result = await Run.RunAsync(Cluster(), "carol", "history", "deployment/checkout", "-o", "csv");
        Assert.Equal(0, result.Exit);
        var rows = result.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("appliedAt,namespace,kind,name,changeApproval,changeApprovalUid,requestedBy,approvedBy,reviews,reason,ticket,digest,base,recordedAt,kind", rows[0]);
        Assert.Equal(3, rows.Length);
        Assert.Equal(
            "\"2026-03-06T11:00:00Z\",\"payments\",\"Deployment\",\"checkout\",\"checkout-2\",\"uid-checkout-2\",\"carol\",\"alice,bob\"," +
            "\"alice Approve at 2026-03-06T09:12:00Z: checked the canary; bob Approve at 2026-03-06T09:20:00Z\"," +
            "\"Fix \"\"quoted\"\", and commas\",\"CHG-1\",\"sha256:aa\",\"sha256:bb\",\"2026-03-06T11:00:00Z\",\"ChangeApplied\"", rows[1]);
    }

    /// <summary>A break-glass record, as the operator keeps it on the retrospective ChangeApproval, with the reviews given since.</summary>
    private static FakeCluster BreakGlassCluster(params string[] reviewers)
    {
        var cluster = new FakeCluster(Now);
        cluster.AddTier1Namespace("payments");
        var record = new JsonObject
        {
            ["kind"] = "BreakGlassAdmitted",
            ["changeApproval"] = new JsonObject { ["namespace"] = "payments", ["name"] = "break-glass-checkout-0123", ["uid"] = null },
            ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["namespace"] = "payments", ["name"] = "checkout" },
            ["operation"] = "UPDATE",
            ["requestedBy"] = "erin",
            ["breakGlassBy"] = "erin",
            ["reason"] = "INC-4500: checkout down",
            ["ticket"] = null,
            ["reviews"] = new JsonArray(),
            ["approvedBy"] = new JsonArray(),
            ["change"] = new JsonObject { ["digest"] = "sha256:cc", ["base"] = "sha256:dd" },
            ["appliedAt"] = "2026-03-06T03:14:00Z",
            ["admissionUid"] = "0b6f",
            ["recordedAt"] = "2026-03-06T03:14:01Z",
        };
        cluster.Put(ApiResource.ChangeApprovals, "payments", new JsonObject
        {
            ["apiVersion"] = "approvals.admission.dev/v1alpha1",
            ["kind"] = "ChangeApproval",
            ["metadata"] = new JsonObject
            {
                ["name"] = "break-glass-checkout-0123",
                ["uid"] = "uid-bg",
                ["labels"] = new JsonObject { ["approvals.admission.dev/retrospective"] = "true" },
                ["annotations"] = new JsonObject { ["audit.approvals.admission.dev/record"] = record.ToJsonString() },
            },
            ["spec"] = new JsonObject
            {
                ["requestedBy"] = "erin",
                ["approvals"] = new JsonArray([.. reviewers.Select(r => (JsonNode)new JsonObject { ["approver"] = r, ["approvedAt"] = "2026-03-06T09:00:00Z", ["comment"] = "ok" })]),
            },
        });
        return cluster;
    }

    [Fact]
    public async Task A_break_glass_change_is_listed_with_the_reviews_of_its_retrospective_approval()
    {
        var unreviewed = await Run.RunAsync(BreakGlassCluster(), "carol", "history");
        Assert.Equal(0, unreviewed.Exit);
        var row = unreviewed.Out.TrimEnd('\n').Split('\n')[1];
        Assert.Contains("erin (break glass)", row, StringComparison.Ordinal);
        Assert.Contains("(not reviewed yet)", row, StringComparison.Ordinal);
        Assert.Contains("break-glass-checkout-0123", row, StringComparison.Ordinal);

        var reviewed = await Run.RunAsync(BreakGlassCluster("alice", "bob"), "carol", "history", "-o", "json");
        var record = Assert.Single(JsonNode.Parse(reviewed.Out)!.AsArray())!;
        Assert.Equal("BreakGlassAdmitted", record["kind"]!.ToString());
        Assert.Equal("uid-bg", record["changeApproval"]!["uid"]!.ToString());
        Assert.Equal(["alice", "bob"], record["approvedBy"]!.AsArray().Select(a => a!.ToString()));
        Assert.Equal(["alice", "bob"], record["reviews"]!.AsArray().Select(a => a!["by"]!.ToString()));
        Assert.Equal("sha256:cc", record["change"]!["digest"]!.ToString());

        var csv = await Run.RunAsync(BreakGlassCluster("alice", "bob"), "carol", "history", "-o", "csv");
        Assert.EndsWith(",\"BreakGlassAdmitted\"", csv.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_records_says_so()
    {
        var result = await Run.RunAsync(Cluster(), "carol", "history", "-n", "dev");
        Assert.Equal((0, "", "No change records found in dev namespace.\n"), (result.Exit, result.Out, result.Err));
    }
}

/// <summary><c>kubectl change list --retrospective</c>: only the break-glass review debts.</summary>
public class RetrospectiveListTests
{
    [Fact]
    public async Task Only_retrospective_change_approvals_are_listed()
    {
        var cluster = new FakeCluster(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero));
        cluster.AddTier1Namespace("payments");
        foreach (var (name, retro) in new[] { ("ordinary", false), ("after-break-glass", true) })
        {
            var meta = new JsonObject { ["name"] = name };
            if (retro) meta["labels"] = new JsonObject { ["approvals.admission.dev/retrospective"] = "true" };
            cluster.Put(ApiResource.ChangeApprovals, "payments", new JsonObject
            {
                ["apiVersion"] = "approvals.admission.dev/v1alpha1",
                ["kind"] = "ChangeApproval",
                ["metadata"] = meta,
                ["spec"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["apiGroup"] = "apps", ["kind"] = "Deployment", ["name"] = "checkout" },
                    ["reason"] = "x",
                    ["requestedBy"] = "carol",
                    ["expiresAt"] = "2026-03-07T12:00:00Z",
                    ["approvals"] = new JsonArray(),
                },
            });
        }
        var all = await Run.RunAsync(cluster, "carol", "list", "-o", "json");
        Assert.Equal(["after-break-glass", "ordinary"], JsonNode.Parse(all.Out)!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
        var only = await Run.RunAsync(cluster, "carol", "list", "--retrospective", "-o", "json");
        Assert.Equal(["after-break-glass"], JsonNode.Parse(only.Out)!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
        var table = await Run.RunAsync(cluster, "carol", "list", "--retrospective");
        Assert.Contains("after-break-glass", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("ordinary", table.Out, StringComparison.Ordinal);
    }
}
