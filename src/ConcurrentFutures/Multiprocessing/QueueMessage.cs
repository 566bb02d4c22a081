namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// Queue protocol, one request and one response at a time per connection, each a MessagePack array:
/// client <c>[Hello, token]</c> first; then <c>[Put, timeoutMs, item]</c>, <c>[Get, timeoutMs]</c>, <c>[Count]</c>,
/// <c>[TaskDone]</c>, <c>[Join, timeoutMs]</c>; the broker answers <c>[Ok, value]</c>, <c>[Timeout]</c> or <c>[Error, message]</c>.
/// A timeout of -1 waits forever.
/// </summary>
internal enum QueueMessage
{
    Hello = 1,
    Put = 2,
    Get = 3,
    Count = 4,
    TaskDone = 5,
    Join = 6,
    Ok = 10,
    Timeout = 11,
    Error = 12,
}
