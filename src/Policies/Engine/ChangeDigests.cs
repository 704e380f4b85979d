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
    // Both hashes are kept as bytes and made text only when shown: the result's for the response,
    // the base's only when a message, a preview or a break-glass review shows it (on the admitting
    // path it is compared with the approval's as bytes). One array for both, made on first use.
    private const int Size = 32;
    private byte[]? _hashes;
    private Slot _result, _base;

    /// <summary>Null when there is no such object, or it has no canonical form (see <see cref="Problem"/>).</summary>
    public string? Result => Hash(ref _result, 0, request.Operation == Operation.Delete ? request.OldObject : request.Object)
        ? _result.Text ??= ChangeDigest.Format(_hashes.AsSpan(0, Size))
        : null;

    /// <summary>Only for an UPDATE: the digest of <c>oldObject</c>.</summary>
    public string? Base => HashBase() ? _base.Text ??= ChangeDigest.Format(_hashes.AsSpan(Size, Size)) : null;

    /// <summary>Whether <see cref="Base"/> is <paramref name="approved"/> (ordinal, as strings compare), without making the base's text.</summary>
    public bool BaseIs(string? approved) =>
        request.Operation == Operation.Update && HashBase() ? ChangeDigest.Is(approved, _hashes.AsSpan(Size, Size)) : approved is null;

    /// <summary>
    /// For an UPDATE, whether the object's content stays the same (contract, "Words"): the same
    /// digest before and after, which is what an approval of the change would bind. Null when
    /// this is no UPDATE of two objects, or either has no canonical form.
    /// </summary>
    /// <remarks>
    /// Every guarded UPDATE needs the result digest for its response, and one that an approval
    /// admits needs the base digest as well; comparing the two hashes answers whether the content
    /// changed without a third walk over both objects.
    /// </remarks>
    public bool? ContentUnchanged =>
        request.Operation == Operation.Update && Hash(ref _result, 0, request.Object) && HashBase()
            ? _hashes.AsSpan(0, Size).SequenceEqual(_hashes.AsSpan(Size, Size))
            : null;

    /// <summary>Why a digest could not be computed, if one could not.</summary>
    public string? Problem => _result.Problem ?? _base.Problem;

    public bool Computed => _result.Done || _base.Done;

    /// <summary>The base's hash, computed on first use; false for any operation but an UPDATE, without an oldObject, or when it has no canonical form.</summary>
    private bool HashBase() => request.Operation == Operation.Update && Hash(ref _base, Size, request.OldObject);

    private bool Hash(ref Slot slot, int at, JsonElement? obj)
    {
        if (!slot.Done)
        {
            slot.Done = true;
            if (obj is { } o)
            {
                _hashes ??= new byte[2 * Size];
                if (ChangeDigest.TryHash(o, policy, _hashes.AsSpan(at, Size), out var problem)) slot.Hashed = true;
                else slot.Problem = problem;
            }
        }
        return slot.Hashed;
    }

    private struct Slot
    {
        public bool Done;
        public bool Hashed;
        public string? Text;
        public string? Problem;
    }
}
