namespace Admission.TestApiServer.Storage;

/// <summary>A watch asked for history the store no longer has: kube-apiserver's 410 Gone / Expired.</summary>
internal sealed class ResourceExpiredException(string message) : Exception(message);
