using ConcurrentFutures.Orleans;

namespace ConcurrentFutures.Samples.ClusterWorker;

/// <summary>The sample's command line: a silo by default, a client with <c>--client</c>.</summary>
internal sealed class SampleArguments
{
    public const string Usage = """
        Silo:   ClusterWorker --cluster localhost [--silo-port 11111] [--gateway-port 30000] [--primary-port 11111]
                ClusterWorker --cluster redis --redis 127.0.0.1:6379 [--silo-port 11111] [--gateway-port 30000]
                  [--cluster-id ID] [--fast-failure-detection] [--parent-pid PID] [--max-workers N] [--in-silo] [--payload-port P]
        Client: ClusterWorker --client [--cluster localhost --gateway-port 30000 [--gateway-port 30001 ...] | --cluster redis --redis HOST:PORT]
                  [--work primes|noop|where|echo] [--items N] [--chunk-size N] [--repeat N] [--max-concurrency N]
                  [--megabytes N[,N...] (echo: the sizes of the value sent and returned)] [--warmup-seconds N (echo: round trips of each size before those measured)] [--task-timeout SECONDS]
                  [--no-shared-memory (large values over the connection to the silo even when it runs on this machine, as between machines)]
                  [--hosted (run inside a Generic Host: Ctrl+C or SIGTERM stops the host, which stops the work)]
                  [--as-if-not-linux (act as on a system without process support, as tests do: a client needs none)]
        """;

    public bool Client { get; private set; }

    /// <summary>Client: set ConcurrentFutures' switch that makes this process act as on Windows or macOS (no process support).</summary>
    public bool AsIfNotLinux { get; private set; }

    /// <summary>Client: run inside a Generic Host (a BackgroundService), whose lifetime handles Ctrl+C and SIGTERM.</summary>
    public bool Hosted { get; private set; }

    public string Cluster { get; private set; } = "localhost";

    public string? Redis { get; private set; }

    public string ClusterId { get; private set; } = ClusterWorkerOptions.DefaultClusterId;

    public int SiloPort { get; private set; } = 11111;

    public List<int> GatewayPorts { get; } = [];

    public int? PrimaryPort { get; private set; }

    public bool FastFailureDetection { get; private set; }

    public int? ParentPid { get; private set; }

    /// <summary>Silo: how many worker processes run its work (default: its cores).</summary>
    public int? MaxWorkers { get; private set; }

    /// <summary>Silo: run work inside the silo process instead of its worker processes (trusted work only).</summary>
    public bool InSilo { get; private set; }

    /// <summary>Silo: the port clients send and take large values on (default: a free port).</summary>
    public int PayloadPort { get; private set; }

    /// <summary>Client: calls in flight at most (default: the silos' cores × 2).</summary>
    public int? MaxConcurrency { get; private set; }

    public string Work { get; private set; } = "primes";

    public int Items { get; private set; } = 100_000;

    public int ChunkSize { get; private set; } = 100;

    public int Repeat { get; private set; } = 1;

    /// <summary>Client, echo work: the sizes of the byte array sent to a silo and back, in order.</summary>
    public IReadOnlyList<int> Megabytes { get; private set; } = [10];

    /// <summary>Client, echo work: for each size, round trips for at least this long before those measured (default: none).</summary>
    public int WarmupSeconds { get; private set; }

    /// <summary>Client: large values go over the connection to a silo on this machine too (ShareMemoryWithLocalSilos off).</summary>
    public bool NoSharedMemory { get; private set; }

    /// <summary>Client: the executor's TaskTimeout in seconds (default: none).</summary>
    public int? TaskTimeoutSeconds { get; private set; }

    /// <summary>The client's executor settings from these arguments.</summary>
    public ClusterExecutorOptions ExecutorOptions()
    {
        var options = new ClusterExecutorOptions
        {
            ClusterId = ClusterId,
            RedisConnectionString = Cluster == "redis" ? Redis : null,
            MaxConcurrency = MaxConcurrency,
            TaskTimeout = TaskTimeoutSeconds is int seconds ? TimeSpan.FromSeconds(seconds) : null,
            ShareMemoryWithLocalSilos = !NoSharedMemory,
        };
        foreach (int port in GatewayPorts)
        {
            options.GatewayPorts.Add(port);
        }

        return options;
    }

    /// <summary>Reads the arguments; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public static SampleArguments Parse(string[] args)
    {
        var parsed = new SampleArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.", nameof(args));
            int Number() => int.TryParse(Value(), out int n) && n > 0 ? n : throw new ArgumentException($"{name} needs a positive number, not '{args[i]}'.", nameof(args));
            int[] Numbers() => Value().Split(',').Select(v => int.TryParse(v, out int n) && n > 0 ? n : throw new ArgumentException($"{name} needs positive numbers separated by commas, not '{args[i]}'.", nameof(args))).ToArray();
            switch (name)
            {
                case "--client": parsed.Client = true; break;
                case "--hosted": parsed.Hosted = true; break;
                case "--as-if-not-linux": parsed.AsIfNotLinux = true; break;
                case "--cluster": parsed.Cluster = Value(); break;
                case "--redis": parsed.Redis = Value(); break;
                case "--cluster-id": parsed.ClusterId = Value(); break;
                case "--silo-port": parsed.SiloPort = Number(); break;
                case "--gateway-port": parsed.GatewayPorts.Add(Number()); break;
                case "--primary-port": parsed.PrimaryPort = Number(); break;
                case "--fast-failure-detection": parsed.FastFailureDetection = true; break;
                case "--parent-pid": parsed.ParentPid = Number(); break;
                case "--max-workers": parsed.MaxWorkers = Number(); break;
                case "--in-silo": parsed.InSilo = true; break;
                case "--payload-port": parsed.PayloadPort = Number(); break;
                case "--max-concurrency": parsed.MaxConcurrency = Number(); break;
                case "--work": parsed.Work = Value(); break;
                case "--items": parsed.Items = Number(); break;
                case "--chunk-size": parsed.ChunkSize = Number(); break;
                case "--repeat": parsed.Repeat = Number(); break;
                case "--megabytes": parsed.Megabytes = Numbers(); break;
                case "--warmup-seconds": parsed.WarmupSeconds = Number(); break;
                case "--task-timeout": parsed.TaskTimeoutSeconds = Number(); break;
                case "--no-shared-memory": parsed.NoSharedMemory = true; break;
                default: throw new ArgumentException($"Unknown argument '{name}'.", nameof(args));
            }
        }

        if (parsed.Cluster is not ("localhost" or "redis"))
        {
            throw new ArgumentException($"--cluster must be localhost or redis, not '{parsed.Cluster}'.", nameof(args));
        }

        if (parsed.Cluster == "redis" && parsed.Redis is null)
        {
            throw new ArgumentException("--cluster redis needs --redis HOST:PORT.", nameof(args));
        }

        if (parsed.Work is not ("primes" or "noop" or "where" or "echo"))
        {
            throw new ArgumentException($"--work must be primes, noop, where or echo, not '{parsed.Work}'.", nameof(args));
        }

        return parsed;
    }
}
