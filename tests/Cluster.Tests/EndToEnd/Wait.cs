namespace Admission.Cluster.Tests.EndToEnd;

internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("timed out: " + describe());
            await Task.Delay(50);
        }
    }

    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}; last: {value}");
            await Task.Delay(100);
        }
    }
}
