namespace ConcurrentFutures.Orleans.Tests.RealProcesses;

/// <summary>A fact that needs <c>redis-server</c>: skipped, saying why, only when it is not installed.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.Executable is null)
        {
            Skip = "redis-server is not installed (on Debian: apt-get install redis-server; .ci/run installs it).";
        }
    }
}
