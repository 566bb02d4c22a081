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
        if (reader.ReadArrayHeader() != FunctionDefinition.Elements)
        {
            throw new MessagePackSerializationException("Malformed function definition (or one from another version of ConcurrentFutures).");
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
        int declaringTypeToken = reader.ReadInt32();
        int targetTypeToken = reader.ReadInt32();

        Type declaringType;
        if (declaringTypeToken != 0)
        {
            Module module = LoadAssembly(AssemblyNameOf(AssemblyPart(declaringTypeName)), fallbackLocation).ManifestModule;
            CheckSameBuild(module, moduleVersionId); // before the token is looked up: in another build it names another type
            declaringType = module.ResolveType(TypeDefinition(declaringTypeToken));
        }
        else
        {
            declaringType = ResolveType(declaringTypeName, fallbackLocation);
            CheckSameBuild(declaringType.Module, moduleVersionId);
        }

        MethodInfo method = FindMethod(declaringType, token) ?? throw new MissingMethodException($"No method with token 0x{token:x8} in {declaringType}.");
        if (method.IsGenericMethodDefinition)
        {
            method = method.MakeGenericMethod(methodTypeArguments);
        }

        Type? targetType = targetTypeName is null ? null
            : targetTypeToken != 0 ? declaringType.Module.ResolveType(TypeDefinition(targetTypeToken))
            : ResolveType(targetTypeName, fallbackLocation);
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

    private static void CheckSameBuild(Module module, string moduleVersionId)
    {
        if (!Guid.TryParseExact(moduleVersionId, "D", out Guid sent) || sent != module.ModuleVersionId)
        {
            throw new InvalidOperationException($"The worker loaded a different build of {module.Assembly.GetName().Name} than the parent process ({module.Assembly.Location}); rebuild and restart so both run the same assemblies.");
        }
    }

    /// <summary>A token of a type defined in the module (not one it references from elsewhere), else the definition is refused.</summary>
    private static int TypeDefinition(int token) =>
        token >>> 24 == TypeDefinitionTable ? token : throw new MessagePackSerializationException($"Malformed function definition: 0x{token:x8} is not a type defined in the function's assembly.");

    /// <summary>The metadata table of type definitions (the top byte of their tokens).</summary>
    private const int TypeDefinitionTable = 0x02;

    /// <summary>
    /// The assembly's display name in the assembly-qualified name of a type that is not generic (what has a token in a
    /// definition): what follows the type's name, which ends at its first unescaped comma.
    /// </summary>
    private static string AssemblyPart(string assemblyQualifiedName)
    {
        for (int i = 0; i < assemblyQualifiedName.Length; i++)
        {
            switch (assemblyQualifiedName[i])
            {
                case '\\':
                    i++; // an escaped character of the type's name
                    break;
                case ',':
                    return assemblyQualifiedName[(i + 1)..].Trim();
            }
        }

        throw new MessagePackSerializationException($"Malformed function definition: '{assemblyQualifiedName}' names no assembly.");
    }

    /// <summary>
    /// The assembly to load for a display name: by its simple name when that is plain (no quotes or escapes), else the
    /// whole display name parsed. Parsing one reads culture data (its <c>Culture=</c>), which loads ICU, ~3 ms and ~3 MB
    /// of a new worker that a no-op call does not otherwise need; the version and key a simple name leaves out are no
    /// loss, as <see cref="CheckSameBuild"/> then holds the assembly to the very build the sender ran.
    /// </summary>
    internal static AssemblyName AssemblyNameOf(string displayName)
    {
        int comma = displayName.IndexOf(',', StringComparison.Ordinal);
        string simpleName = (comma < 0 ? displayName : displayName[..comma]).Trim();
        return simpleName.Length > 0 && simpleName.AsSpan().IndexOfAny("\"'\\=") < 0
            ? new AssemblyName { Name = simpleName }
            : new AssemblyName(displayName);
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
