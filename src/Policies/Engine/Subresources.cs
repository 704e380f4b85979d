namespace Admission.Policies;

/// <summary>How a request on a workload is decided, by its subresource (contract 2.2).</summary>
public enum SubresourceClass
{
    /// <summary>The workload itself: section 2's steps.</summary>
    Workload,
    /// <summary><c>scale</c>: an UPDATE of the replica count.</summary>
    Scale,
    /// <summary><c>status</c>, and a Pod's <c>eviction</c> and <c>binding</c>: they change no code.</summary>
    NotGuarded,
    /// <summary>exec, attach, portforward, ephemeralcontainers (and any CONNECT): by <c>interactiveAccess</c>.</summary>
    Interactive,
    /// <summary>Any other subresource (<c>pods/resize</c>, anything new): an UPDATE decided by what changes.</summary>
    AsUpdate,
}

public static class Subresources
{
    public static SubresourceClass Classify(AdmissionInput request, WorkloadKind kind)
    {
        // CONNECT opens a stream into running containers; there is no object to compare, so even a
        // CONNECT on a subresource the chart does not register (pods/proxy) is interactive access.
        if (request.Operation == Operation.Connect) return SubresourceClass.Interactive;
        return request.SubResource switch
        {
            null => SubresourceClass.Workload,
            "scale" => SubresourceClass.Scale,
            "status" => SubresourceClass.NotGuarded,
            "eviction" or "binding" when kind.IsPod => SubresourceClass.NotGuarded,
            "exec" or "attach" or "portforward" or "ephemeralcontainers" when kind.IsPod => SubresourceClass.Interactive,
            _ => SubresourceClass.AsUpdate,
        };
    }
}
