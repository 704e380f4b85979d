namespace Admission.TestApiServer.Admission;

/// <summary>What one write looks like to admission: kube-apiserver's admission.Attributes.</summary>
/// <param name="Namespace">For a Namespace object its own name, as kube-apiserver sends it.</param>
/// <param name="Object">Null on DELETE. On the scale subresource an autoscaling/v1 Scale.</param>
/// <param name="Options">CreateOptions, UpdateOptions or DeleteOptions.</param>
internal sealed record AdmissionAttributes(
    ResourceDefinition Resource,
    string Subresource,
    string Operation,
    string Namespace,
    string Name,
    JsonObject? Object,
    JsonObject? OldObject,
    bool DryRun,
    JsonObject Options,
    UserInfo User)
{
    public bool IsScale => Subresource == "scale";

    public (string Group, string Version, string Kind) Kind =>
        IsScale ? ("autoscaling", "v1", "Scale") : (Resource.Group, Resource.Version, Resource.Kind);
}
