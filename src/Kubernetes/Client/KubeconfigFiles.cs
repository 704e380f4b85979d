using k8s;
using k8s.KubeConfigModels;

namespace Admission.Kubernetes;

/// <summary>
/// kubectl's way to a cluster: which kubeconfig files (<c>--kubeconfig</c>, else every existing file
/// of <c>$KUBECONFIG</c>, else <c>~/.kube/config</c>), merged with the first occurrence of each name
/// winning, and one context of them. Every problem is a <see cref="KubeconfigException"/> naming the files.
/// </summary>
public static class KubeconfigFiles
{
    /// <summary>--kubeconfig (must exist), else every existing file of $KUBECONFIG (separated like PATH), else ~/.kube/config.</summary>
    public static IReadOnlyList<string> Resolve(string? explicitPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!File.Exists(explicitPath)) throw new KubeconfigException($"kubeconfig {explicitPath} does not exist");
            return [explicitPath];
        }
        var fromEnv = environment("KUBECONFIG");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            var listed = fromEnv.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct().Where(File.Exists).ToArray();
            if (listed.Length == 0) throw new KubeconfigException($"none of the files in KUBECONFIG ({fromEnv}) exists");
            return listed;
        }
        var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var path = Path.Combine(home, ".kube", "config");
        if (!File.Exists(path)) throw new KubeconfigException($"no kubeconfig: {path} does not exist; set KUBECONFIG or pass --kubeconfig FILE");
        return [path];
    }

    /// <summary>
    /// The configuration of <paramref name="context"/> (else the files' current-context) in the merged
    /// files, and the context's name.
    /// </summary>
    public static (KubernetesClientConfiguration Config, string Context) Load(IReadOnlyList<string> files, string? context)
    {
        ArgumentNullException.ThrowIfNull(files);
        K8SConfiguration merged;
        try
        {
            merged = Merge([.. files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f), useRelativePaths: true))]);
        }
        catch (Exception e)
        {
            throw new KubeconfigException($"cannot read kubeconfig {string.Join(", ", files)}: {e.Message}", e);
        }
        var chosen = context ?? merged.CurrentContext;
        if (string.IsNullOrEmpty(chosen))
        {
            throw new KubeconfigException($"kubeconfig {string.Join(", ", files)} sets no current-context; pass --context NAME");
        }
        if (merged.Contexts?.Any(c => c.Name == chosen) != true)
        {
            throw new KubeconfigException($"context \"{chosen}\" is not in kubeconfig {string.Join(", ", files)}");
        }
        try
        {
            return (KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, chosen), chosen);
        }
        catch (Exception e)
        {
            throw new KubeconfigException($"context \"{chosen}\" cannot be used: {e.Message}", e);
        }
    }

    /// <summary>kubectl's merge of several kubeconfig files: the first occurrence of every name wins.</summary>
    public static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        if (configs.Count == 1) return configs[0];
        var merged = configs[0];
        merged.CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c));
        merged.Clusters = [.. configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name)];
        merged.Contexts = [.. configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name)];
        merged.Users = [.. configs.SelectMany(c => c.Users ?? []).DistinctBy(c => c.Name)];
        return merged;
    }
}
