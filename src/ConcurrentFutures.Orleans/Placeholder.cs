namespace ConcurrentFutures.Orleans;
internal static class Placeholder { }
