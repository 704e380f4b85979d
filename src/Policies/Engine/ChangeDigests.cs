using System.Text.Json;
using Admission.Policies.Digest;

namespace Admission.Policies;

/// <summary>
/// The change digests of one request (contract section 2.5), computed at most once and only when
/// asked: <see cref="Result"/> is the digest of the object the change leaves behind (for a
/// DELETE, of the object deleted), <see cref="Base"/> that of the live object an UPDATE changes.
/// </summary>
public sealed class ChangeDigests(AdmissionInput request, AdmissionPolicy policy)
{
    private Slot result, @base;
    // The base is only compared with an approval's, on the admitting path: kept as bytes, and made
    // text only when a message, a preview or a break-glass review shows it. An array made when it is
    // hashed, so that decisions that never need the base (a scale request, a CREATE) pay nothing for it.
    private byte[]? baseHash;

    /// <summary>Null when there is no such object, or it has no canonical form (see <see cref="Problem"/>).</summary>
    public string? Result => Get(ref result, request.Operation == Operation.Delete ? request.OldObject : request.Object);

    /// <summary>Only for an UPDATE: the digest of <c>oldObject</c>.</summary>
    public string? Base => request.Operation == Operation.Update && HashBase() is { } hash ? @base.Value ??= ChangeDigest.Format(hash) : null;

    /// <summary>Whether <see cref="Base"/> is <paramref name="approved"/> (ordinal, as strings compare), without making the base's text.</summary>
    public bool BaseIs(string? approved) =>
        request.Operation == Operation.Update && HashBase() is { } hash ? ChangeDigest.Is(approved, hash) : approved is null;

    /// <summary>The base's hash, computed on first use; null without an oldObject or when it has no canonical form.</summary>
    private byte[]? HashBase()
    {
        if (!@base.Done)
        {
            @base.Done = true;
            if (request.OldObject is { } o)
            {
                var hash = new byte[32];
                if (ChangeDigest.TryHash(o, policy, hash, out var problem)) baseHash = hash;
                else @base.Problem = problem;
            }
        }
        return baseHash;
    }

    /// <summary>Why a digest could not be computed, if one could not.</summary>
    public string? Problem => (result.Problem ?? @base.Problem);

    public bool Computed => result.Done || @base.Done;

    private string? Get(ref Slot slot, JsonElement? obj)
    {
        if (!slot.Done)
        {
            slot.Done = true;
            if (obj is { } o)
            {
                if (ChangeDigest.TryOf(o, policy, out var digest, out var problem)) slot.Value = digest;
                else slot.Problem = problem;
            }
        }
        return slot.Value;
    }

    private struct Slot
    {
        public bool Done;
        public string? Value;
        public string? Problem;
    }
}
