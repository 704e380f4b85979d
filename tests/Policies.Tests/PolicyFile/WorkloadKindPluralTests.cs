using Admission.Policies.Tests.Support;

namespace Admission.Policies.Tests.PolicyFile;

/// <summary>
/// The plural a guarded kind is served as (what requests are guarded by) is worked out when the
/// kind is made; it must follow the kind through <c>with</c>, and equal kinds stay equal.
/// </summary>
public class WorkloadKindPluralTests
{
    public static readonly Table<(WorkloadKind Kind, string Plural)> Plurals = new()
    {
        { "a plain kind takes s", (new("apps", "Deployment"), "deployments") },
        { "a kind ending in s takes es", (new("example.com", "Canvas"), "canvases") },
        { "a kind ending in x, ch or sh takes es", (new("example.com", "Match"), "matches") },
        { "a consonant and y becomes ies", (new("example.com", "Policy"), "policies") },
        { "a vowel and y takes s", (new("example.com", "Gateway"), "gateways") },
        { "the core group's Pod", (new("", "Pod"), "pods") },
        { "a kind changed by with gets its own plural", (new WorkloadKind("apps", "Deployment") with { Kind = "Policy" }, "policies") },
        { "a group changed by with keeps the plural", (new WorkloadKind("apps", "Deployment") with { Group = "example.com" }, "deployments") },
    };

    [Theory, RowsOf(nameof(Plurals))]
    public void Plural(string row) => Assert.Equal(Plurals[row].Plural, Plurals[row].Kind.Plural);

    [Fact]
    public void Kinds_equal_by_group_and_kind_whatever_way_they_were_made()
    {
        var made = new WorkloadKind("apps", "StatefulSet");
        var changed = new WorkloadKind("apps", "Deployment") with { Kind = "StatefulSet" };
        Assert.Equal(made, changed);
        Assert.Equal(made.GetHashCode(), changed.GetHashCode());
        Assert.NotEqual(made, new WorkloadKind("apps", "Deployment"));
    }
}
