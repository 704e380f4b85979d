using Admission.Kubernetes;
using Admission.Policies;
using k8s;

namespace Admission.Operator.Cli;

/// <summary>
/// The shared client setup (<see cref="ClientSetup.FileOrInCluster"/>) as a command's input: a
/// kubeconfig that is missing or unreadable, or no cluster at all, is an input error (exit 2,
/// the file named), as for any other file a command reads.
/// </summary>
internal static class ClusterConfiguration
{
    public static KubernetesClientConfiguration Load(string? kubeconfig, string command, string noCluster)
    {
        try
        {
            return ClientSetup.FileOrInCluster(kubeconfig)
                ?? throw new InputException([new InputError(command, null, "", noCluster)]);
        }
        catch (KubeconfigException e)
        {
            throw new InputException([new InputError(e.Where ?? command, null, "", e.Message)]);
        }
    }
}
