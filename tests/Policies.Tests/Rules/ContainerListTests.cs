using System.Collections.ObjectModel;
using System.Text.Json;
using Admission.Policies.Tests.Support;

namespace Admission.Policies.Tests.Rules;

/// <summary>
/// The images of a pod spec come from containers, initContainers and ephemeralContainers only,
/// however the list's name is spelled in the JSON (a plainly written name is compared as parsed,
/// any other through its string); and a label selector matches the same whatever dictionary holds it.
/// </summary>
public class ContainerListTests
{
    public static readonly Table<(string PodSpec, string[] Images)> Lists = new()
    {
        { "containers, initContainers, ephemeralContainers, in document order", ("""{"initContainers":[{"image":"i"}],"containers":[{"image":"c"}],"ephemeralContainers":[{"image":"e"}]}""", ["i", "c", "e"]) },
        { "a list name written with escapes counts", ("""{"\u0063ontainers":[{"image":"c"}],"init\u0043ontainers":[{"image":"i"}]}""", ["c", "i"]) },
        { "a name that differs in case is no container list", ("""{"Containers":[{"image":"c"}],"containers ":[{"image":"d"}]}""", []) },
        { "a non-ASCII name is no container list", ("""{"contäiners":[{"image":"c"}],"containers":[{"image":"d"}]}""", ["d"]) },
        { "a prefix of a list name is none", ("""{"container":[{"image":"c"}],"Containers2":[{"image":"d"}]}""", []) },
        { "an escaped name that is another word is none", ("""{"\u0063ontainer":[{"image":"c"}]}""", []) },
    };

    [Theory, RowsOf(nameof(Lists))]
    public void Images_come_from_the_container_lists(string row)
    {
        var (podSpec, images) = Lists[row];
        using var doc = JsonDocument.Parse("""{"spec":""" + podSpec + "}");
        Assert.Equal(images, ObjectInspection.Images(doc.RootElement, new WorkloadKind("", "Pod")));
    }

    public static readonly Table<(IReadOnlyDictionary<string, string> Labels, bool Tier1)> Selectors = new()
    {
        { "the label matches", (new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" }, true) },
        { "another value", (new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "2" }, false) },
        { "no label", (new Dictionary<string, string>(), false) },
    };

    [Theory, RowsOf(nameof(Selectors))]
    public void A_selector_matches_the_same_whatever_dictionary_holds_its_labels(string row)
    {
        var (labels, tier1) = Selectors[row];
        var wanted = new Dictionary<string, string> { [AdmissionPolicy.TierLabel] = "1" };
        var requirement = new LabelSelectorRequirement(AdmissionPolicy.TierLabel, "Exists", []);
        Assert.Equal(tier1, new LabelSelector(wanted, []).Matches(labels));
        Assert.Equal(tier1, new LabelSelector(new ReadOnlyDictionary<string, string>(wanted), []).Matches(labels));
        Assert.Equal(tier1, new LabelSelector(wanted.ToFrozenDictionaryForTest(), [requirement]).Matches(labels));
    }
}

internal static class FrozenForTest
{
    public static IReadOnlyDictionary<string, string> ToFrozenDictionaryForTest(this Dictionary<string, string> d) =>
        System.Collections.Frozen.FrozenDictionary.ToFrozenDictionary(d, StringComparer.Ordinal);
}
