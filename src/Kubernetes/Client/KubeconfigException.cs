namespace Admission.Kubernetes;

/// <summary>The kubeconfig (or the in-cluster configuration) is missing, unreadable or names no usable context.</summary>
public sealed class KubeconfigException : Exception
{
    public KubeconfigException() { }

    public KubeconfigException(string message) : base(message) { }

    public KubeconfigException(string message, Exception innerException) : base(message, innerException) { }

    public KubeconfigException(string where, string message, Exception? innerException) : base(message, innerException) => Where = where;

    /// <summary>What could not be used: the kubeconfig file, or <c>in-cluster configuration</c>; null when the message says it.</summary>
    public string? Where { get; }
}
