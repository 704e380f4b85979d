using System.Security.Cryptography;
using Admission.Policies;

namespace Admission.Operator.Cli;

/// <summary>Reads the policy file from disk; the parsing itself is the engine's.</summary>
public static class PolicyLoader
{
    public static AdmissionPolicy Load(string? path) => LoadWithHash(path).Policy;

    /// <summary>The policy and the hex SHA-256 of the bytes it was parsed from (empty for the defaults), so a reload can tell a change.</summary>
    public static (AdmissionPolicy Policy, string Sha256) LoadWithHash(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return (AdmissionPolicy.Default, "");
        }
        if (Directory.Exists(path))
        {
            throw new InputException([new InputError(path, null, "", "is a folder, not a policy file (one AdmissionPolicy YAML file)")]);
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException([new InputError(path, null, "", Hosting.StartupFiles.CannotRead(e))]);
        }
        return (PolicyParser.Parse(Decode(bytes), path), Convert.ToHexString(SHA256.HashData(bytes)));
    }

    /// <summary>The file's text as File.ReadAllText would give it (UTF-8, or the encoding its byte order mark names).</summary>
    public static string Decode(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
