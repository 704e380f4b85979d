namespace Admission.TestApiServer.Http;

/// <summary>A request failure that becomes a metav1.Status body, like a StatusError in kube-apiserver.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(JsonObject status)
        : base(status["message"]?.ToString())
    {
        Status = status;
    }

    public JsonObject Status { get; }

    public int Code => (int)(Storage.JsonValues.Integer(Status["code"]) ?? 500);
}
