using System.Reflection;
using Admission.Operator.Cli;
using Admission.Operator.Hosting;
using Admission.Policies;

namespace Admission.Operator.Tests.Hosting;

/// <summary>Binds a <c>serve</c> command line and an environment given as <c>NAME=value</c> strings, as <c>admission serve</c> would.</summary>
internal static class ServeBinding
{
    public static (ServeOptions? Options, IReadOnlyList<InputError> Errors) Bind(string[] args, string[] environment)
    {
        var flags = new ServeFlags();
        var parsed = flags.NewCommand().Parse(args);
        Assert.True(parsed.Errors.Count == 0, string.Join("\n", parsed.Errors.Select(e => e.Message)));
        return ServeOptionsBinder.Bind(parsed, flags, new DictionaryEnvironment(environment));
    }

    /// <summary>A setting by path (<c>Listen</c>, <c>Timings.LeaseDuration</c>), internal ones included.</summary>
    public static object? Setting(ServeOptions options, string path)
    {
        object? value = options;
        foreach (var name in path.Split('.'))
        {
            var property = value!.GetType().GetProperty(name, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"{value.GetType().Name} has no setting {name}");
            value = property.GetValue(value);
        }
        return value;
    }

    /// <summary>A value as the tables write it: durations as Go durations (compared parsed), lists comma-separated.</summary>
    public static bool Matches(object? actual, string expected) => actual switch
    {
        null => expected == "null",
        TimeSpan d => GoDuration.TryParse(expected, allowDays: true, out var e) ? d == e : throw new ArgumentException($"\"{expected}\" is not a duration"),
        bool b => expected == (b ? "true" : "false"),
        string s => s == expected,
        IEnumerable<string> list => string.Join(",", list) == expected,
        _ => actual.ToString() == expected,
    };

    private sealed class DictionaryEnvironment(string[] pairs) : IEnvironmentVariables
    {
        private readonly Dictionary<string, string> _values = pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

        public string? Get(string name) => _values.GetValueOrDefault(name);
    }
}
