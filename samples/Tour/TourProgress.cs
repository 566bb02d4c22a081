using Spectre.Console;

namespace ConcurrentFutures.Samples.Tour;

/// <summary>
/// Progress bars for the tour's longer steps when a person watches a terminal; nothing extra when the output is
/// redirected (CI, tests, files), where the plain lines are the whole story.
/// </summary>
internal static class TourProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs the steps one after another; each reports through an <see cref="IProgress{T}"/> of
    /// <see cref="FutureProgress"/>, which Map and AsCompleted accept directly.
    /// </summary>
    public static void Run(params (string Description, Action<IProgress<FutureProgress>> Body)[] steps)
    {
        if (!Interactive)
        {
            foreach (var (_, body) in steps)
            {
                body(new NoProgress());
            }

            return;
        }

        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = steps.Select(s => context.AddTask(s.Description, autoStart: false)).ToList();
                for (int i = 0; i < steps.Length; i++)
                {
                    ProgressTask task = tasks[i];
                    task.StartTask();
                    steps[i].Body(new SpectreTaskProgress(task));
                    task.StopTask();
                }
            });
    }

    /// <summary>Moves a Spectre.Console progress bar; reports arrive from the threads that complete the work.</summary>
    private sealed class SpectreTaskProgress(ProgressTask task) : IProgress<FutureProgress>
    {
        public void Report(FutureProgress value)
        {
            if (value.Total is int total)
            {
                task.MaxValue = total;
            }

            task.Value = value.Done;
        }
    }

    private sealed class NoProgress : IProgress<FutureProgress>
    {
        public void Report(FutureProgress value)
        {
        }
    }
}
