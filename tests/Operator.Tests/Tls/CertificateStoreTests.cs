using System.Security.Cryptography.X509Certificates;

namespace Admission.Operator.Tests.Tls;

/// <summary>
/// Replaced certificates are freed, but not the one just replaced: a handshake may have read it a
/// moment before the swap. Each certificate gets its TLS context once, when it is set.
/// </summary>
public sealed class CertificateStoreTests
{
    [Fact]
    public void The_certificate_before_the_replaced_one_is_disposed_and_the_replaced_one_is_not()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        var first = Serving(ca, now);
        var second = Serving(ca, now);
        var third = Serving(ca, now);
        var store = new CertificateStore();

        store.Set(first);
        store.Set(second);
        Assert.NotEqual(IntPtr.Zero, first.Handle); // replaced a moment ago: still usable

        store.Set(third);
        Assert.Equal(IntPtr.Zero, first.Handle); // two swaps back: freed
        Assert.NotEqual(IntPtr.Zero, second.Handle);
        Assert.Same(third, store.Current);
        Assert.True(third.HasPrivateKey);
    }

    [Fact]
    public void The_context_handshakes_are_given_is_built_for_the_certificate_in_force()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        var first = Serving(ca, now);
        var second = Serving(ca, now);
        var store = new CertificateStore();
        Assert.Null(store.CurrentContext);

        store.Set(first);
        var firstContext = store.CurrentContext;
        Assert.Equal(first.Thumbprint, firstContext!.TargetCertificate.Thumbprint);
        Assert.Same(firstContext, store.CurrentContext); // one per certificate, not one per handshake

        store.Set(second);
        Assert.Equal(second.Thumbprint, store.CurrentContext!.TargetCertificate.Thumbprint);
        Assert.NotSame(firstContext, store.CurrentContext);
    }

    [Fact]
    public void Setting_the_certificate_in_force_again_frees_nothing_in_use()
    {
        var now = DateTimeOffset.UtcNow;
        using var ca = CertificateAuthority.CreateCa("test CA", now, TimeSpan.FromDays(2));
        var only = Serving(ca, now);
        var store = new CertificateStore();

        store.Set(only);
        store.Set(only);
        store.Set(only);

        Assert.NotEqual(IntPtr.Zero, only.Handle);
        Assert.True(store.Current!.HasPrivateKey);
    }

    /// <summary>A day's serving certificate for localhost, issued by the test CA.</summary>
    private static X509Certificate2 Serving(X509Certificate2 ca, DateTimeOffset now) =>
        CertificateAuthority.IssueServing(ca, ["localhost"], now, TimeSpan.FromDays(1));
}
