using ConcurrentFutures.Multiprocessing;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>Functions that run in a worker or child and report what arrived there.</summary>
internal static class FidelityFunctions
{
    /// <summary>What the pool's initializer handed this worker.</summary>
    private static Shape? s_initial;

    public static void Remember(Shape shape) => s_initial = shape;

    public static string Remembered() => s_initial?.ToString() ?? "nothing";

    public static string KindOf(Shape shape) => shape.GetType().Name;

    public static decimal BalanceOf(Account account) => account.Balance;

    public static string[] KindsOf(List<Animal> animals) => [.. animals.Select(a => a.GetType().Name)];

    public static Shape MakeSquare(double side) => new Square("made", side);

    public static Node Echo(Node node) => node;

    public static bool Same(Animal first, Animal second) => ReferenceEquals(first, second);

    public static Node Chain(int length)
    {
        var head = new Node();
        Node tail = head;
        for (int i = 0; i < length; i++)
        {
            tail = tail.Next = new Node { Value = i };
        }

        return head;
    }

    public static object StreamInside() => new List<object> { 1, new MemoryStream() };

    public static bool PointsToItself(Node node) => ReferenceEquals(node, node.Next) && ReferenceEquals(node, node.Children[0]);

    public static object? EchoObject(object? value) => value;

    public static EveryDayTypes EchoEveryDay(EveryDayTypes value) => value;

    public static async Task<int> AddLater(int x)
    {
        await Task.Delay(10).ConfigureAwait(false);
        return x + 1;
    }

    public static void PutShapes(ProcessQueue<Shape> queue)
    {
        queue.Put(new Circle("c", 1));
        queue.Put(new Square("s", 2));
        var node = new Node { Value = 7 };
        node.Next = node;
        node.Children.Add(node);
        queue.Put(new Rectangle("r", 1, 2));
    }

    public static void EchoBags(Connection connection)
    {
        Bag bag = connection.Receive<Bag>();
        connection.Send(bag);
        connection.Dispose();
    }
}
