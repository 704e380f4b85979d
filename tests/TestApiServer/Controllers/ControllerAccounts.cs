namespace Admission.TestApiServer;

/// <summary>
/// The usernames the stand-in's controllers write as: kube-controller-manager's service accounts
/// in kube-system, as the webhook and the stored changes see them.
/// </summary>
public static class ControllerAccounts
{
    private const string KubeSystem = "system:serviceaccount:kube-system:";

    public const string Deployment = KubeSystem + "deployment-controller";

    public const string ReplicaSet = KubeSystem + "replicaset-controller";

    public const string GarbageCollector = KubeSystem + "generic-garbage-collector";

    public const string Namespace = KubeSystem + "namespace-controller";

    /// <summary>The username of kube-system's service account <paramref name="serviceAccount"/>.</summary>
    internal static string Of(string serviceAccount) => KubeSystem + serviceAccount;
}
