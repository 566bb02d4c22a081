// The bare runtime: prints one line and exits. With --wait it then waits for its input to close, so that the
// comparison can read its resident memory (the floor any .NET process starts from).
System.Console.WriteLine("hello");
if (args is ["--wait"])
{
    System.Console.In.ReadLine();
}
