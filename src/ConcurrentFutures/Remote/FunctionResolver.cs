using System.Reflection;
using System.Runtime.Loader;
using MessagePack;

namespace ConcurrentFutures.Remote;

/// <summary>
/// The receiving side of <see cref="FunctionReference"/>: loads the assembly (by name, else from the parent's
/// path), checks it is the same build, and finds the method by metadata token. Runs in the process that executes
/// the work, which trusts its parent (the parent authenticated it with a token).
/// </summary>
internal static class FunctionResolver
{
    /// <summary>Resolves a definition written by <see cref="FunctionReference"/>.</summary>
    /// <param name="definition">The definition.</param>
    /// <param name="loadFromParentPath">
    /// Whether an assembly not found by name may be loaded from the sender's directory. True for a worker process, which
    /// shares the parent's machine and trusts it; false for a silo, which serves any client of the cluster, may be on
    /// another machine, and must only run code deployed with it.
    /// </param>
    public static ResolvedFunction Resolve(ReadOnlyMemory<byte> definition, bool loadFromParentPath = true)
    {
        var reader = new MessagePackReader(definition);
        if (reader.ReadArrayHeader() != 7)
        {
            throw new MessagePackSerializationException("Malformed function definition.");
        }

        string location = reader.ReadString()!;
        string moduleVersionId = reader.ReadString()!;
        string declaringTypeName = reader.ReadString()!;
        int token = reader.ReadInt32();
        string? fallbackLocation = loadFromParentPath && location.Length > 0 ? location : null; // empty: a relayed call, resolved from this deployment only
        var methodTypeArguments = new Type[reader.ReadArrayHeader()];
        for (int i = 0; i < methodTypeArguments.Length; i++)
        {
            methodTypeArguments[i] = ResolveType(reader.ReadString()!, fallbackLocation);
        }

        string? targetTypeName = reader.ReadString();
        bool isClosure = reader.ReadBoolean();

        Type declaringType = ResolveType(declaringTypeName, fallbackLocation);
        if (declaringType.Module.ModuleVersionId.ToString() != moduleVersionId)
        {
            throw new InvalidOperationException($"The worker loaded a different build of {declaringType.Assembly.GetName().Name} than the parent process ({declaringType.Assembly.Location}); rebuild and restart so both run the same assemblies.");
        }

        MethodInfo method = FindMethod(declaringType, token) ?? throw new MissingMethodException($"No method with token 0x{token:x8} in {declaringType}.");
        if (method.IsGenericMethodDefinition)
        {
            method = method.MakeGenericMethod(methodTypeArguments);
        }

        Type? targetType = targetTypeName is null ? null : ResolveType(targetTypeName, fallbackLocation);
        return new ResolvedFunction(method, targetType, isClosure ? ClosureShape.For(method, targetType!) : null);
    }

    /// <summary>The method of <paramref name="declaringType"/> (itself, not a base type) with this metadata token.</summary>
    /// <remarks>A loop, not LINQ: a worker that defines only this would load System.Linq for it (memory, start-up).</remarks>
    private static MethodInfo? FindMethod(Type declaringType, int token)
    {
        foreach (MethodInfo candidate in declaringType.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        {
            if (candidate.MetadataToken == token)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Resolves a type name, loading assemblies by name and falling back to the parent's directory.</summary>
    private static Type ResolveType(string assemblyQualifiedName, string? parentAssemblyLocation) =>
        Type.GetType(assemblyQualifiedName, name => LoadAssembly(name, parentAssemblyLocation), typeResolver: null, throwOnError: true)!;

    private static Assembly LoadAssembly(AssemblyName name, string? parentAssemblyLocation)
    {
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (FileNotFoundException) when (parentAssemblyLocation is null)
        {
            throw new FileNotFoundException($"Assembly {name.FullName} is not deployed here.", name.Name);
        }
        catch (FileNotFoundException)
        {
            string candidate = Path.Combine(Path.GetDirectoryName(parentAssemblyLocation)!, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                return AssemblyLoadContext.Default.LoadFromAssemblyPath(candidate);
            }

            throw new FileNotFoundException($"The worker cannot find assembly {name.FullName}; the parent loaded it from {parentAssemblyLocation}. Deploy the same application files on the worker's side.", name.Name);
        }
    }
}
