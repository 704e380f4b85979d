namespace Admission.Policies;

/// <summary>The authenticated caller, as kube-apiserver reports it in the AdmissionReview.</summary>
public sealed record UserInfo(string Username, IReadOnlyList<string> Groups)
{
    public static readonly UserInfo Unknown = new("unknown", []);

    public bool InAnyGroup(IReadOnlySet<string> groups)
    {
        foreach (var g in Groups)
        {
            if (groups.Contains(g))
            {
                return true;
            }
        }
        return false;
    }
}
