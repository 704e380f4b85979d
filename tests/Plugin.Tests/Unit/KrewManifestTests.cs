using YamlDotNet.RepresentationModel;

namespace Admission.Plugin.Tests.Unit;

/// <summary>
/// plugins/change.yaml read strictly with the schema krew documents for a plugin manifest
/// (krew.sigs.k8s.io, "Writing Krew plugin manifests"): the fields krew knows, of their types,
/// with the rules its validation applies (name = file name, a v-prefixed semantic version, a
/// platform per os/arch with a uri, a 64-hex sha256 and the bin that is installed).
/// </summary>
public partial class KrewManifestTests
{
    private static readonly string File_ = Path.Combine(RepoPaths.Root, "plugins", "change.yaml");

    [GeneratedRegex(@"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256();

    private static readonly string[] TopKeys = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] SpecKeys = ["version", "homepage", "shortDescription", "description", "caveats", "platforms"];
    private static readonly string[] PlatformKeys = ["selector", "uri", "sha256", "bin", "files"];
    private static readonly string[] Oses = ["linux", "darwin", "windows"];
    private static readonly string[] Arches = ["amd64", "arm64", "386", "arm"];

    private static YamlMappingNode Root()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(File_));
        stream.Load(reader);
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static string Str(YamlMappingNode map, string key) =>
        Assert.IsType<YamlScalarNode>(map.Children[new YamlScalarNode(key)], exactMatch: true).Value ?? "";

    private static YamlMappingNode Map(YamlMappingNode map, string key) => Assert.IsType<YamlMappingNode>(map.Children[new YamlScalarNode(key)]);

    private static void OnlyKeys(YamlMappingNode map, string[] known, string where) =>
        Assert.All(map.Children.Keys, k => Assert.True(known.Contains(((YamlScalarNode)k).Value), $"{where}: krew knows no field \"{k}\""));

    [Fact]
    public void The_manifest_is_a_krew_Plugin_named_for_its_file()
    {
        var root = Root();
        OnlyKeys(root, TopKeys, "top level");
        Assert.Equal("krew.googlecontainertools.github.com/v1alpha2", Str(root, "apiVersion"));
        Assert.Equal("Plugin", Str(root, "kind"));
        var meta = Map(root, "metadata");
        Assert.Equal(Path.GetFileNameWithoutExtension(File_), Str(meta, "name"));
        Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", Str(meta, "name"));
    }

    [Fact]
    public void The_spec_has_what_krew_requires()
    {
        var spec = Map(Root(), "spec");
        OnlyKeys(spec, SpecKeys, "spec");
        Assert.Matches(SemVer(), Str(spec, "version"));
        Assert.StartsWith("https://", Str(spec, "homepage"), StringComparison.Ordinal);
        var shortDescription = Str(spec, "shortDescription");
        Assert.InRange(shortDescription.Length, 1, 50);
        Assert.DoesNotContain("\n", shortDescription, StringComparison.Ordinal);
        Assert.NotEmpty(Str(spec, "description").Trim());
    }

    [Fact]
    public void Every_platform_is_one_os_and_arch_with_an_archive_checksum_and_bin()
    {
        var platforms = Assert.IsType<YamlSequenceNode>(Map(Root(), "spec").Children[new YamlScalarNode("platforms")]);
        Assert.NotEmpty(platforms.Children);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in platforms.Children.Cast<YamlMappingNode>())
        {
            OnlyKeys(p, PlatformKeys, "platform");
            var labels = Map(Map(p, "selector"), "matchLabels");
            var os = Str(labels, "os");
            var arch = Str(labels, "arch");
            Assert.Contains(os, Oses);
            Assert.Contains(arch, Arches);
            Assert.True(seen.Add($"{os}/{arch}"), $"{os}/{arch} twice");
            var uri = Str(p, "uri");
            Assert.StartsWith("https://", uri, StringComparison.Ordinal);
            Assert.True(uri.EndsWith(".tar.gz", StringComparison.Ordinal) || uri.EndsWith(".zip", StringComparison.Ordinal), uri);
            Assert.Matches(Sha256(), Str(p, "sha256"));
            var bin = Str(p, "bin");
            Assert.Equal(os == "windows" ? "kubectl-change.exe" : "kubectl-change", bin);
            var files = Assert.IsType<YamlSequenceNode>(p.Children[new YamlScalarNode("files")]);
            Assert.Contains(files.Children.Cast<YamlMappingNode>(), f => Str(f, "from") == bin);
        }
        Assert.Contains("linux/amd64", seen);
        Assert.Contains("darwin/arm64", seen);
        Assert.Contains("windows/amd64", seen);
    }
}
