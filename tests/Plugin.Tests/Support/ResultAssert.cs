namespace Admission.Plugin.Tests.Support;

/// <summary>Assertions on what a command printed that show the whole result when they fail.</summary>
internal static class ResultAssert
{
    public static void Contains(string expected, string actual, ProcessResult result) =>
        Assert.True(actual.Contains(expected, StringComparison.Ordinal), $"expected to find:\n{expected}\nin:\n{result}");
}
