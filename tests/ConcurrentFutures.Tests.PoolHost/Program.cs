using ConcurrentFutures;

// Modes:
//   hold N   keep a worker prestarted, start a pool of N workers busy with work (the first is the prestarted one)
//            and a multiprocessing queue holding an item, print "WORKERS pid,pid,...", then block until killed.
//   print    run a task that writes to the console in a worker, then exit.
//   process  start a multiprocessing Process that sleeps forever, print "PROCESS pid", then block until killed.
//   quiet    run pools without a logger factory through what they would log (worker starts, recycling, a crash, a
//            timeout kill, a broken pool), print nothing itself, then exit: its output must stay empty.
//   elsewhere  act as on a system without process support (the AppContext switch, set before anything else): print
//            what works (futures, the thread pool) and what each process-based type says, one line each, then exit.
//   openssl  create a pool, a shared-memory block (unlinked at once) and a queue, run a no-op call; print "PARENT
//            yes|no" and "WORKER yes|no": whether this process and the pool's worker have loaded OpenSSL (libcrypto),
//            and "LEFT none" unless the block's file remains; then exit.
switch (args.FirstOrDefault())
{
    case "quiet":
        return Quiet.Run();
    case "process":
        var sleeper = new ConcurrentFutures.Multiprocessing.Process(Child.SleepForever);
        sleeper.Start();
        Console.WriteLine($"PROCESS {sleeper.Pid}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    case "elsewhere":
        AppContext.SetSwitch("ConcurrentFutures.Platform.TreatAsUnsupported", true);
        return Elsewhere.Run();
    case "hold":
        int workers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        ProcessPoolExecutor.PrestartWorkers(1); // the one the pool takes is replaced by another, left waiting
        var pool = new ProcessPoolExecutor(workers);
        var futures = Enumerable.Range(0, workers).Select(_ => pool.Submit(Child.SleepForever)).ToList();
        var queue = new ConcurrentFutures.Multiprocessing.ProcessQueue<int>(); // a /dev/shm file of this process, which the janitor must remove
        queue.Put(1);
        while (pool.WorkerProcessIds.Count < workers)
        {
            Thread.Sleep(20);
        }

        Thread.Sleep(300); // let each worker pick up its task
        Console.WriteLine($"WORKERS {string.Join(',', pool.WorkerProcessIds)}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
        return 0;
    case "openssl":
        using (var lean = new ProcessPoolExecutor(1))
        {
            lean.Submit(Child.Increment, 41).Result(TimeSpan.FromSeconds(60));
            using var block = new ConcurrentFutures.Multiprocessing.SharedMemory(size: 4096);
            block.Unlink(); // its name is not needed: the mapping stays until disposed, and no file is left behind
            using var items = new ConcurrentFutures.Multiprocessing.ProcessQueue<int>();
            items.Put(1);
            Console.WriteLine($"PARENT {Child.LoadsOpenSsl("self")}");
            Console.WriteLine($"WORKER {Child.LoadsOpenSsl(lean.WorkerProcessIds.Single().ToString(System.Globalization.CultureInfo.InvariantCulture))}");
            Console.WriteLine(File.Exists(Path.Combine("/dev/shm", block.Name)) ? $"LEFT {block.Name}" : "LEFT none");
        }

        return 0;
    case "print":
        using (var printing = new ProcessPoolExecutor(1))
        {
            printing.Submit(Child.Print, "hello from a worker").Wait(TimeSpan.FromSeconds(60));
        }

        return 0;
    default:
        Console.Error.WriteLine("usage: hold N | print | process | quiet | elsewhere | openssl");
        return 2;
}

internal static class Child
{
    public static int SleepForever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    public static void Print(string text) => Console.WriteLine($"{text} (pid {Environment.ProcessId})");

    public static int Increment(int value) => value + 1;

    public static string LoadsOpenSsl(string pid) => File.ReadAllText($"/proc/{pid}/maps").Contains("libcrypto", StringComparison.Ordinal) ? "yes" : "no";
}
