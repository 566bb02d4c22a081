using System.Runtime.CompilerServices;
using MessagePack;

namespace ConcurrentFutures.Remote.Graph;

/// <summary>
/// The state of writing or reading one graph — a value (a result, a queue item), or all the arguments of one call, or
/// all the captures of one lambda: which of the user's objects were already written, so a second reference becomes a
/// back-reference and a cycle closes on itself, and how deep the graph is. One per thread, reused; a value written
/// from inside another value's serialization (a custom formatter calling the serializer) gets a fresh one.
/// </summary>
internal sealed class GraphSession
{
    /// <summary>How deeply objects may nest (graph levels, each object or boxed value one level): as Python's recursion limit.</summary>
    public const int MaxDepth = 1_000;

    [ThreadStatic]
    private static GraphSession? t_idle;

    [ThreadStatic]
    private static GraphSession? t_current;

    /// <summary>Writing: object → its number in order of first appearance.</summary>
    private readonly Dictionary<object, int> _written = new(ReferenceEqualityComparer.Instance);

    /// <summary>Reading: objects by number, registered before their fields are read (so a cycle can point back).</summary>
    private readonly List<object> _read = [];

    /// <summary>Framework collections being written right now: one that contains itself cannot be rebuilt.</summary>
    private readonly HashSet<object> _open = new(ReferenceEqualityComparer.Instance);

    /// <summary>Type tags defined so far in this value (a later use of the same type writes only its number).</summary>
    private readonly Dictionary<Type, int> _writtenTypes = [];

    private readonly List<Type> _readTypes = [];

    private GraphSession? _outer;
    private int _depth;

    /// <summary>True for a session begun by <see cref="BeginShared"/>: values written at its top level join it.</summary>
    private bool _shared;

    /// <summary>The session of the value being written or read on this thread.</summary>
    public static GraphSession Current => t_current ?? throw new InvalidOperationException("No value is being serialized on this thread.");

    /// <summary>
    /// Starts a session for one top-level value — or joins the shared session of the call being written or read, when
    /// this value is one of its arguments or captures; dispose the scope when the value is done.
    /// </summary>
    public static Scope Begin() => t_current is { _shared: true, _depth: 0 } ? default : Start(shared: false);

    /// <summary>
    /// Starts a session that the values written or read at its top level join (the arguments of one call, the captures
    /// of one lambda), so a reference shared between two of them stays shared. Both sides must scope the same values.
    /// </summary>
    public static Scope BeginShared() => t_current is { _shared: true, _depth: 0 } ? default : Start(shared: true);

    private static Scope Start(bool shared)
    {
        GraphSession session = t_idle ?? new GraphSession();
        t_idle = null;
        session._outer = t_current;
        session._shared = shared;
        t_current = session;
        return new Scope(session);
    }

    /// <summary>Writing: true with its number when <paramref name="value"/> was written before; else numbers it.</summary>
    public bool TryGetWritten(object value, out int id)
    {
        if (_written.TryGetValue(value, out id))
        {
            return true;
        }

        _written.Add(value, _written.Count);
        return false;
    }

    /// <summary>Reading: numbers an object just created, before its fields are read.</summary>
    public void Register(object value) => _read.Add(value);

    /// <summary>Reading: the object a back-reference names.</summary>
    public object Referenced(int id) =>
        (uint)id < (uint)_read.Count ? _read[id] : throw new MessagePackSerializationException($"A back-reference names object {id}, but only {_read.Count} were read.");

    /// <summary>Writing: marks a framework collection as open; false when it is already (it contains itself).</summary>
    public bool Open(object collection) => _open.Add(collection);

    public void Close(object collection) => _open.Remove(collection);

    /// <summary>Writing: the number of a type tag written before, or -1 after recording it as the next.</summary>
    public int WrittenType(Type type)
    {
        if (_writtenTypes.TryGetValue(type, out int id))
        {
            return id;
        }

        _writtenTypes.Add(type, _writtenTypes.Count);
        return -1;
    }

    public void AddReadType(Type type) => _readTypes.Add(type);

    public Type ReadType(int id) =>
        (uint)id < (uint)_readTypes.Count ? _readTypes[id] : throw new MessagePackSerializationException($"A type number {id} was never defined.");

    /// <summary>Goes one level deeper; refuses a graph deeper than <see cref="MaxDepth"/> or than this thread's stack allows.</summary>
    public void Enter(object? offender)
    {
        if (++_depth > MaxDepth)
        {
            _depth--;
            throw new UnsendableValueException($"it nests more than {MaxDepth:N0} levels deep (a long chain or a cycle through framework collections); send long chains as a list or array", offender);
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            _depth--;
            throw new UnsendableValueException("it nests deeper than this thread's stack allows; send long chains as a list or array", offender);
        }
    }

    public void Leave() => _depth--;

    private void Reset()
    {
        _written.Clear();
        _read.Clear();
        _open.Clear();
        _writtenTypes.Clear();
        _readTypes.Clear();
        _depth = 0;
    }

    /// <summary>Ends a session: the thread's previous one (if any) becomes current again; a joined scope does nothing.</summary>
    public readonly struct Scope(GraphSession? session) : IDisposable
    {
        public void Dispose()
        {
            if (session is null)
            {
                return;
            }

            t_current = session._outer;
            session._outer = null;
            if (session._written.Count < 4096 && session._read.Count < 4096)
            {
                session.Reset();
                t_idle = session;
            }
        }
    }
}
