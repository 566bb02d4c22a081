using System.Reflection;
using System.Reflection.Emit;

namespace ConcurrentFutures.Remote;

/// <summary>
/// Finds which closure fields a lambda really uses, by reading its IL. C# puts every variable captured in a scope
/// into one closure class, so a lambda that reads only <c>offset</c> may share its closure with a variable another
/// lambda captured (an executor, a stream); only the fields this lambda touches — directly, through enclosing
/// closures, or through local functions it calls — are copied and checked.
/// </summary>
internal static class CapturedFieldScanner
{
    private static readonly OpCode[] s_oneByte = new OpCode[0x100];
    private static readonly OpCode[] s_twoByte = new OpCode[0x100];

#pragma warning disable CA1810 // The opcode tables are filled once from reflection; a static constructor is the clearest place.
    static CapturedFieldScanner()
#pragma warning restore CA1810
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            ushort value = unchecked((ushort)opCode.Value);
            if (opCode.Size == 1)
            {
                s_oneByte[value] = opCode;
            }
            else
            {
                s_twoByte[value & 0xff] = opCode;
            }
        }
    }

    /// <summary>The fields of compiler-generated closure classes that <paramref name="method"/> reads or writes.</summary>
    public static HashSet<FieldInfo> UsedClosureFields(MethodInfo method)
    {
        var fields = new HashSet<FieldInfo>();
        Scan(method, fields, []);
        return fields;
    }

    private static void Scan(MethodBase method, HashSet<FieldInfo> fields, HashSet<MethodBase> visited)
    {
        if (!visited.Add(method) || method.GetMethodBody()?.GetILAsByteArray() is not { } il)
        {
            return;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int position = 0;
        while (position < il.Length)
        {
            OpCode opCode = il[position] == 0xFE ? s_twoByte[il[++position]] : s_oneByte[il[position]];
            position++;
            if (opCode.OperandType is OperandType.InlineField or OperandType.InlineMethod)
            {
                int token = BitConverter.ToInt32(il, position);
                if (opCode.OperandType == OperandType.InlineField)
                {
                    FieldInfo? field = method.Module.ResolveField(token, typeArguments, methodArguments);
                    if (field is { IsStatic: false, DeclaringType: { } owner } && ClosureShape.IsClosureType(owner))
                    {
                        fields.Add(field);
                    }
                }
                else if (method.Module.ResolveMethod(token, typeArguments, methodArguments) is { DeclaringType: { } owner } callee && ClosureShape.IsClosureType(owner))
                {
                    Scan(callee, fields, visited); // a local function or nested lambda body living on a closure class
                }
            }

            position += OperandSize(opCode, il, position);
        }
    }

    private static int OperandSize(OpCode opCode, byte[] il, int position) => opCode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };
}
