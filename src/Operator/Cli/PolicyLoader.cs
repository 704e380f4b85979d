using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>Reads the policy file from disk; the parsing itself is the engine's.</summary>
public static class PolicyLoader
{
    public static AdmissionPolicy Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return AdmissionPolicy.Default;
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException([new InputError(path, null, "", "cannot be read: " + e.Message)]);
        }
        return PolicyParser.Parse(text, path);
    }
}
