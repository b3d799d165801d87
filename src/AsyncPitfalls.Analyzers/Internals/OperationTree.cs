using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Questions about the operation tree around one operation. Rules that look for a rare shape (a task
/// local, a collection filled in a loop) search its body only when they find one, rather than
/// subscribing to every local reference in every method.
/// </summary>
internal static class OperationTree
{
    /// <summary>The root of the body (or initializer) that holds <paramref name="operation"/>.</summary>
    public static IOperation Root(IOperation operation)
    {
        var root = operation;
        while (root.Parent is not null)
            root = root.Parent;
        return root;
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
}
