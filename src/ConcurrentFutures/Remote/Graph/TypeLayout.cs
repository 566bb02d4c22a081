using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using MessagePack;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// How one of the user's concrete types is copied, the way pickle copies an object's <c>__dict__</c>: every instance
/// field, public or private, readonly or not, of the type and its base classes, in a fixed order (base first, then
/// metadata order) that both processes derive from the same assembly. Reading creates the object without running a
/// constructor and sets the fields. The per-field code is generated once per type (a dynamic method), so a copy
/// costs one formatter call per field, without reflection.
/// </summary>
internal sealed class TypeLayout
{
    private static readonly ConcurrentDictionary<Type, TypeLayout> s_layouts = new();

    /// <summary>Field types copied with a direct writer/reader call.</summary>
    private static readonly HashSet<Type> s_direct =
    [
        typeof(bool), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long),
        typeof(ulong), typeof(float), typeof(double), typeof(string),
    ];

    private readonly Writer _write;
    private readonly Reader _read;

    private TypeLayout(Type type)
    {
        Type = type;
        Fields = CopiedFields(type);
        IsTracked = !type.IsValueType && !IsImmutableLeaf(type, Fields);
        _write = EmitWriter(type, Fields);
        _read = EmitReader(type, Fields);
    }

    private delegate void Writer(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options);

    private delegate void Reader(ref MessagePackReader reader, object target, MessagePackSerializerOptions options);

    public Type Type { get; }

    /// <summary>The fields copied, in wire order.</summary>
    public FieldInfo[] Fields { get; }

    /// <summary>
    /// True when objects of this type keep their identity in a copy (a second reference becomes a back-reference):
    /// every class, except immutable ones whose fields hold only values (numbers, strings, dates…) — their identity
    /// cannot be observed but through <see cref="object.ReferenceEquals"/>, and skipping the bookkeeping keeps bulk
    /// records fast. Such an object can never close a cycle.
    /// </summary>
    public bool IsTracked { get; }

    public static TypeLayout For(Type type) => s_layouts.GetOrAdd(type, static t => new TypeLayout(t));

    /// <summary>The fields of <paramref name="type"/> that are copied: all instance fields but those marked not to be.</summary>
    public static FieldInfo[] CopiedFields(Type type)
    {
        var chain = new Stack<Type>();
        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            chain.Push(t);
        }

        var fields = new List<FieldInfo>();
        foreach (Type t in chain)
        {
            const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            fields.AddRange(t.GetFields(Declared).Where(f => !IsIgnored(f)).OrderBy(f => f.MetadataToken));
        }

        return [.. fields];
    }

    /// <summary>The name a user knows a field by: the property of a backing field, else the field's own name.</summary>
    public static string MemberName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.IndexOf('>', StringComparison.Ordinal) is int end and > 1 ? field.Name[1..end] : field.Name;

    /// <summary>Writes the fields of <paramref name="value"/> as an array.</summary>
    public void WriteBody(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(Fields.Length);
        _write(ref writer, value, options);
    }

    /// <summary>Reads the field array into <paramref name="target"/> (a new object, or a boxed struct).</summary>
    public void ReadBody(ref MessagePackReader reader, object target, MessagePackSerializerOptions options)
    {
        int count = reader.ReadArrayHeader();
        if (count != Fields.Length)
        {
            throw new MessagePackSerializationException($"{Sendability.Describe(Type)} has {Fields.Length} fields but {count} values were sent; both processes must run the same build of the application.");
        }

        _read(ref reader, target, options);
    }

    private static bool IsImmutableLeaf(Type type, FieldInfo[] fields) =>
        type != typeof(object) && Array.TrueForAll(fields, f => f.IsInitOnly && IsPlainValue(f.FieldType));

    private static bool IsPlainValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime)
        || type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(DateOnly)
        || type == typeof(TimeOnly) || type == typeof(Int128) || type == typeof(UInt128) || type == typeof(Half)
        || (Nullable.GetUnderlyingType(type) is { } underlying && IsPlainValue(underlying));

    /// <summary>[NonSerialized] fields, and fields or auto-properties marked [IgnoreMember] / [IgnoreDataMember], are not copied.</summary>
    private static bool IsIgnored(FieldInfo field)
    {
#pragma warning disable SYSLIB0050 // [NonSerialized] is still how .NET code says "not part of the copy".
        if (field.IsNotSerialized || Ignored(field))
#pragma warning restore SYSLIB0050
        {
            return true;
        }

        return field.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
            && field.DeclaringType!.GetProperty(MemberName(field), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly) is { } property
            && Ignored(property);

        static bool Ignored(MemberInfo member) =>
            member.IsDefined(typeof(IgnoreMemberAttribute), inherit: true) || member.IsDefined(typeof(IgnoreDataMemberAttribute), inherit: true);
    }

    private static Writer EmitWriter(Type type, FieldInfo[] fields)
    {
        var method = new DynamicMethod($"Write_{type.Name}", typeof(void), [typeof(MessagePackWriter).MakeByRefType(), typeof(object), typeof(MessagePackSerializerOptions)], typeof(TypeLayout).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        MethodInfo write = typeof(FieldCopy).GetMethod(nameof(FieldCopy.Write))!;
        foreach (FieldInfo field in fields)
        {
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(type.IsValueType ? OpCodes.Unbox : OpCodes.Castclass, type);
            il.Emit(OpCodes.Ldfld, field);
            if (DirectWrite(field.FieldType) is { } direct)
            {
                il.Emit(OpCodes.Call, direct); // writer.Write(value): the same bytes as the type's formatter, without the formatter call
                continue;
            }

            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Call, write.MakeGenericMethod(field.FieldType));
        }

        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Writer>();
    }

    /// <summary>For the types MessagePack writes with one writer call (numbers, bool, string), that call.</summary>
    private static MethodInfo? DirectWrite(Type type) =>
        s_direct.Contains(type) ? typeof(MessagePackWriter).GetMethod(nameof(MessagePackWriter.Write), [type]) : null;

    private static MethodInfo? DirectRead(Type type) =>
        s_direct.Contains(type) ? typeof(MessagePackReader).GetMethod(type == typeof(bool) ? "ReadBoolean" : type == typeof(float) ? "ReadSingle" : "Read" + type.Name, Type.EmptyTypes) : null;

    private static Reader EmitReader(Type type, FieldInfo[] fields)
    {
        var method = new DynamicMethod($"Read_{type.Name}", typeof(void), [typeof(MessagePackReader).MakeByRefType(), typeof(object), typeof(MessagePackSerializerOptions)], typeof(TypeLayout).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        MethodInfo read = typeof(FieldCopy).GetMethod(nameof(FieldCopy.Read))!;
        foreach (FieldInfo field in fields)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(type.IsValueType ? OpCodes.Unbox : OpCodes.Castclass, type);
            il.Emit(OpCodes.Ldarg_0);
            if (DirectRead(field.FieldType) is { } direct)
            {
                il.Emit(OpCodes.Call, direct);
            }
            else
            {
                il.Emit(OpCodes.Ldarg_2);
                il.Emit(OpCodes.Call, read.MakeGenericMethod(field.FieldType));
            }

            il.Emit(OpCodes.Stfld, field);
        }

        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Reader>();
    }
}
