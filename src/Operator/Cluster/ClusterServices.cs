using Admission.Operator.Hosting;

namespace Admission.Operator.Cluster;

/// <summary>Cluster mode: approvals from the API server (see issue 4).</summary>
public static class ClusterServices
{
    public static void Add(WebApplicationBuilder builder, ServeOptions options) =>
        throw new Policies.InputException([new Policies.InputError("serve", null, "", "cluster mode is not available yet; pass --approvals PATH to run locally")]);
}
