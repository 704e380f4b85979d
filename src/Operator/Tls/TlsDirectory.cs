using System.Security.Cryptography.X509Certificates;

namespace Admission.Operator.Tls;

/// <summary>
/// <c>serve</c> without <c>--tls-cert</c>: a CA and serving certificate kept under <c>--tls-dir</c>,
/// reused on the next start while they still cover the names asked for and are not near expiry.
/// </summary>
public static class TlsDirectory
{
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan ServingValidity = TimeSpan.FromDays(365);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public sealed record Files(string Directory)
    {
        public string CaCert => Path.Combine(Directory, "ca.crt");
        public string CaKey => Path.Combine(Directory, "ca.key");
        public string Cert => Path.Combine(Directory, "tls.crt");
        public string Key => Path.Combine(Directory, "tls.key");
    }

    /// <summary>Makes sure the files exist and are fit for use; returns whether new ones were written.</summary>
    public static bool Ensure(Files files, IReadOnlyCollection<string> names, DateTimeOffset now)
    {
        Directory.CreateDirectory(files.Directory);
        X509Certificate2? ca = null;
        if (File.Exists(files.CaCert) && File.Exists(files.CaKey))
        {
            try
            {
                ca = X509Certificate2.CreateFromPemFile(files.CaCert, files.CaKey);
                if (ca.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore)
                {
                    ca.Dispose();
                    ca = null;
                }
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                ca = null;
            }
        }
        if (ca is not null && ServingFits(files, ca, names, now))
        {
            ca.Dispose();
            return false;
        }
        var newCa = ca is null;
        ca ??= CertificateAuthority.CreateCa("admission-webhook-ca", now, CaValidity);
        using var caInUse = ca;
        using var serving = CertificateAuthority.IssueServing(ca, names, now, ServingValidity);
        if (newCa)
        {
            WritePrivate(files.CaKey, CertificateAuthority.KeyPem(ca));
            File.WriteAllText(files.CaCert, CertificateAuthority.CertificatePem(ca));
        }
        WritePrivate(files.Key + ".tmp", CertificateAuthority.KeyPem(serving));
        File.WriteAllText(files.Cert + ".tmp", CertificateAuthority.CertificatePem(serving));
        File.Move(files.Key + ".tmp", files.Key, overwrite: true);
        File.Move(files.Cert + ".tmp", files.Cert, overwrite: true);
        return true;
    }

    private static bool ServingFits(Files files, X509Certificate2 ca, IReadOnlyCollection<string> names, DateTimeOffset now)
    {
        if (!File.Exists(files.Cert) || !File.Exists(files.Key)) return false;
        try
        {
            using var cert = X509Certificate2.CreateFromPemFile(files.Cert, files.Key);
            if (cert.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore) return false;
            if (cert.Issuer != ca.Subject) return false;
            return names.All(n => cert.MatchesHostname(n, allowWildcards: false, allowCommonName: false));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Writes a private key readable by its owner only from the moment the file exists: the mode
    /// is given at creation (not set afterwards, which would leave a window where the key is
    /// world-readable under a permissive umask). A leftover file is removed first, because a
    /// creation mode applies only to a file that is created.
    /// </summary>
    internal static void WritePrivate(string path, string content)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var writer = new StreamWriter(path, options);
        writer.Write(content);
    }
}
