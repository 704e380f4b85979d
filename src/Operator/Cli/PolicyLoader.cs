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
        if (Directory.Exists(path))
        {
            throw new InputException([new InputError(path, null, "", "is a folder, not a policy file (one AdmissionPolicy YAML file)")]);
        }
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException([new InputError(path, null, "", Hosting.StartupFiles.CannotRead(e))]);
        }
        return PolicyParser.Parse(text, path);
    }
}
