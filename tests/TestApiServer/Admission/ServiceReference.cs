namespace Admission.TestApiServer.Admission;

/// <summary>
/// A webhook's clientConfig.service. There are no Services here: the test maps each one to a
/// loopback endpoint with <see cref="TestApiServer.ServiceResolver"/>. As in a cluster, TLS still
/// checks the certificate against NAME.NAMESPACE.svc.
/// </summary>
public sealed record ServiceReference(string Namespace, string Name, int Port, string Path);
