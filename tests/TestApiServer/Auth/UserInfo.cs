namespace Admission.TestApiServer.Auth;

/// <summary>An authenticated caller, as kube-apiserver hands it to admission webhooks.</summary>
public sealed record UserInfo(
    string Username,
    string Uid,
    IReadOnlyList<string> Groups,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);
