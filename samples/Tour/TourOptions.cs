namespace ConcurrentFutures.Samples.Tour;

/// <summary>Command-line options of the tour.</summary>
internal sealed record TourOptions(bool Quick, bool Local, int? Only)
{
    /// <summary>One "second" of the tutorial's sleeps: 1 s, or 0.3 s with --quick.</summary>
    public TimeSpan SleepUnit => Quick ? TimeSpan.FromSeconds(0.3) : TimeSpan.FromSeconds(1);

    public static TourOptions Parse(string[] args)
    {
        bool quick = false;
        bool local = false;
        int? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    quick = true;
                    break;
                case "--local":
                    local = true;
                    break;
                case "--only" when i + 1 < args.Length && int.TryParse(args[i + 1], out int section):
                    only = section;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[i]}'. Use --quick, --local and/or --only N.", nameof(args));
            }
        }

        return new TourOptions(quick, local, only);
    }
}
