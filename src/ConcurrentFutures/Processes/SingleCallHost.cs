using System.Buffers;
using ConcurrentFutures.Platform;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Processes;

/// <summary>
/// The child side of <c>Multiprocessing.Process</c>: reads one call (definition, target, arguments) from the file
/// its parent wrote, deletes it, runs it, and turns the outcome into the exit code: 0, or 1 with the exception
/// printed to stderr (as Python prints a traceback), or whatever the target passed to <see cref="Environment.Exit"/>.
/// </summary>
internal static class SingleCallHost
{
    /// <summary>Environment variable naming the call file.</summary>
    public const string CallFileVariable = "CONCURRENTFUTURES_PROCESS_CALL";

    /// <summary>Environment variable with the process's <c>Name</c>.</summary>
    public const string NameVariable = "CONCURRENTFUTURES_PROCESS_NAME";

    public static int Run(string callFile)
    {
        byte[] call = File.ReadAllBytes(callFile);
        File.Delete(callFile);
        try
        {
            var reader = new MessagePackReader(call);
            reader.ReadArrayHeader();
            ResolvedFunction function = FunctionResolver.Resolve(reader.ReadBytes()!.Value.ToArray());
            object? target = function.ReadTarget(ref reader);
            object?[] arguments = function.ReadArguments(ref reader);
            function.Invoke(target, arguments);
            Console.Out.Flush();
            return 0;
        }
#pragma warning disable CA1031 // Python's behaviour: print the traceback, exit with 1.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"Process {Environment.GetEnvironmentVariable(NameVariable)}:");
            Console.Error.WriteLine(exception);
            return 1;
        }
    }

    /// <summary>Writes the call file the child reads (0600, in the given private directory).</summary>
    public static string WriteCall(string directory, FunctionReference function, Delegate target, object?[] arguments)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.Write(function.Definition);
        function.WriteTarget(ref writer, target.Target);
        function.WriteArguments(ref writer, arguments);
        writer.Flush();
        string path = Path.Combine(directory, StaleFiles.NewName() + ".call");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(buffer.WrittenSpan);
        }

        return path;
    }
}
