using System.Buffers;
using ConcurrentFutures.Processes.Wire;
using ConcurrentFutures.Remote;

namespace ConcurrentFutures.Processes;

/// <summary>Turning a worker's result frame into a completed future; runs outside the pool's lock.</summary>
internal sealed partial class PoolManager
{
    private void Complete(WorkerHandle worker, RemoteTask task, bool ok, ReadOnlySequence<byte> payload)
    {
        if (!ok)
        {
            if (task.Item is RelayedCall relayed)
            {
                relayed.Complete(ok: false, payload); // the exception payload goes on as it came
            }
            else
            {
                ResultCompleter.Complete(task, ok: false, payload);
            }

            return;
        }

        if (SharedMemoryReference(payload, out bool slab) is not { } path)
        {
            Deliver(task, payload);
            return;
        }

        DeliverShared(worker, task, path, slab);
    }

    /// <summary>A result that waits in shared memory (its own method: the reader's closure is allocated only for these).</summary>
    private void DeliverShared(WorkerHandle worker, RemoteTask task, string path, bool slab)
    {
        try
        {
            if (slab && task.Item is RelayedCall relayed)
            {
                // Passed on as it lies in the worker's slab (a silo sends it to its client from there), not copied here.
                relayed.Complete(ok: true, SlabResult.Open(path));
                return;
            }

            Func<ReadOnlySequence<byte>, bool> read = sequence =>
            {
                Deliver(task, sequence);
                return true;
            };
            _ = slab
                ? (worker.ResultMappings ??= new SlabMappings(SharedMemoryPrefix)).Read(path, release: true, read)
                : SharedMemoryTransport.ReadAndDelete(path, read);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            task.Fail(new InvalidDataException($"The result of {task.Function.Describe()} was lost in shared memory: {exception.Message}", exception));
        }
    }

    /// <summary>A result read as the future's declared type, or for a relayed call passed on as it came.</summary>
    private static void Deliver(RemoteTask task, ReadOnlySequence<byte> payload)
    {
        if (task.Item is RelayedCall relayed)
        {
            relayed.Complete(ok: true, payload);
        }
        else
        {
            ResultCompleter.Complete(task, ok: true, payload);
        }
    }

    /// <summary>A large result arrives as a reference to a shared-memory file instead of inline.</summary>
    private string? SharedMemoryReference(ReadOnlySequence<byte> payload, out bool slab)
    {
        slab = false;
        if (!SharedReference.TryRead(payload, out SharedReference reference))
        {
            return null;
        }

        // Only a file of this pool (its random prefix) is ever opened: a worker cannot make the parent read elsewhere.
        slab = reference.Slab;
        return reference.Path.StartsWith(SharedMemoryPrefix, StringComparison.Ordinal) && !reference.Path.Contains("..", StringComparison.Ordinal)
            ? reference.Path
            : throw new InvalidDataException("A worker referred to a shared-memory file outside its pool.");
    }
}
