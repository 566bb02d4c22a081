using System.Reflection;
using ConcurrentFutures.Remote;
using MessagePack;

namespace ConcurrentFutures.Tests.Remote;

/// <summary>
/// A function's definition names its declaring type and its target's type by metadata token where a token alone names
/// them (types of the function's own module, not generic), so a worker finds them without the runtime's type-name
/// parser (9–11 ms the first time in a new process); by name otherwise. Either way it resolves to the same method.
/// </summary>
public class FunctionDefinitionTests
{
    private const int DeclaringTypeName = 2;
    private const int DeclaringTypeToken = 7;
    private const int TargetTypeToken = 8;

    [Fact]
    public void AStaticMethod_IsResolvedByItsTypesToken_NotByItsName()
    {
        MethodInfo method = new Func<int, int>(Functions.Twice).Method;
        object?[] elements = Elements(FunctionDefinition.Write(method, targetType: null, isClosure: false));
        Assert.Equal(typeof(Functions).MetadataToken, Convert.ToInt32(elements[DeclaringTypeToken]));

        // A name no type has, in the right assembly: only the token can find the type.
        string name = (string)elements[DeclaringTypeName]!;
        elements[DeclaringTypeName] = "NoSuchNamespace.NoSuchType" + name[name.IndexOf(',', StringComparison.Ordinal)..];
        Assert.Equal(method, FunctionResolver.Resolve(Write(elements)).Method);
    }

    [Fact]
    public void ALambdaWithCaptures_IsResolvedWithItsClosureTypeByToken_AndItsCapturesReadBack()
    {
        int factor = 3;
        Func<int, int> times = x => x * factor;
        byte[] definition = FunctionDefinition.Write(times.Method, times.Target!.GetType(), isClosure: true);
        Assert.Equal(times.Target.GetType().MetadataToken, Convert.ToInt32(Elements(definition)[TargetTypeToken]));

        ResolvedFunction resolved = FunctionResolver.Resolve(definition);
        Assert.Equal(times.Method, resolved.Method);
        Assert.Equal(12, resolved.Invoke(RoundTripTarget(times, resolved), [4]));
    }

    [Fact]
    public void AMethodOfAGenericType_IsDefinedAndResolvedByName()
    {
        MethodInfo method = new Func<int, int>(Generic<int>.Same).Method;
        object?[] elements = Elements(FunctionDefinition.Write(method, targetType: null, isClosure: false));
        Assert.Equal(0, Convert.ToInt32(elements[DeclaringTypeToken]));
        Assert.Equal(method, FunctionResolver.Resolve(Write(elements)).Method);
    }

    [Fact]
    public void ATokenThatIsNotATypeDefinedInTheAssembly_IsRefused()
    {
        object?[] elements = Elements(FunctionDefinition.Write(new Func<int, int>(Functions.Twice).Method, targetType: null, isClosure: false));
        elements[DeclaringTypeToken] = 0x01000001; // a type the assembly references from another one
        var refused = Assert.Throws<MessagePackSerializationException>(() => FunctionResolver.Resolve(Write(elements)));
        Assert.Contains("not a type defined in the function's assembly", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("another build")]
    [InlineData("not a module version id")]
    public void ADefinitionFromAnotherBuild_IsRefusedAsSuch_BeforeItsTokenIsLookedUp(string moduleVersionId)
    {
        object?[] elements = Elements(FunctionDefinition.Write(new Func<int, int>(Functions.Twice).Method, targetType: null, isClosure: false));
        elements[1] = moduleVersionId == "another build" ? Guid.NewGuid().ToString() : moduleVersionId;
        elements[DeclaringTypeToken] = 0x02FFFFFF; // a token this build does not have
        var refused = Assert.Throws<InvalidOperationException>(() => FunctionResolver.Resolve(Write(elements)));
        Assert.Contains("different build", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ConcurrentFutures.Tests, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", "ConcurrentFutures.Tests")]
    [InlineData(" My.App , Version=2.0.0.0", "My.App")]
    [InlineData("My.App", "My.App")]
    public void APlainAssemblyName_IsLoadedByItsSimpleName(string displayName, string simpleName)
    {
        // Parsing the whole display name reads culture data (its Culture=), which loads ICU in a new worker; the build
        // check by module version id makes the version and key it leaves out no loss.
        AssemblyName name = FunctionResolver.AssemblyNameOf(displayName);
        Assert.Equal(simpleName, name.Name);
        Assert.Null(name.Version);
    }

    [Theory]
    [InlineData("\"My, App\", Version=2.0.0.0", "My, App")]
    [InlineData("My\\,App, Version=2.0.0.0", "My,App")]
    public void AQuotedOrEscapedAssemblyName_IsParsedWhole(string displayName, string simpleName)
    {
        AssemblyName name = FunctionResolver.AssemblyNameOf(displayName);
        Assert.Equal(simpleName, name.Name);
        Assert.Equal(new Version(2, 0, 0, 0), name.Version);
    }

    /// <summary>The closure's captures written as a pool writes them and read back as a worker reads them.</summary>
    private static object? RoundTripTarget(Func<int, int> function, ResolvedFunction resolved)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        FunctionReference.For(function).WriteTarget(ref writer, function.Target);
        writer.Flush();
        var reader = new MessagePackReader(buffer.WrittenMemory);
        return resolved.ReadTarget(ref reader);
    }

    private static object?[] Elements(byte[] definition) => MessagePackSerializer.Deserialize<object?[]>(definition);

    private static byte[] Write(object?[] elements) => MessagePackSerializer.Serialize(elements);

    internal static class Functions
    {
        public static int Twice(int x) => 2 * x;
    }

    internal static class Generic<T>
    {
        public static T Same(T value) => value;
    }
}
