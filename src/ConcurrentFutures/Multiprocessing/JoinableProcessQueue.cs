namespace ConcurrentFutures.Multiprocessing;

/// <summary>
/// A <see cref="ProcessQueue{T}"/> that counts unfinished items: each <c>Put</c> adds one, each <see cref="TaskDone"/>
/// removes one, and <see cref="Join"/> waits until none is left. Python: <c>multiprocessing.JoinableQueue</c>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[MessagePack.MessagePackFormatter(typeof(JoinableQueueHandleFormatter<>))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The name is fixed by the API contract (Python's multiprocessing.JoinableQueue).")]
public sealed class JoinableProcessQueue<T> : ProcessQueue<T>
{
    /// <summary>Creates a joinable queue owned by this process.</summary>
    /// <param name="maxSize">Maximum items held; 0 = unbounded.</param>
    public JoinableProcessQueue(int maxSize = 0)
        : base(maxSize)
    {
        Handle.Joinable = true;
    }

    internal JoinableProcessQueue(QueueHandle handle)
        : base(handle)
    {
    }

    /// <summary>Marks one item taken with Get as processed. Python: <c>task_done()</c>.</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put.</exception>
    public void TaskDone()
    {
        if (Broker is not null)
        {
            Broker.TaskDone();
        }
        else
        {
            Client!.Call(QueueMessage.TaskDone, null);
        }
    }

    /// <summary>Waits until every item put has been marked done. Python: <c>join()</c>.</summary>
    public void Join()
    {
        if (Broker is not null)
        {
            Broker.JoinAsync().GetAwaiter().GetResult();
            return;
        }

        while (Client!.Call(QueueMessage.Join, TimeSpan.FromSeconds(1)).Kind != QueueMessage.Ok)
        {
        }
    }
}
