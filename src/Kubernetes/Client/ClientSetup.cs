using k8s;

namespace Admission.Kubernetes;

/// <summary>
/// How a program gets a client: a configuration from a kubeconfig file or from inside the cluster,
/// and the client made from it. The operator's <c>serve</c> and <c>uninstall</c> take one file or
/// the in-cluster configuration; the plugin resolves files and contexts as kubectl does
/// (<see cref="KubeconfigFiles"/>) and comes here for the client.
/// </summary>
public static class ClientSetup
{
    /// <summary>What <see cref="KubeconfigException.Where"/> says when the in-cluster configuration could not be read.</summary>
    public const string InCluster = "in-cluster configuration";

    /// <summary>
    /// The kubeconfig file when one is given, else the in-cluster configuration when this runs in a
    /// pod; null when neither (the caller says what to pass instead). A file that is missing or
    /// unreadable, or a service-account mount that is broken, is a <see cref="KubeconfigException"/>
    /// carrying KubernetesClient's own message.
    /// </summary>
    public static KubernetesClientConfiguration? FileOrInCluster(string? kubeconfig)
    {
        try
        {
            if (kubeconfig is not null) return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
            if (KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException(kubeconfig ?? InCluster, e.Message, e);
        }
        return null;
    }

    /// <summary>
    /// A client for the configuration. <paramref name="coreGroupPaths"/>: generic custom-object
    /// calls may also name the core group ("") — Pods, ConfigMaps — through <see cref="CoreGroupPathHandler"/>.
    /// </summary>
    public static k8s.Kubernetes Create(KubernetesClientConfiguration config, bool coreGroupPaths = false) =>
        coreGroupPaths
            ? new k8s.Kubernetes(config, new CoreGroupPathHandler())
            : new k8s.Kubernetes(config);
}
