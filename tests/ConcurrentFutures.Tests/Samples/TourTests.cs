using System.Diagnostics;

namespace ConcurrentFutures.Tests.Samples;

public class TourTests
{
    [Fact]
    public void Tour_Local_PrintsEverySectionWithTheTutorialsResults()
    {
        string tour = AppContext.BaseDirectory.Replace(
            $"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}ConcurrentFutures.Tests{Path.DirectorySeparatorChar}",
            $"{Path.DirectorySeparatorChar}samples{Path.DirectorySeparatorChar}Tour{Path.DirectorySeparatorChar}",
            StringComparison.Ordinal) + "Tour.dll";
        Assert.True(File.Exists(tour), $"the tour was not built at {tour}");
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // The tutorial's own 1-second sleeps, not --quick's 0.3 s: starting a child process under a loaded CI machine
            // can take longer than 0.3 s, which would reorder the processes' results as it would in Python.
            ArgumentList = { tour, "--local" },
        };
        using Process process = Process.Start(startInfo)!;
        try
        {
            string output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(60_000), "the tour did not finish within 60 s");
            Assert.Equal(0, process.ExitCode);

            // 1. threads and 2. processes + queue: results in finishing order, once each
            string finishingOrder = "['End sleeping for 1 secs', 'End sleeping for 2 secs', 'End sleeping for 3 secs']";
            Assert.Equal(2, output.Split('\n').Count(l => l.Trim() == finishingOrder));
            Assert.Equal(2, output.Split('\n').Count(l => l.Trim() == "Start sleeping for 3 secs"));

            // 3. thread pool + AsCompleted, served locally
            Assert.Contains("http://www.cnn.com/ page is 1146623 bytes", output, StringComparison.Ordinal);
            Assert.Contains("http://europe.wsj.com/ generated an exception: HTTP Error 403: Forbidden", output, StringComparison.Ordinal);

            // 4. process pool primes, as the tutorial prints them
            string[] primes =
            [
                "112272535095293 is prime: True",
                "112582705942171 is prime: True",
                "115280095190773 is prime: True",
                "115797848077099 is prime: True",
                "1099726899285419 is prime: False",
            ];
            Assert.All(primes, line => Assert.Contains(line, output, StringComparison.Ordinal));
            Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("Total Time: ", StringComparison.Ordinal)));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
