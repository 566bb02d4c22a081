using System.Buffers;
using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// The wire form of a function that <see cref="FunctionResolver"/> reads: where its assembly is, which build, its
/// declaring type, its metadata token, its type arguments, its target's type and whether that is a closure — and the
/// metadata tokens of the declaring and target types where a token alone names them (<see cref="TypeToken"/>), so the
/// receiver finds them without parsing their names. Written by <see cref="FunctionReference"/>.
/// </summary>
internal static class FunctionDefinition
{
    /// <summary>Elements of a definition: the seven named above and the two type tokens.</summary>
    public const int Elements = 9;

    public static byte[] Write(MethodInfo method, Type? targetType, bool isClosure)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        Type declaringType = method.DeclaringType!;
        writer.WriteArrayHeader(Elements);
        writer.Write(declaringType.Assembly.Location);
        writer.Write(declaringType.Module.ModuleVersionId.ToString());
        writer.Write(declaringType.AssemblyQualifiedName);
        writer.Write(method.MetadataToken);
        Type[] methodTypeArguments = method.IsGenericMethod ? method.GetGenericArguments() : [];
        writer.WriteArrayHeader(methodTypeArguments.Length);
        foreach (Type argument in methodTypeArguments)
        {
            writer.Write(argument.AssemblyQualifiedName);
        }

        writer.Write(targetType?.AssemblyQualifiedName);
        writer.Write(isClosure);
        writer.Write(TypeToken(declaringType, declaringType.Module));
        writer.Write(targetType is null ? 0 : TypeToken(targetType, declaringType.Module));
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The metadata token of <paramref name="type"/> when it is a type defined in <paramref name="module"/> (the declaring
    /// type's) and not generic, else 0 (its name then says what it is). A worker finds a type by token in ~1 ms where
    /// parsing its name the first time took 9–11 ms (the runtime's type-name parser, on a new pool's first call).
    /// </summary>
    private static int TypeToken(Type type, Module module) =>
        type.Module == module && !type.IsGenericType && !type.IsArray && !type.IsPointer && !type.IsByRef && !type.IsGenericParameter
            ? type.MetadataToken
            : 0;
}
