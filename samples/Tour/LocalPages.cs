using System.Net;

namespace ConcurrentFutures.Samples.Tour;

/// <summary>
/// A loopback HTTP server standing in for the tutorial's five sites when there is no network: same paths, the page
/// sizes the tutorial printed, a 403 for europe.wsj.com, and a short delay per page so the concurrency shows.
/// </summary>
internal sealed class LocalPages : IDisposable
{
    private static readonly Dictionary<string, int> Sizes = new()
    {
        ["www.foxnews.com"] = 325_699,
        ["www.cnn.com"] = 1_146_623,
        ["www.bbc.co.uk"] = 313_091,
        ["some-made-up-domain.com"] = 64_668,
    };

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public LocalPages()
    {
        int port = Random.Shared.Next(20_000, 60_000);
        BaseAddress = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(BaseAddress);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string BaseAddress { get; }

    /// <summary>Maps a tutorial URL (http://www.cnn.com/) to this server (http://127.0.0.1:port/www.cnn.com/).</summary>
    public string Map(string url) => BaseAddress + new Uri(url).Host + "/";

    /// <summary>True when a public host name resolves within a second; false offline.</summary>
    public static bool NetworkAvailable()
    {
        try
        {
            return Dns.GetHostAddressesAsync("www.cnn.com").Wait(TimeSpan.FromSeconds(1));
        }
        catch (AggregateException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => RespondAsync(context));
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        string host = context.Request.Url!.AbsolutePath.Trim('/');
        await Task.Delay(Random.Shared.Next(100, 400));
        if (Sizes.TryGetValue(host, out int size))
        {
            context.Response.ContentLength64 = size;
            await context.Response.OutputStream.WriteAsync(new byte[size]);
        }
        else
        {
            context.Response.StatusCode = 403;
        }

        context.Response.Close();
    }
}
