using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Questions about one operation and the operation tree around it, used by every rule family. Rules
/// that look for a rare shape (a task local, a collection filled in a loop) search its body only when
/// they find one, rather than subscribing to every local reference in every method.
/// </summary>
internal static class OperationTree
{
    /// <summary>The root of the body (or initializer) that holds <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        var root = operation;
        foreach (var ancestor in operation.Ancestors())
            root = ancestor;
        return root;
    }

    /// <summary>
    /// Code in a <c>catch</c> of the same function that ends by throwing (<c>catch { Cleanup(); throw; }</c>): it runs
    /// only once the work of its <c>try</c> has failed, and the failure goes on. A catch that carries on (a retry
    /// loop's <c>catch { Thread.Sleep(1000); }</c>) is part of the normal path and does not count.
    /// </summary>
    public static bool IsInFailureCleanup(IOperation operation)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            switch (ancestor)
            {
                case ICatchClauseOperation clause:
                    return clause.Handler.Operations.LastOrDefault() is IThrowOperation;
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// Code that builds what a <c>throw</c> throws (<c>throw connector.Break(e)</c>, <c>x ?? throw Fail()</c>),
    /// in the same function: it runs only once something has already failed.
    /// </summary>
    public static bool IsInThrow(IOperation operation)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            switch (ancestor)
            {
                case IThrowOperation:
                    return true;
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    /// <summary>The references to <paramref name="local"/> in the body around <paramref name="operation"/>, in source order (its declarations excluded).</summary>
    public static IEnumerable<ILocalReferenceOperation> ReferencesTo(ILocalSymbol local, IOperation operation)
    {
        foreach (var node in Root(operation).Descendants())
        {
            if (node is ILocalReferenceOperation { IsDeclaration: false } reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                yield return reference;
        }
    }

    /// <summary>Skips implicit conversions and parentheses.</summary>
    public static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation { IsImplicit: true } conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }

    /// <summary>What a <c>?.</c> chain yields when its receivers are not null: <c>SaveAsync()</c> in <c>store?.SaveAsync()</c>.</summary>
    public static IOperation WhenNotNull(IOperation operation)
    {
        while (operation is IConditionalAccessOperation access)
            operation = access.WhenNotNull;
        return operation;
    }

    /// <summary>
    /// The parents of <paramref name="operation"/>, nearest first, itself excluded. A struct
    /// enumerable: the walks run for most operations the rules see, and a <c>foreach</c> over it
    /// allocates nothing.
    /// </summary>
    public static OperationAncestors Ancestors(this IOperation operation) => new(operation);
}

/// <summary>The parents of an operation, nearest first (see <see cref="OperationTree.Ancestors(IOperation)"/>).</summary>
internal readonly struct OperationAncestors
{
    private readonly IOperation _start;

    public OperationAncestors(IOperation start) => _start = start;

    public Enumerator GetEnumerator() => new(_start);

    public struct Enumerator
    {
        private IOperation? _current;

        public Enumerator(IOperation start) => _current = start;

        public IOperation Current => _current!;

        public bool MoveNext()
        {
            _current = _current?.Parent;
            return _current is not null;
        }
    }
}
