using MessagePack;
using MessagePack.Formatters;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>One field's value written or read with the formatter of its declared type; called by the code <see cref="TypeLayout"/> generates.</summary>
internal static class FieldCopy
{
    public static void Write<T>(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
        Formatter<T>.Get(options).Serialize(ref writer, value, options);

    public static T Read<T>(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        Formatter<T>.Get(options).Deserialize(ref reader, options);

    /// <summary>The formatter of the library's resolver, cached per type (the common case) without a lookup.</summary>
    private static class Formatter<T>
    {
        private static IMessagePackFormatter<T>? s_cached;

        public static IMessagePackFormatter<T> Get(MessagePackSerializerOptions options) =>
            options.Resolver == GraphResolver.Instance
                ? s_cached ??= GraphResolver.Instance.GetFormatterWithVerify<T>()
                : options.Resolver.GetFormatterWithVerify<T>();
    }
}
