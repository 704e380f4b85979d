namespace Admission.Operator.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
public static class Repo
{
    /// <summary>The folder holding Admission.sln, found by walking up from the test assembly.</summary>
    public static string Root => Admission.Tests.Shared.Repository.Root;

    public static string Examples => Path.Combine(Root, "examples");

    public static string Example(params string[] parts) => Path.Combine([Examples, .. parts]);

    /// <summary>A file copied beside the test assembly (test data folders).</summary>
    public static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);
}

/// <summary>A temporary folder removed when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "admission-tests-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, string content)
    {
        var file = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllText(file, content);
        return file;
    }

    /// <summary>Replaces a file in one step, as a config management tool would (write aside, then rename).</summary>
    public string WriteAtomically(string name, string content)
    {
        var file = File(name);
        var temp = file + ".tmp-" + Guid.NewGuid().ToString("N");
        System.IO.File.WriteAllText(temp, content);
        System.IO.File.Move(temp, file, overwrite: true);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a process we started may still hold a file for a moment; the OS cleans temp folders
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
