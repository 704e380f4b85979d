using System.Security.Cryptography;
using Admission.Operator.Tls;
using Admission.Policies;

namespace Admission.Operator.Hosting;

/// <summary>
/// Every file and folder <c>serve</c> is given, checked before the host starts: a mistake is one
/// line naming the option, the path and what is wrong with it, never a host stack trace. What
/// runs later (reloads) has the host's logging; what is wrong at the start stops the start.
/// </summary>
public static class StartupFiles
{
    /// <summary>Why a file could not be read, in the words a shell would use.</summary>
    public static string CannotRead(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "does not exist",
        UnauthorizedAccessException => "cannot be read: permission denied",
        _ => "cannot be read: " + e.Message,
    };

    /// <summary>A file that must exist, be a file and be readable; null when it is not, with the error recorded.</summary>
    public static string? ReadFile(string flag, string path, List<InputError> errors)
    {
        if (Directory.Exists(path))
        {
            errors.Add(new InputError(flag, null, "", $"\"{path}\" is a folder, not a file"));
            return null;
        }
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new InputError(flag, null, "", $"\"{path}\" {CannotRead(e)}"));
            return null;
        }
    }

    /// <summary>Contract 6: a local-mode path that does not exist is an error, not an empty store.</summary>
    public static void CheckApprovalPaths(IReadOnlyList<string> paths, List<InputError> errors)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                try
                {
                    _ = Directory.EnumerateFileSystemEntries(path).FirstOrDefault();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add(new InputError("--approvals", null, "", $"\"{path}\" {CannotRead(e)}"));
                }
            }
            else if (File.Exists(path))
            {
                _ = ReadFile("--approvals", path, errors);
            }
            else
            {
                errors.Add(new InputError("--approvals", null, "", $"\"{path}\" does not exist"));
            }
        }
    }

    /// <summary>
    /// The serving pair: each file holds what its option says (a swapped pair is named as such),
    /// and the key belongs to the certificate.
    /// </summary>
    public static void CheckPemPair(string certFile, string keyFile, List<InputError> errors)
    {
        var cert = ReadFile("--tls-cert", certFile, errors);
        var key = ReadFile("--tls-key", keyFile, errors);
        if (cert is null || key is null) return;
        var certHolds = PemLabels(cert);
        var keyHolds = PemLabels(key);
        var before = errors.Count;
        if (!certHolds.Contains("CERTIFICATE") && certHolds.Any(IsKey) && keyHolds.Contains("CERTIFICATE") && !keyHolds.Any(IsKey))
        {
            // One line for one mistake.
            errors.Add(new InputError("--tls-cert", null, "", $"\"{certFile}\" holds a private key, not a PEM certificate; " +
                $"--tls-cert and --tls-key look swapped (\"{keyFile}\" holds the certificate)"));
            return;
        }
        if (!certHolds.Contains("CERTIFICATE"))
        {
            errors.Add(new InputError("--tls-cert", null, "", $"\"{certFile}\" holds {Describe(certHolds)}, not a PEM certificate"));
        }
        if (!keyHolds.Any(IsKey))
        {
            errors.Add(new InputError("--tls-key", null, "", $"\"{keyFile}\" holds {Describe(keyHolds)}, not a PEM private key"));
        }
        if (errors.Count > before) return;
        try
        {
            using var loaded = PemCertificateLoader.Load(certFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: the key is of another pair ("does not match the public key").
            errors.Add(new InputError("--tls-key", null, "", $"\"{keyFile}\" cannot be used with the certificate in \"{certFile}\": {FirstSentence(e.Message)}"));
        }
    }

    /// <summary>The generated-certificate folder: a folder (or creatable), and writable.</summary>
    public static void CheckTlsDir(string dir, List<InputError> errors)
    {
        if (File.Exists(dir))
        {
            errors.Add(new InputError("--tls-dir", null, "", $"\"{dir}\" is a file; --tls-dir is the folder where the generated CA and serving certificate are kept"));
        }
    }

    /// <summary>Wraps the generation of the CA and serving certificate so a failure names --tls-dir.</summary>
    public static bool EnsureTlsDir(TlsDirectory.Files files, IReadOnlyCollection<string> names, DateTimeOffset now)
    {
        try
        {
            return TlsDirectory.Ensure(files, names, now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            throw new InputException([new InputError("--tls-dir", null, "", $"\"{files.Directory}\": cannot write the generated certificates: {why}")]);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    private static bool IsKey(string label) => label.EndsWith("PRIVATE KEY", StringComparison.Ordinal);

    private static string Describe(IReadOnlyList<string> labels) => labels.Count switch
    {
        0 => "no PEM block",
        _ => string.Join(" and ", labels.Distinct().Select(l => IsKey(l) ? "a private key" : l == "CERTIFICATE" ? "a certificate" : $"a {l}")),
    };

    /// <summary>The labels of the PEM blocks in a text (<c>-----BEGIN X-----</c>), in order.</summary>
    private static List<string> PemLabels(string text)
    {
        var labels = new List<string>();
        const string begin = "-----BEGIN ";
        for (var i = text.IndexOf(begin, StringComparison.Ordinal); i >= 0; i = text.IndexOf(begin, i + 1, StringComparison.Ordinal))
        {
            var start = i + begin.Length;
            var end = text.IndexOf("-----", start, StringComparison.Ordinal);
            if (end < 0) break;
            labels.Add(text[start..end]);
        }
        return labels;
    }
}
