namespace Admission.Policies.Tests.Digest;

/// <summary>
/// The contract's "content" of an object: what the change digest covers, and what it leaves out
/// under each policy setting.
/// </summary>
public class ContentTests
{
    private static readonly AdmissionPolicy Defaults = AdmissionPolicy.Default;
    private static readonly AdmissionPolicy Strict = AdmissionPolicy.Default with { AllowReplicaChanges = false, AllowRestarts = false };

    private static string Content(string json, AdmissionPolicy policy)
    {
        using var doc = JsonDocument.Parse(json);
        return Encoding.UTF8.GetString(ChangeDigest.Content(doc.RootElement, policy));
    }

    public sealed record Case(string Input, string Expected, AdmissionPolicy Policy);

    public static readonly Table<Case> Cases = new()
    {
        { "metadata and status are not content",
            new("""{"kind":"Deployment","metadata":{"name":"x","labels":{"a":"b"}},"spec":{"paused":false},"status":{"replicas":1}}""",
                """{"kind":"Deployment","spec":{"paused":false}}""", Defaults) },
        { "spec.replicas is not content while allowReplicaChanges",
            new("""{"kind":"Deployment","spec":{"replicas":3,"paused":false}}""", """{"kind":"Deployment","spec":{"paused":false}}""", Defaults) },
        { "spec.replicas is content while allowReplicaChanges is false",
            new("""{"kind":"Deployment","spec":{"replicas":3}}""", """{"kind":"Deployment","spec":{"replicas":3}}""", Strict) },
        { "a spec left empty by removing replicas is removed",
            new("""{"kind":"Deployment","spec":{"replicas":3}}""", """{"kind":"Deployment"}""", Defaults) },
        { "an empty map that no removal emptied stays",
            new("""{"kind":"Deployment","spec":{"selector":{}}}""", """{"kind":"Deployment","spec":{"selector":{}}}""", Defaults) },
        { "replicas elsewhere than spec stays",
            new("""{"kind":"Deployment","spec":{"template":{"spec":{"replicas":2}}}}""", """{"kind":"Deployment","spec":{"template":{"spec":{"replicas":2}}}}""", Defaults) },
        { "the pod template's restartedAt is not content while allowRestarts; emptied maps go",
            new("""{"kind":"Deployment","spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-03-06T10:00:00Z"}},"spec":{"x":1}}}}""",
                """{"kind":"Deployment","spec":{"template":{"spec":{"x":1}}}}""", Defaults) },
        { "other pod template annotations and labels stay",
            new("""{"kind":"Deployment","spec":{"template":{"metadata":{"labels":{"app":"c"},"annotations":{"kubectl.kubernetes.io/restartedAt":"t","team":"web"}}}}}""",
                """{"kind":"Deployment","spec":{"template":{"metadata":{"annotations":{"team":"web"},"labels":{"app":"c"}}}}}""", Defaults) },
        { "restartedAt is content while allowRestarts is false",
            new("""{"kind":"Deployment","spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"t"}}}}}""",
                """{"kind":"Deployment","spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"t"}}}}}""", Strict) },
        { "a CronJob's pod template is under its job template",
            new("""{"kind":"CronJob","spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"t"}}}}}}}""",
                """{"kind":"CronJob","spec":{"schedule":"* * * * *"}}""", Defaults) },
        { "restartedAt outside the pod template stays",
            new("""{"kind":"Deployment","spec":{"x":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"t"}}}}}""",
                """{"kind":"Deployment","spec":{"x":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"t"}}}}}""", Defaults) },
    };

    [Theory, RowsOf(nameof(Cases))]
    public void Content_rule(string name)
    {
        var c = Cases[name];
        Assert.Equal(c.Expected, Content(c.Input, c.Policy));
    }

    [Fact]
    public void Digest_is_sha256_of_the_content_in_lowercase_hex()
    {
        using var doc = JsonDocument.Parse("""{"kind":"Deployment","metadata":{"name":"x"}}""");
        // sha256 of {"kind":"Deployment"}, computed independently of the code under test.
        var expected = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("""{"kind":"Deployment"}"""u8));
        Assert.Equal(expected, ChangeDigest.Of(doc.RootElement, Defaults));
        Assert.True(ChangeDigest.IsWellFormed(expected));
    }

    [Theory]
    [InlineData("sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("sha256:" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("sha256:0123", false)]
    [InlineData("sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    public void Well_formed_digests(string digest, bool expected) => Assert.Equal(expected, ChangeDigest.IsWellFormed(digest));
}
