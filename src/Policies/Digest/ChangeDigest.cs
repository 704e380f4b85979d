using System.Security.Cryptography;
using System.Text.Json;

namespace Admission.Policies.Digest;

/// <summary>
/// The change digest of an object (contract, "change digest"): <c>sha256:</c> and the lowercase
/// hex SHA-256 of its content serialized by RFC 8785. The one function the webhook, <c>check</c>,
/// <c>admission digest</c> and the kubectl plugin all use.
/// </summary>
public static class ChangeDigest
{
    public const string Prefix = "sha256:";

    /// <summary>The digest of <paramref name="obj"/> under the policy's replica and restart settings.</summary>
    /// <exception cref="FormatException">The object has no canonical form (a key twice, a number beyond double range, a lone surrogate).</exception>
    public static string Of(JsonElement obj, AdmissionPolicy policy) =>
        Of(obj, policy.AllowReplicaChanges, policy.AllowRestarts);

    public static string Of(JsonElement obj, bool ignoreReplicas, bool ignoreRestarts)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Hash(obj, ignoreReplicas, ignoreRestarts, hash);
        return Format(hash);
    }

    /// <summary>The SHA-256 of the object's content: the digest before it is written as text.</summary>
    /// <exception cref="FormatException">As for <see cref="Of(JsonElement, AdmissionPolicy)"/>.</exception>
    internal static void Hash(JsonElement obj, bool ignoreReplicas, bool ignoreRestarts, Span<byte> hash)
    {
        var writer = CanonicalWriter.Rent();
        try
        {
            WriteContent(obj, ignoreReplicas, ignoreRestarts, writer);
            // One hash object per thread, reset by each result: the one-shot hash creates and frees
            // a native context per call, which on a 3 KB object costs about what hashing it does.
            var sha = t_sha ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(writer.Written);
            sha.GetHashAndReset(hash);
        }
        finally
        {
            writer.Return();
        }
    }

    /// <summary>Like <see cref="Hash"/>, but a problem is returned, not thrown.</summary>
    internal static bool TryHash(JsonElement obj, AdmissionPolicy policy, Span<byte> hash, out string? problem)
    {
        try
        {
            Hash(obj, policy.AllowReplicaChanges, policy.AllowRestarts, hash);
            problem = null;
            return true;
        }
        catch (FormatException e)
        {
            problem = e.Message;
            return false;
        }
    }

    private const int TextLength = 7 + 2 * SHA256.HashSizeInBytes;

    /// <summary>The digest's text: <c>sha256:</c> and the hash in lowercase hex.</summary>
    internal static string Format(ReadOnlySpan<byte> hash)
    {
        Span<char> text = stackalloc char[TextLength];
        Write(hash, text);
        return new string(text);
    }

    /// <summary>True when <paramref name="digest"/> is exactly the text <see cref="Format"/> gives for the hash, compared without making it.</summary>
    internal static bool Is(string? digest, ReadOnlySpan<byte> hash)
    {
        if (digest is null || digest.Length != TextLength) return false;
        Span<char> text = stackalloc char[TextLength];
        Write(hash, text);
        return digest.AsSpan().SequenceEqual(text);
    }

    private static void Write(ReadOnlySpan<byte> hash, Span<char> text)
    {
        Prefix.CopyTo(text);
        Convert.TryToHexStringLower(hash, text[Prefix.Length..], out _);
    }

    [ThreadStatic]
    private static IncrementalHash? t_sha;

    /// <summary>Like <see cref="Of(JsonElement, AdmissionPolicy)"/>, but a problem is returned, not thrown.</summary>
    public static bool TryOf(JsonElement obj, AdmissionPolicy policy, out string digest, out string? problem)
    {
        try
        {
            digest = Of(obj, policy);
            problem = null;
            return true;
        }
        catch (FormatException e)
        {
            (digest, problem) = ("", e.Message);
            return false;
        }
    }

    /// <summary>The canonical bytes the digest is taken of, for showing and comparing content.</summary>
    public static byte[] Content(JsonElement obj, AdmissionPolicy policy)
    {
        var writer = CanonicalWriter.Rent();
        try
        {
            WriteContent(obj, policy.AllowReplicaChanges, policy.AllowRestarts, writer);
            return writer.Written.ToArray();
        }
        finally
        {
            writer.Return();
        }
    }

    private static void WriteContent(JsonElement obj, bool ignoreReplicas, bool ignoreRestarts, CanonicalWriter output)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an object's change digest needs a JSON object");
        }
        var cronJob = obj.TryGetProperty("kind"u8, out var kind) && kind.ValueKind == JsonValueKind.String && kind.ValueEquals("CronJob");
        try
        {
            output.Write(obj, ContentPruning.For(cronJob, ignoreReplicas, ignoreRestarts));
        }
        catch (Exception e) when (e is InvalidOperationException or System.Text.EncoderFallbackException)
        {
            // System.Text.Json refuses strings holding a lone surrogate; so does strict UTF-8.
            throw new FormatException("a string holds a lone UTF-16 surrogate, which has no canonical JSON form", e);
        }
    }

    /// <summary>True for <c>sha256:</c> and 64 lowercase hex digits.</summary>
    public static bool IsWellFormed(string? digest)
    {
        if (digest is null || digest.Length != Prefix.Length + 64 || !digest.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        foreach (var c in digest.AsSpan(Prefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }
        return true;
    }
}
