using Spectre.Console;

namespace ConcurrentFutures.Samples.Tour;

/// <summary>
/// Progress bars for the tour's longer steps when a person watches a terminal; nothing extra when the output is
/// redirected (CI, tests, files), where the plain lines are the whole story.
/// </summary>
internal static class TourProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs the steps one after another; each gets a callback to report one unit done.</summary>
    public static void Run(params (string Description, int Total, Action<Action> Body)[] steps)
    {
        if (!Interactive)
        {
            foreach (var (_, _, body) in steps)
            {
                body(static () => { });
            }

            return;
        }

        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = steps.Select(s => context.AddTask(s.Description, autoStart: false, maxValue: s.Total)).ToList();
                for (int i = 0; i < steps.Length; i++)
                {
                    ProgressTask task = tasks[i];
                    task.StartTask();
                    steps[i].Body(() => task.Increment(1));
                    task.StopTask();
                }
            });
    }
}
