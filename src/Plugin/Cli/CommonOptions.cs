using Admission.Plugin.Kube;

namespace Admission.Plugin.Cli;

/// <summary>The options every subcommand takes, as kubectl spells them.</summary>
public sealed class CommonOptions
{
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig")
    {
        HelpName = "FILE",
        Description = "Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)",
        Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        HelpName = "NAME",
        Description = "The kubeconfig context to use (default: its current-context)",
        Recursive = true,
    };

    public Option<string?> Namespace { get; } = new("--namespace", "-n")
    {
        HelpName = "NAMESPACE",
        Description = "The namespace (default: the context's namespace, else default)",
        Recursive = true,
    };

    public Option<string?> Policy { get; } = new("--policy")
    {
        HelpName = "FILE",
        Description = "Policy file (AdmissionPolicy YAML) to explain decisions with, instead of the cluster's",
        Recursive = true,
    };

    public Option<string> PolicyConfigMap { get; } = new("--policy-configmap")
    {
        HelpName = "NAMESPACE/NAME",
        Description = "NAMESPACE/NAME of the ConfigMap holding the policy under key policy.yaml (read when --policy is not given; defaults apply when it cannot be read)",
        DefaultValueFactory = _ => PolicySource.DefaultConfigMap,
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Kubeconfig);
        root.Options.Add(Context);
        root.Options.Add(Namespace);
        root.Options.Add(Policy);
        root.Options.Add(PolicyConfigMap);
    }

    public KubeSelection Selection(ParseResult result) =>
        new(result.GetValue(Kubeconfig), result.GetValue(Context), result.GetValue(Namespace));

    public Task<LoadedPolicy> LoadPolicyAsync(ParseResult result, IClusterClient client, CancellationToken cancellationToken) =>
        PolicySource.LoadAsync(result.GetValue(Policy), result.GetValue(PolicyConfigMap) ?? PolicySource.DefaultConfigMap, client, cancellationToken);
}
