using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Recognises synchronous calls that have an awaitable <c>NameAsync</c> counterpart (AP1003's shape),
/// minus the calls whose async form is no better.
/// </summary>
internal static class SyncApiCalls
{
    /// <summary>
    /// Shipped exclusions, asked for by the users of every peer analyzer: EF Core's Add/AddRange
    /// (their Async forms exist only for special value generators) and context factories; in-memory
    /// types, where async I/O has nothing to wait for (also streams wrapping them, see <see cref="InMemoryStreams"/>); test assertions; CancellationTokenSource.Cancel
    /// (it runs callbacks inline but waits on no I/O); disposing a token registration.
    /// </summary>
    public static readonly SymbolNameList DefaultExclusions = SymbolNameList.Of(
        "Microsoft.EntityFrameworkCore.DbSet.Add",
        "Microsoft.EntityFrameworkCore.DbSet.AddRange",
        "Microsoft.EntityFrameworkCore.DbContext.Add",
        "Microsoft.EntityFrameworkCore.DbContext.AddRange",
        "Microsoft.EntityFrameworkCore.IDbContextFactory.CreateDbContext",
        "System.IO.MemoryStream",
        "System.IO.UnmanagedMemoryStream",
        "System.IO.StringReader",
        "System.IO.StringWriter",
        "System.Net.Http.ByteArrayContent",
        "System.Net.Http.ReadOnlyMemoryContent",
        "NUnit.Framework.Assert",
        "NUnit.Framework.Legacy.ClassicAssert",
        "Xunit.Assert",
        "Microsoft.VisualStudio.TestTools.UnitTesting.Assert",
        "System.Threading.CancellationTokenSource.Cancel",
        "System.Threading.CancellationTokenRegistration.Dispose");

    /// <summary>
    /// Disposal is AP4005's: which types deserve <c>await using</c> is decided there, with its own
    /// list of types whose synchronous Dispose is cheap.
    /// </summary>
    private const string DisposeMethodName = "Dispose";

    /// <summary>
    /// The counterpart of a blocking call, or null. Skipped: methods that already return an
    /// awaitable, Task/ValueTask members (AP1001's), Dispose (AP4005's), excluded methods and receiver types, the
    /// console's writers (synchronous even through their Async methods), zero timeouts (a try, not
    /// a wait), and counterparts that are <paramref name="enclosingMember"/> or call back into it
    /// or into the blocking method (bridge overloads, default interface methods), or, for a call on
    /// <c>this</c>, the interface member the enclosing member implements or the base member it hides.
    /// </summary>
    public static IMethodSymbol? FindCounterpart(IInvocationOperation invocation, KnownTypes types, SymbolNameList exclusions, ISymbol? enclosingMember)
        => TryGetQuestion(invocation, types, exclusions, out var question)
            ? question.Ask(AsyncCounterparts.For(types), invocation.SemanticModel, enclosingMember)
            : null;

    /// <summary>
    /// Whether <see cref="FindCounterpart"/> could find one for the call, whatever the enclosing member and the file's
    /// imports: answered from the search's caches, without looking up extension methods in scope.
    /// </summary>
    public static bool MayHaveCounterpart(IInvocationOperation invocation, KnownTypes types, SymbolNameList exclusions)
        => TryGetQuestion(invocation, types, exclusions, out _);

    /// <summary>
    /// What <see cref="FindCounterpart"/> asks the search about the call, without the operation tree, so that it can be
    /// asked later; false when the call is skipped or the search could not find one (see <see cref="AsyncCounterparts.MayFind"/>).
    /// </summary>
    public static bool TryGetQuestion(IInvocationOperation invocation, KnownTypes types, SymbolNameList exclusions, out CounterpartQuestion question)
    {
        question = default;
        var method = invocation.TargetMethod;
        var receiver = ReceiverType(invocation);
        // The names first: most calls have no XAsync anywhere, an answer cached per type and name.
        if (!AsyncCounterparts.For(types).MayFind(method, receiver))
            return false;
        // An async method (async void included) returns at its first await: calling it blocks nothing.
        if (method.IsAsync || method.ReturnsVoid is false && types.IsAwaitable(method.ReturnType) || types.IsTaskOrValueTask(method.ContainingType))
            return false;

        if (method.Name == DisposeMethodName || exclusions.ContainsMethod(method) || exclusions.ContainsType(receiver) || IsConsoleWriter(invocation.Instance, types) || HasZeroTimeout(invocation))
            return false;

        question = new CounterpartQuestion(method, receiver, invocation.Syntax.SpanStart, IsOnThis(invocation));
        return true;
    }

    /// <summary>
    /// Whether a call that has a counterpart only touches memory (a CryptoStream over a MemoryStream, a
    /// serializer handed one): then it blocks nothing. Asked only of calls that may have a counterpart (after
    /// <see cref="TryGetQuestion"/>'s name screen, before the search), since it may follow locals to their
    /// initializers. Kept apart from the search so that AP1004 still leaves such a call to
    /// AP1003 instead of following into it, where the stream's origin is no longer known.
    /// </summary>
    public static bool OnlyTouchesMemory(IInvocationOperation invocation, KnownTypes types, SymbolNameList exclusions)
        => InMemoryStreams.OnlyTouchesMemory(invocation, types.Compilation, exclusions);

    /// <summary>The call is made on the object being written: <c>Reset()</c>, <c>this.Reset()</c>, <c>((IResettable)this).Reset()</c>.</summary>
    private static bool IsOnThis(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.IsStatic)
            return false;
        var instance = invocation.Instance;
        while (instance is IConversionOperation or IParenthesizedOperation)
            instance = instance is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)instance).Operand;
        return instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
    }

    private static ITypeSymbol? ReceiverType(IInvocationOperation invocation)
    {
        if (invocation.Instance is { } instance)
            return OperationTree.Unwrap(instance)?.Type ?? instance.Type;
        if (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0)
            return OperationTree.Unwrap(invocation.Arguments[0].Value)?.Type;
        return invocation.TargetMethod.ContainingType;
    }

    private static bool IsConsoleWriter(IOperation? instance, KnownTypes types)
        => OperationTree.Unwrap(instance) is IPropertyReferenceOperation { Property: { IsStatic: true, Name: "Out" or "Error" or "In" } property }
            && SymbolEqualityComparer.Default.Equals(property.ContainingType, types.Console);

    /// <summary>A timeout argument of zero (<c>Wait(0)</c>, <c>WaitAsync(TimeSpan.Zero)</c>): a try, not a wait.</summary>
    public static bool HasZeroTimeout(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name is not ("millisecondsTimeout" or "timeout"))
                continue;
            var value = OperationTree.Unwrap(argument.Value);
            if (value?.ConstantValue is { HasValue: true, Value: 0 })
                return true;
            if (value is IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true } field } && field.ContainingType.Name == "TimeSpan")
                return true;
        }
        return false;
    }
}

/// <summary>A call's question to <see cref="AsyncCounterparts.Find"/>: its method, receiver type, position and whether it is made on <c>this</c>.</summary>
internal readonly struct CounterpartQuestion
{
    public CounterpartQuestion(IMethodSymbol method, ITypeSymbol? receiver, int position, bool receiverIsThis)
    {
        Method = method;
        Receiver = receiver;
        Position = position;
        ReceiverIsThis = receiverIsThis;
    }

    public IMethodSymbol Method { get; }
    public ITypeSymbol? Receiver { get; }
    public int Position { get; }
    public bool ReceiverIsThis { get; }

    /// <summary>The counterpart for a call in <paramref name="model"/>'s file (without one, only among the receiver's members), in <paramref name="enclosingMember"/>.</summary>
    public IMethodSymbol? Ask(AsyncCounterparts counterparts, SemanticModel? model, ISymbol? enclosingMember)
        => counterparts.Find(Method, Receiver, model, Position, enclosingMember, ReceiverIsThis);
}
