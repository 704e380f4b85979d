namespace Admission.TestApiServer.Admission;

/// <summary>The webhook could not be called or gave no usable answer: what failurePolicy decides on.</summary>
internal sealed class WebhookCallException(string message) : Exception(message);
