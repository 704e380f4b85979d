namespace Admission.Operator.Tests.Check;

/// <summary>
/// The README's layout table names folders that exist, and every folder of <c>src/</c> that holds
/// code is named in it: moving code without saying where fails here.
/// </summary>
public sealed partial class ReadmeLayoutTests
{
    private static string LayoutSection()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
        var start = readme.IndexOf("## Layout", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Layout section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    /// <summary>Each row's path, and the folders its text names inside it (<c>`Cli/`</c>, and one level deeper for <c>`Cluster/` (`Watch/` …)</c>).</summary>
    private static List<string> NamedFolders()
    {
        var folders = new List<string>();
        foreach (var row in LayoutSection().Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            var top = cells[1].Trim('`').TrimEnd('/');
            folders.Add(top);
            string? parent = null;
            foreach (Match m in Folder().Matches(cells[2]))
            {
                var name = m.Groups["name"].Value;
                // "`Cluster/` cluster mode (`Watch/` …)": a folder named inside the parentheses after another is inside it.
                var inside = parent is not null && m.Index > cells[2].IndexOf($"`{parent}/`", StringComparison.Ordinal) &&
                             cells[2].LastIndexOf('(', m.Index) > cells[2].IndexOf($"`{parent}/`", StringComparison.Ordinal) &&
                             cells[2].IndexOf(')', cells[2].IndexOf($"`{parent}/`", StringComparison.Ordinal)) > m.Index;
                folders.Add(inside ? $"{top}/{parent}/{name}" : $"{top}/{name}");
                if (!inside) parent = name;
            }
        }
        return folders;
    }

    [Fact]
    public void Every_folder_the_layout_names_exists()
    {
        var named = NamedFolders();
        Assert.Contains("src/Operator/Cluster/Watch", named);
        foreach (var folder in named)
        {
            Assert.True(Directory.Exists(Path.Combine(Repo.Root, folder)), $"README.md's layout names {folder}/, which does not exist");
        }
    }

    [Fact]
    public void Every_source_folder_is_named_in_the_layout()
    {
        var named = NamedFolders().ToHashSet(StringComparer.Ordinal);
        var src = Path.Combine(Repo.Root, "src");
        foreach (var dir in Directory.EnumerateDirectories(src, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repo.Root, dir).Replace('\\', '/');
            if (relative.Split('/').Any(p => p is "bin" or "obj" or "Data")) continue;
            if (!Directory.EnumerateFiles(dir, "*.cs").Any()) continue;
            Assert.True(named.Contains(relative), $"{relative}/ holds code but README.md's layout does not say what it is");
        }
    }

    [GeneratedRegex(@"`(?<name>[A-Z][A-Za-z]*)/`")]
    private static partial Regex Folder();
}
