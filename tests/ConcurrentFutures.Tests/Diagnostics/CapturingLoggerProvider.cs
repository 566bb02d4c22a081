using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ConcurrentFutures.Tests.Diagnostics;

/// <summary>Keeps every log entry written through it.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public static (ILoggerFactory Factory, CapturingLoggerProvider Provider) CreateFactory()
    {
        var provider = new CapturingLoggerProvider();
        ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        return (factory, provider);
    }

    public bool Has(string eventName) => Entries.Any(e => e.Id.Name == eventName);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception), exception));
    }
}
