namespace Admission.Operator.Tests.Tls;

/// <summary>Private keys under --tls-dir are readable by their owner only (the tests run on Linux).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsDirectoryFileModeTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void Generated_private_keys_are_owner_only()
    {
        using var dir = new TempDir("tls-mode-");
        var files = new TlsDirectory.Files(dir.Path);
        Assert.True(TlsDirectory.Ensure(files, ["localhost"], DateTimeOffset.UtcNow));

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(files.Key));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(files.CaKey));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_leftover_world_readable_file_is_replaced_by_an_owner_only_one()
    {
        using var dir = new TempDir("tls-mode-");
        var path = dir.File("tls.key.tmp");
        File.WriteAllText(path, "stale");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        TlsDirectory.WritePrivate(path, "-----BEGIN PRIVATE KEY-----\n");

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal("-----BEGIN PRIVATE KEY-----\n", File.ReadAllText(path));
    }
}
