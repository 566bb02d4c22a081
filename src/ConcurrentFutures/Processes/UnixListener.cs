using System.Net.Sockets;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The listening side shared by the pool, queues and pipes: a Unix domain socket (in a directory only this user can
/// enter) and a loop that hands each accepted connection to a handler (which must not block: it starts the connection's own thread).
/// </summary>
internal static class UnixListener
{
    public static Socket Listen(string socketPath, int backlog)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(backlog);
        return listener;
    }

    /// <summary>Accepts until the listener is closed or <paramref name="stopping"/> is cancelled.</summary>
    public static async Task AcceptAllAsync(Socket listener, Action<Socket> handle, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            handle(connection);
        }
    }
}
