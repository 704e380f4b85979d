namespace Admission.Operator.Tests.PolicyReload;

/// <summary>Keeps every formatted log line with its level, for tests that count what was logged.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    public IReadOnlyList<string> Errors => [.. _lines.Where(l => l.Level == LogLevel.Error).Select(l => l.Message)];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception)));
}
