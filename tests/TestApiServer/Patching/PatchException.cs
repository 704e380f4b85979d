namespace Admission.TestApiServer.Patching;

/// <summary>A patch that cannot be applied to the object: kube-apiserver answers 422 for these.</summary>
internal class PatchException(string message) : Exception(message);

/// <summary>A JSON patch "test" operation that did not hold.</summary>
internal sealed class PatchTestFailedException(string message) : PatchException(message);
