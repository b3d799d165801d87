using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>The primitive behind an acquisition; it decides which rules apply to it.</summary>
internal enum LockKind
{
    /// <summary><c>lock (x)</c>, <c>Monitor.Enter/TryEnter</c>: thread-affine and re-entrant.</summary>
    Monitor,
    /// <summary><c>System.Threading.Lock</c> (<c>EnterScope</c>, <c>Enter</c>): thread-affine.</summary>
    ThreadingLock,
    /// <summary><c>SemaphoreSlim.Wait/WaitAsync</c>: not thread-affine, safe across awaits.</summary>
    Semaphore,
    /// <summary><c>Mutex.WaitOne</c>: thread-affine.</summary>
    Mutex,
    /// <summary><c>ReaderWriterLockSlim.Enter*Lock</c>: thread-affine.</summary>
    ReaderWriter,
    /// <summary>A configured async lock (<c>using (await x.LockAsync())</c>): safe across awaits.</summary>
    AsyncLock,
}

/// <summary>
/// Which lock an acquisition takes. Identity is the symbol the lock is reached through (a static
/// or instance field, a property, <c>this</c> of a type, <c>typeof(T)</c>), so <c>lock (_a)</c> in
/// two methods of one class is one lock; locks held in locals and parameters have no identity.
/// </summary>
internal sealed class LockIdentity : System.IEquatable<LockIdentity>
{
    private LockIdentity(ISymbol symbol, bool isThis, bool isTypeOf)
    {
        Symbol = symbol;
        IsThis = isThis;
        IsTypeOf = isTypeOf;
    }

    /// <summary>The field or property; for <c>this</c> and <c>typeof(T)</c>, the type.</summary>
    public ISymbol Symbol { get; }
    public bool IsThis { get; }
    public bool IsTypeOf { get; }

    /// <summary>How messages name the lock: '_gate', 'Account._gate', 'this' (Account), 'typeof(Account)'.</summary>
    public string Describe(INamedTypeSymbol? site)
    {
        if (IsThis)
            return $"'this' ({Symbol.Name})";
        if (IsTypeOf)
            return $"'typeof({Symbol.Name})'";
        return SymbolEqualityComparer.Default.Equals(Symbol.ContainingType?.OriginalDefinition, site?.OriginalDefinition)
            ? $"'{Symbol.Name}'"
            : $"'{Symbol.ContainingType?.Name}.{Symbol.Name}'";
    }

    /// <summary>The name a declared lock hierarchy uses for the lock: 'Type.field', 'Type.this', 'typeof(Type)'.</summary>
    public string HierarchyName
        => IsThis ? Symbol.Name + ".this" : IsTypeOf ? $"typeof({Symbol.Name})" : $"{Symbol.ContainingType?.Name}.{Symbol.Name}";

    public static LockIdentity? Of(IOperation? lockExpression)
    {
        switch (OperationTree.Unwrap(lockExpression))
        {
            case IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation || field.Field.IsStatic || IsSharedPath(field.Instance):
                return new LockIdentity(field.Field.OriginalDefinition, isThis: false, isTypeOf: false);
            case IPropertyReferenceOperation { Arguments.IsEmpty: true } property when property.Instance is null or IInstanceReferenceOperation || IsSharedPath(property.Instance):
                return new LockIdentity(property.Property.OriginalDefinition, isThis: false, isTypeOf: false);
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance, Type: { } type }:
                return new LockIdentity(type.OriginalDefinition, isThis: true, isTypeOf: false);
            case ITypeOfOperation { TypeOperand: { } operand }:
                return new LockIdentity(operand.OriginalDefinition, isThis: false, isTypeOf: true);
            default:
                return null;
        }
    }

    // `other._gate` names the same field as `_gate`: the analysis works per field, not per object.
    private static bool IsSharedPath(IOperation? instance)
        => OperationTree.Unwrap(instance) is IParameterReferenceOperation or ILocalReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation;

    public bool Equals(LockIdentity? other)
        => other is not null && IsThis == other.IsThis && IsTypeOf == other.IsTypeOf && SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol);

    public override bool Equals(object? obj) => Equals(obj as LockIdentity);

    public override int GetHashCode() => SymbolEqualityComparer.Default.GetHashCode(Symbol) * 4 + (IsThis ? 1 : 0) + (IsTypeOf ? 2 : 0);
}

/// <summary>One acquisition of a lock: what is taken, how, and where.</summary>
internal sealed class LockAcquisition
{
    public LockAcquisition(LockKind kind, IOperation lockExpression, IOperation operation, bool isConditional)
    {
        Kind = kind;
        LockExpression = lockExpression;
        Operation = operation;
        IsConditional = isConditional;
        Identity = LockIdentity.Of(lockExpression);
    }

    public LockKind Kind { get; }

    /// <summary>The expression naming the lock (<c>_gate</c> in <c>_gate.Wait()</c>).</summary>
    public IOperation LockExpression { get; }

    /// <summary>The acquiring operation: the lock statement, the invocation.</summary>
    public IOperation Operation { get; }

    /// <summary>TryEnter, or Wait with a timeout: the result says whether the lock was taken.</summary>
    public bool IsConditional { get; }

    public LockIdentity? Identity { get; }

    /// <summary>Where a diagnostic about this acquisition goes: the lock expression for <c>lock</c>, else the call.</summary>
    public Location Location => Operation is ILockOperation ? LockExpression.Syntax.GetLocation() : Operation.Syntax.GetLocation();

    /// <summary>Released by a different thread than the one that took it, the primitive throws or corrupts.</summary>
    public bool IsThreadAffine => Kind is LockKind.Monitor or LockKind.ThreadingLock or LockKind.Mutex or LockKind.ReaderWriter;

    /// <summary>'_gate' or the lock expression's text when it has no identity (a local, a parameter).</summary>
    public string Describe(INamedTypeSymbol? site) => Identity?.Describe(site) ?? $"'{LockExpression.Syntax}'";
}

/// <summary>
/// Recognises acquisitions and releases of every lock primitive the AP3xxx rules know; the primitive
/// types come from <see cref="KnownTypes"/>, resolved once per compilation for all rules.
/// </summary>
internal sealed class LockPrimitives
{
    public static readonly ImmutableArray<string> DefaultAsyncLockMethods = ImmutableArray.Create("LockAsync", "ReaderLockAsync", "WriterLockAsync", "UpgradeableReaderLockAsync", "AcquireAsync");

    private readonly KnownTypes _types;

    public LockPrimitives(KnownTypes types) => _types = types;

    public KnownTypes Types => _types;

    /// <summary>
    /// Every thread-affine acquisition calls a method whose name contains one of these words
    /// (Enter, TryEnter, EnterScope, Enter*Lock, TryEnter*Lock; WaitOne): a prefilter for bodies.
    /// </summary>
    public static readonly ImmutableArray<string> ThreadAffineAcquireWords = ImmutableArray.Create("Enter", "WaitOne");

    /// <summary>
    /// Every acquisition <see cref="TryGetAcquisition(IOperation?)"/> knows spells one of these: the
    /// <c>lock</c> keyword, a name containing Enter or Wait, or an async lock method's name. Code whose
    /// text has none of them takes no lock (<see cref="SourceWords"/>).
    /// </summary>
    public ImmutableArray<string> AcquisitionWords { get; private set; } = WordsFor(DefaultAsyncLockMethods);

    private static ImmutableArray<string> WordsFor(ImmutableArray<string> asyncLockMethods)
    {
        var words = ImmutableArray.CreateBuilder<string>();
        words.AddRange("lock", "Enter", "Wait");
        foreach (var name in asyncLockMethods)
        {
            // A name that contains a listed word is found by it (ReaderLockAsync by LockAsync); one inside a listed word replaces it.
            if (!words.Any(word => name.Contains(word)))
            {
                words.RemoveAll(word => word.Contains(name));
                words.Add(name);
            }
        }
        return words.ToImmutable();
    }

    /// <summary>
    /// The primitives of a compilation, with the async lock method names a project configured
    /// (<see cref="OptionCatalog.AsyncLockMethods"/>: shared, or per rule) in place of the defaults.
    /// </summary>
    public static LockPrimitives Create(KnownTypes types, Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions options, string ruleId)
    {
        var primitives = new LockPrimitives(types);
        var names = OptionCatalog.AsyncLockMethods.ReadForProject(options, types.Compilation, ruleId);
        // The default is the very array the fields start with: the words need building only for a configured list.
        if (names != DefaultAsyncLockMethods)
        {
            primitives.AsyncLockMethods = names;
            primitives.AcquisitionWords = WordsFor(names);
        }
        return primitives;
    }

    /// <summary>Names of methods whose awaited, disposable result is a held async lock (configurable per rule).</summary>
    public ImmutableArray<string> AsyncLockMethods { get; private set; } = DefaultAsyncLockMethods;

    /// <summary>The acquisition <paramref name="operation"/> performs, if any (awaits and conversions are looked through).</summary>
    public LockAcquisition? TryGetAcquisition(IOperation? operation)
    {
        operation = OperationTree.Unwrap(operation);
        if (operation is IAwaitOperation awaited)
            operation = StripConfigureAwait(OperationTree.Unwrap(awaited.Operation));
        switch (operation)
        {
            case ILockOperation lockOperation:
                return new LockAcquisition(LockKind.Monitor, lockOperation.LockedValue, lockOperation, isConditional: false);
            case IInvocationOperation invocation:
                return TryGetAcquisition(invocation);
            default:
                return null;
        }
    }

    private LockAcquisition? TryGetAcquisition(IInvocationOperation invocation)
    {
        // The name first: it rules out almost every call in a program without touching the method's
        // type, let alone walking up its base types.
        var method = invocation.TargetMethod;
        var name = method.Name;
        var receiver = invocation.Instance;
        switch (name)
        {
            case "Enter" or "TryEnter":
                if (method.IsStatic && invocation.Arguments.Length > 0 && Is(method.ContainingType, _types.Monitor))
                    return new LockAcquisition(LockKind.Monitor, ArgumentValue(invocation, 0), invocation, isConditional: name == "TryEnter");
                if (receiver is not null && Is(method.ContainingType, _types.ThreadingLock))
                    return new LockAcquisition(LockKind.ThreadingLock, receiver, invocation, isConditional: name == "TryEnter");
                break;
            case "EnterScope" when receiver is not null && Is(method.ContainingType, _types.ThreadingLock):
                return new LockAcquisition(LockKind.ThreadingLock, receiver, invocation, isConditional: false);
            case "Wait" or "WaitAsync" when receiver is not null && Is(method.ContainingType, _types.SemaphoreSlim):
                return new LockAcquisition(LockKind.Semaphore, receiver, invocation, isConditional: IsBoolResult(method));
            case "WaitOne" when receiver is not null && Is(receiver.Type, _types.Mutex):
                return new LockAcquisition(LockKind.Mutex, receiver, invocation, isConditional: invocation.Arguments.Length > 0);
            case "EnterReadLock" or "EnterWriteLock" or "EnterUpgradeableReadLock" when receiver is not null && Is(method.ContainingType, _types.ReaderWriterLockSlim):
                return new LockAcquisition(LockKind.ReaderWriter, receiver, invocation, isConditional: false);
            case "TryEnterReadLock" or "TryEnterWriteLock" or "TryEnterUpgradeableReadLock" when receiver is not null && Is(method.ContainingType, _types.ReaderWriterLockSlim):
                return new LockAcquisition(LockKind.ReaderWriter, receiver, invocation, isConditional: true);
        }
        return receiver is not null && AsyncLockMethods.Contains(name) && _types.IsAwaitable(method.ReturnType)
            ? new LockAcquisition(LockKind.AsyncLock, receiver, invocation, isConditional: false)
            : null;
    }

    /// <summary>The lock expression <paramref name="operation"/> releases (<c>Monitor.Exit(x)</c>, <c>x.Release()</c>...), if it is a release.</summary>
    public IOperation? TryGetReleasedLock(IOperation? operation)
    {
        if (OperationTree.Unwrap(operation) is not IInvocationOperation invocation)
            return null;
        var method = invocation.TargetMethod;
        var receiver = invocation.Instance;
        return method.Name switch
        {
            "Exit" when receiver is null => Is(method.ContainingType, _types.Monitor) && invocation.Arguments.Length == 1 ? ArgumentValue(invocation, 0) : null,
            "Exit" => Is(method.ContainingType, _types.ThreadingLock) ? receiver : null,
            "Release" => Is(method.ContainingType, _types.SemaphoreSlim) ? receiver : null,
            "ReleaseMutex" => Is(method.ContainingType, _types.Mutex) ? receiver : null,
            "ExitReadLock" or "ExitWriteLock" or "ExitUpgradeableReadLock" => Is(method.ContainingType, _types.ReaderWriterLockSlim) ? receiver : null,
            _ => null,
        };
    }

    /// <summary>
    /// A release that must run on the thread that took the lock (<c>Monitor.Exit</c>, <c>Lock.Exit</c>,
    /// <c>ReleaseMutex</c>, <c>ExitWriteLock</c>...): no await may come between the two.
    /// </summary>
    public bool ReleasesThreadAffineLock(IOperation? operation)
        => TryGetReleasedLock(operation) is not null && OperationTree.Unwrap(operation) is IInvocationOperation { TargetMethod.Name: not "Release" };

    /// <summary>The acquisition a statement performs as a whole (<c>_gate.Wait();</c>, <c>await _gate.WaitAsync(ct);</c>), if any.</summary>
    public LockAcquisition? TryGetStatementAcquisition(IOperation statement)
        => statement is IExpressionStatementOperation expression && TryGetAcquisition(expression.Operation) is { Operation: not ILockOperation } acquisition
            ? acquisition
            : null;

    /// <summary>The lock a statement releases as a whole (<c>_gate.Release();</c>), if any.</summary>
    public IOperation? TryGetStatementRelease(IOperation statement)
        => statement is IExpressionStatementOperation expression ? TryGetReleasedLock(expression.Operation) : null;

    /// <summary>
    /// The first acquisition of the lock <paramref name="lockExpression"/> names anywhere in <paramref name="root"/>
    /// (in a condition, an initializer, a nested block), in source order; lambdas and local functions, which run
    /// some other time, are not searched.
    /// </summary>
    public LockAcquisition? FindAcquisitionOf(IOperation root, IOperation lockExpression)
    {
        foreach (var node in InThisFunction(root))
        {
            if (node is IAwaitOperation or IInvocationOperation && TryGetAcquisition(node) is { } acquisition && SameLock(acquisition.LockExpression, lockExpression))
                return acquisition;
        }
        return null;
    }

    /// <summary>Whether <paramref name="root"/> releases the lock <paramref name="lockExpression"/> names anywhere (lambdas and local functions excluded).</summary>
    public bool ReleasesAnywhere(IOperation root, IOperation lockExpression)
    {
        foreach (var node in InThisFunction(root))
        {
            if (node is IInvocationOperation && TryGetReleasedLock(node) is { } released && SameLock(released, lockExpression))
                return true;
        }
        return false;
    }

    /// <summary><paramref name="root"/> and its descendants in source order, without the bodies of lambdas and local functions.</summary>
    public static System.Collections.Generic.IEnumerable<IOperation> InThisFunction(IOperation root)
    {
        var stack = new System.Collections.Generic.Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            if (node is IAnonymousFunctionOperation or ILocalFunctionOperation)
                continue;
            var children = node.ChildOperations.ToList();
            for (var i = children.Count - 1; i >= 0; i--)
                stack.Push(children[i]);
        }
    }

    /// <summary>Whether two lock expressions name the same lock: same identity, or the same local/parameter.</summary>
    public static bool SameLock(IOperation? left, IOperation? right)
    {
        left = OperationTree.Unwrap(left);
        right = OperationTree.Unwrap(right);
        if (left is null || right is null)
            return false;
        if (LockIdentity.Of(left) is { } leftIdentity)
            return leftIdentity.Equals(LockIdentity.Of(right)) && (OnThisObject(left) && OnThisObject(right) || left.Syntax.IsEquivalentTo(right.Syntax, topLevel: false));
        return (left, right) switch
        {
            (ILocalReferenceOperation l, ILocalReferenceOperation r) => SymbolEqualityComparer.Default.Equals(l.Local, r.Local),
            (IParameterReferenceOperation l, IParameterReferenceOperation r) => SymbolEqualityComparer.Default.Equals(l.Parameter, r.Parameter),
            _ => false,
        };
    }

    private static bool OnThisObject(IOperation lockExpression) => lockExpression switch
    {
        IMemberReferenceOperation member => member.Instance is null or IInstanceReferenceOperation,
        _ => true,
    };

    private static IOperation? StripConfigureAwait(IOperation? operation)
        => operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: { } inner } ? OperationTree.Unwrap(inner) : operation;

    private static IOperation ArgumentValue(IInvocationOperation invocation, int ordinal)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
                return argument.Value;
        }
        return invocation.Arguments[ordinal].Value;
    }

    private static bool IsBoolResult(IMethodSymbol method)
        => method.ReturnType.SpecialType == SpecialType.System_Boolean
            || method.ReturnType is INamedTypeSymbol { IsGenericType: true } generic && generic.TypeArguments[0].SpecialType == SpecialType.System_Boolean;

    private static bool Is(ITypeSymbol? type, INamedTypeSymbol? primitive) => primitive is not null && TypeLookup.Is(type, primitive);
}
