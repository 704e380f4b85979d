using System.Security.Cryptography;
using System.Text.Json;
using Admission.Policies.Digest;
using Admission.Policies.Tests.Support;

namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The base digest of an UPDATE is compared with an approval's as bytes, without making its text:
/// that comparison must say exactly what comparing the strings said (ordinal, lowercase hex only).
/// </summary>
public class DigestTextTests
{
    private static readonly byte[] Hash = SHA256.HashData("content"u8);
    private static readonly string Text = ChangeDigest.Prefix + Convert.ToHexStringLower(Hash);

    public static readonly Table<(string? Digest, bool Same)> Texts = new()
    {
        { "the digest's own text", (Text, true) },
        { "the hex in capitals", (ChangeDigest.Prefix + Convert.ToHexString(Hash), false) },
        { "no prefix", (Convert.ToHexStringLower(Hash), false) },
        { "another prefix", ("SHA256:" + Convert.ToHexStringLower(Hash), false) },
        { "one digit different", (Text[..^1] + (Text[^1] == '0' ? '1' : '0'), false) },
        { "one digit more", (Text + "0", false) },
        { "one digit fewer", (Text[..^1], false) },
        { "none", (null, false) },
        { "empty", ("", false) },
    };

    [Theory, RowsOf(nameof(Texts))]
    public void A_digest_is_its_hash_only_in_its_own_text(string row)
    {
        var (digest, same) = Texts[row];
        Assert.Equal(same, ChangeDigest.Is(digest, Hash));
        Assert.Equal(Text, ChangeDigest.Format(Hash));
    }

    public static readonly Table<(string? OldObject, Operation Operation, string? Approved, bool Same)> Bases = new()
    {
        { "the live object's digest", ("""{"kind":"Deployment","spec":{"a":1}}""", Operation.Update, "live", true) },
        { "another digest", ("""{"kind":"Deployment","spec":{"a":1}}""", Operation.Update, "other", false) },
        { "no approved base against a live object", ("""{"kind":"Deployment","spec":{"a":1}}""", Operation.Update, null, false) },
        { "no oldObject: only no base is the same", (null, Operation.Update, null, true) },
        { "no oldObject against a base", (null, Operation.Update, "other", false) },
        { "an oldObject with no canonical form: only no base is the same", ("""{"spec":{"a":1,"a":2}}""", Operation.Update, null, true) },
        { "an oldObject with no canonical form against a base", ("""{"spec":{"a":1,"a":2}}""", Operation.Update, "other", false) },
        { "not an UPDATE: there is no base", ("""{"kind":"Deployment","spec":{"a":1}}""", Operation.Delete, "live", false) },
    };

    [Theory, RowsOf(nameof(Bases))]
    public void BaseIs_answers_what_comparing_Base_answered(string row)
    {
        var (oldObject, operation, approved, same) = Bases[row];
        using var doc = oldObject is null ? null : JsonDocument.Parse(oldObject);
        var request = new AdmissionInput
        {
            Operation = operation, Group = "apps", Kind = "Deployment", Resource = "deployments", Namespace = "ns", Name = "x",
            User = new UserInfo("carol", []), OldObject = doc?.RootElement,
            Object = JsonDocument.Parse("""{"kind":"Deployment","spec":{"a":2}}""").RootElement,
        };
        var live = doc is null ? null : ChangeDigest.TryOf(doc.RootElement, AdmissionPolicy.Default, out var d, out _) ? d : null;
        var wanted = approved switch { "live" => live, "other" => ChangeDigest.Prefix + new string('0', 64), _ => approved };
        var digests = new ChangeDigests(request, AdmissionPolicy.Default);
        Assert.Equal(same, digests.BaseIs(wanted));
        // The string comparison it replaces, on a fresh instance and after BaseIs on the same one.
        Assert.Equal(same, wanted == new ChangeDigests(request, AdmissionPolicy.Default).Base);
        Assert.Equal(same, wanted == digests.Base);
    }
}
