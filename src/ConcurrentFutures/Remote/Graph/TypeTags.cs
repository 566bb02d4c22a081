using System.Collections.Concurrent;
using System.Reflection;
using MessagePack;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// Names the runtime type of a value whose declared type is wider (a base class, an interface, <c>object</c>). A tag is
/// either a number from a closed list of framework types this library knows how to copy (the frame only picks among
/// them), or the assembly and full name of a type of the application's own projects, read back only if that assembly
/// is one of them (<see cref="ApplicationAssemblies"/>), the type is concrete and it is assignable to the declared
/// type. In one value a type is named once; later uses write its number.
/// </summary>
/// <remarks>
/// Wire form: a positive integer n (the n-th type defined in this value), or an array: [0, known] a framework type,
/// [1, known generic definition, argument tags…], [2, assembly, full name, argument tags…] an application type,
/// [3, element tag, rank] an array.
/// </remarks>
internal static class TypeTags
{
    /// <summary>The framework types a tag may name, by position (<see cref="SendabilityTable.KnownTypes"/>).</summary>
    private static readonly Type[] s_known = SendabilityTypes.KnownTypes;

    /// <summary>The framework generic types a tag may name, by position (<see cref="SendabilityTable.KnownGenericTypes"/>).</summary>
    private static readonly Type[] s_knownGeneric = SendabilityTypes.KnownGenericTypes;

    private static readonly Dictionary<Type, int> s_knownIds = Ids(s_known);
    private static readonly Dictionary<Type, int> s_knownGenericIds = Ids(s_knownGeneric);

    /// <summary>
    /// Application types by assembly, then full name, once looked up. Not keyed by a tuple: a dictionary of tuples is an
    /// instantiation no precompiled image holds, which a new worker compiled (11 methods) for its first record.
    /// </summary>
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Type?>> s_applicationTypes = new(StringComparer.Ordinal);

    /// <summary>True for a framework type the closed lists name (so it may travel where a wider type is declared).</summary>
    public static bool IsKnownFrameworkType(Type type) =>
        s_knownIds.ContainsKey(type) || (type.IsGenericType && s_knownGenericIds.ContainsKey(type.GetGenericTypeDefinition()));

    /// <summary>Why values of <paramref name="type"/> cannot travel under a wider declared type, or null when they can.</summary>
    public static string? WhyNotNameable(Type type)
    {
        if (type.IsArray)
        {
            return WhyNotNameable(type.GetElementType()!);
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                if (WhyNotNameable(argument) is { } reason)
                {
                    return reason;
                }
            }

            if (s_knownGenericIds.ContainsKey(type.GetGenericTypeDefinition()))
            {
                return null;
            }
        }

        if (s_knownIds.ContainsKey(type))
        {
            return null;
        }

        if (!ApplicationAssemblies.Contains(type.Assembly))
        {
            return $"{Sendability.Describe(type)} is defined in {type.Assembly.GetName().Name}, which is not one of this application's own projects, so it can be sent only where it is declared as itself (not as a base type, interface or object)";
        }

        return null;
    }

    public static void Write(ref MessagePackWriter writer, Type type, GraphSession session)
    {
        int id = session.WrittenType(type);
        if (id >= 0)
        {
            writer.Write(id);
            return;
        }

        WriteDefinition(ref writer, type);
    }

    public static Type Read(ref MessagePackReader reader, GraphSession session, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType == MessagePackType.Integer)
        {
            return session.ReadType(reader.ReadInt32());
        }

        Type type = ReadDefinition(ref reader, options);
        session.AddReadType(type);
        return type;
    }

    private static void WriteDefinition(ref MessagePackWriter writer, Type type)
    {
        if (type.IsArray)
        {
            writer.WriteArrayHeader(3);
            writer.Write(3);
            WriteDefinition(ref writer, type.GetElementType()!);
            writer.Write(type.GetArrayRank());
        }
        else if (s_knownIds.TryGetValue(type, out int known))
        {
            writer.WriteArrayHeader(2);
            writer.Write(0);
            writer.Write(known);
        }
        else if (type.IsGenericType && s_knownGenericIds.TryGetValue(type.GetGenericTypeDefinition(), out int generic))
        {
            Type[] arguments = type.GetGenericArguments();
            writer.WriteArrayHeader(2 + arguments.Length);
            writer.Write(1);
            writer.Write(generic);
            foreach (Type argument in arguments)
            {
                WriteDefinition(ref writer, argument);
            }
        }
        else
        {
            Type[] arguments = type.IsGenericType ? type.GetGenericArguments() : [];
            Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            writer.WriteArrayHeader(3 + arguments.Length);
            writer.Write(2);
            writer.Write(definition.Assembly.GetName().Name);
            writer.Write(definition.FullName);
            foreach (Type argument in arguments)
            {
                WriteDefinition(ref writer, argument);
            }
        }
    }

    private static Type ReadDefinition(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int count = reader.ReadArrayHeader();
        if (count < 2)
        {
            throw new MessagePackSerializationException("A type tag is too short.");
        }

        int kind = reader.ReadInt32();
        Type type = kind switch
        {
            0 when count == 2 => Known(s_known, reader.ReadInt32()),
            1 => Construct(Known(s_knownGeneric, reader.ReadInt32()), ref reader, count - 2, options),
            2 when count >= 3 => ReadApplicationType(ref reader, count, options),
            3 when count == 3 => ReadArrayType(ref reader, options),
            _ => throw new MessagePackSerializationException($"A type tag has an unknown form ({kind}, {count} elements)."),
        };
        reader.Depth--;
        return type;
    }

    private static Type ReadArrayType(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        Type element = ReadDefinition(ref reader, options);
        int rank = reader.ReadInt32();
        return rank switch
        {
            1 => element.MakeArrayType(),
            >= 2 and <= 4 => element.MakeArrayType(rank),
            _ => throw new MessagePackSerializationException($"An array type tag has rank {rank}."),
        };
    }

    private static Type ReadApplicationType(ref MessagePackReader reader, int count, MessagePackSerializerOptions options)
    {
        string assembly = reader.ReadString() ?? throw new MessagePackSerializationException("A type tag has no assembly name.");
        string name = reader.ReadString() ?? throw new MessagePackSerializationException("A type tag has no type name.");
        if (!ApplicationAssemblies.Contains(assembly))
        {
            throw new MessagePackSerializationException($"A value names type {name} of assembly {assembly}, which is not one of this application's own projects; it was not loaded.");
        }

        ConcurrentDictionary<string, Type?> types = s_applicationTypes.GetOrAdd(assembly, static _ => new(StringComparer.Ordinal));
        if (!types.TryGetValue(name, out Type? found))
        {
            found = types.GetOrAdd(name, LoadApplicationType(assembly, name));
        }

        Type definition = found
            ?? throw new MessagePackSerializationException($"Type {name} is not defined in {assembly} here; both processes must run the same build of the application.");
        return Construct(definition, ref reader, count - 3, options);
    }

    private static Type? LoadApplicationType(string assemblyName, string typeName)
    {
        try
        {
            Assembly assembly = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => string.Equals(a.GetName().Name, assemblyName, StringComparison.OrdinalIgnoreCase))
                ?? Assembly.Load(new AssemblyName(assemblyName));
            return assembly.GetType(typeName, throwOnError: false);
        }
        catch (IOException)
        {
            return null;
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static Type Construct(Type definition, ref MessagePackReader reader, int argumentCount, MessagePackSerializerOptions options)
    {
        int expected = definition.IsGenericTypeDefinition ? definition.GetGenericArguments().Length : 0;
        if (argumentCount != expected)
        {
            throw new MessagePackSerializationException($"A type tag gives {argumentCount} type arguments for {definition.Name}, which takes {expected}.");
        }

        if (expected == 0)
        {
            return definition;
        }

        var arguments = new Type[argumentCount];
        for (int i = 0; i < argumentCount; i++)
        {
            arguments[i] = ReadDefinition(ref reader, options);
        }

        try
        {
            return definition.MakeGenericType(arguments);
        }
        catch (ArgumentException exception)
        {
            throw new MessagePackSerializationException($"A type tag's arguments do not fit {definition.Name}: {exception.Message}", exception);
        }
    }

    private static Type Known(Type[] table, int id) =>
        (uint)id < (uint)table.Length ? table[id] : throw new MessagePackSerializationException($"A type tag names framework type {id}, which is not on the list.");

    private static Dictionary<Type, int> Ids(Type[] types)
    {
        var ids = new Dictionary<Type, int>();
        for (int i = 0; i < types.Length; i++)
        {
            ids.Add(types[i], i);
        }

        return ids;
    }
}
