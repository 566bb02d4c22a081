namespace ConcurrentFutures.Samples.Tour;

/// <summary>The tutorial's third program: fetch five pages on a thread pool and report them as they complete.</summary>
internal static class ThreadPoolSection
{
    private static readonly string[] Urls =
    [
        "http://www.foxnews.com/",
        "http://www.cnn.com/",
        "http://europe.wsj.com/",
        "http://www.bbc.co.uk/",
        "http://some-made-up-domain.com/",
    ];

    private static readonly HttpClient Http = new();

    public static void Run(TourOptions options)
    {
        bool local = options.Local || !LocalPages.NetworkAvailable();
        using LocalPages? server = local ? new LocalPages() : null;
        if (server is not null)
        {
            Console.WriteLine($"(serving the tutorial's pages from {server.BaseAddress}: {(options.Local ? "--local" : "no network")})");
        }

        using var executor = new ThreadPoolExecutor(maxWorkers: 5);
        var futures = Urls.ToDictionary(url => executor.Submit(LoadUrl, server?.Map(url) ?? url, TimeSpan.FromSeconds(options.Quick ? 5 : 60)), url => url);
        foreach (var future in Futures.AsCompleted(futures.Keys))
        {
            string url = futures[future]; // the tutorial's URL, even when served locally
            try
            {
                byte[] data = future.Result();
                Console.WriteLine($"{url} page is {data.Length} bytes");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
            {
                string reason = e is HttpRequestException { StatusCode: { } status } ? $"HTTP Error {(int)status}: {status}" : e.Message;
                Console.WriteLine($"{url} generated an exception: {reason}");
            }
        }
    }

    private static byte[] LoadUrl(string url, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return Http.GetByteArrayAsync(new Uri(url), cts.Token).GetAwaiter().GetResult();
    }
}
