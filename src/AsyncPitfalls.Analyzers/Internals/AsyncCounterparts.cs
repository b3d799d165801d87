using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>The shared answer to "does this synchronous method have a NameAsync counterpart?".</summary>
internal sealed class AsyncCounterparts
{
    private const string AsyncSuffix = "Async";

    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, ITypeSymbol Receiver), IMethodSymbol?> _memberCache = new();
    private readonly ConcurrentDictionary<(SyntaxTree Tree, IMethodSymbol Method, ITypeSymbol Receiver), IMethodSymbol?> _extensionCache = new();

    public AsyncCounterparts(KnownTypes types) => _types = types;

    /// <summary>
    /// Finds <c>NameAsync</c> for <paramref name="method"/>: a member of the receiver's type or one of
    /// its bases (or interfaces), or, when a semantic model is given, an extension method in scope at
    /// <paramref name="position"/>. The counterpart takes the same parameters (same types and ref
    /// kinds, same generic arity), optionally followed by a CancellationToken, returns an awaitable,
    /// is not obsolete, and is not <paramref name="method"/> itself. Answers are cached per
    /// compilation (extension answers per syntax tree, since usings differ per file).
    /// </summary>
    public IMethodSymbol? Find(IMethodSymbol method, ITypeSymbol? receiverType, SemanticModel? model = null, int position = 0)
    {
        if (method.Name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal) || method.MethodKind != MethodKind.Ordinary && method.MethodKind != MethodKind.ReducedExtension)
            return null;

        var receiver = receiverType ?? method.ContainingType;
        if (receiver is null)
            return null;

        var found = _memberCache.GetOrAdd((method, receiver), key => FindMember(key.Method, key.Receiver));
        if (found is not null || model is null || method.IsStatic)
            return found;

        return _extensionCache.GetOrAdd((model.SyntaxTree, method, receiver), key => FindExtension(key.Method, key.Receiver, model, position));
    }

    private IMethodSymbol? FindMember(IMethodSymbol method, ITypeSymbol receiver)
    {
        var name = method.Name + AsyncSuffix;
        for (var type = receiver; type is not null; type = type.BaseType)
        {
            if (FindIn(type, name, method) is { } found)
                return found;
        }

        if (receiver.TypeKind == TypeKind.Interface)
        {
            foreach (var @interface in receiver.AllInterfaces)
            {
                if (FindIn(@interface, name, method) is { } found)
                    return found;
            }
        }

        return null;
    }

    private IMethodSymbol? FindIn(ITypeSymbol type, string name, IMethodSymbol method)
    {
        foreach (var member in type.GetMembers(name))
        {
            if (member is IMethodSymbol candidate && candidate.IsStatic == method.IsStatic && IsCounterpart(candidate, method))
                return candidate;
        }
        return null;
    }

    private IMethodSymbol? FindExtension(IMethodSymbol method, ITypeSymbol receiver, SemanticModel model, int position)
    {
        foreach (var symbol in model.LookupSymbols(position, receiver, method.Name + AsyncSuffix, includeReducedExtensionMethods: true))
        {
            if (symbol is IMethodSymbol { MethodKind: MethodKind.ReducedExtension } candidate && IsCounterpart(candidate, method))
                return candidate;
        }
        return null;
    }

    private bool IsCounterpart(IMethodSymbol candidate, IMethodSymbol method)
    {
        if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, method.OriginalDefinition))
            return false;
        if (candidate.TypeParameters.Length != method.TypeParameters.Length)
            return false;
        // Compare generic methods with the call's type arguments substituted into both.
        if (candidate.TypeParameters.Length > 0)
            candidate = candidate.ConstructedFrom.Construct(System.Linq.ImmutableArrayExtensions.ToArray(method.TypeArguments));

        var extra = candidate.Parameters.Length - method.Parameters.Length;
        if (extra is not (0 or 1))
            return false;
        if (extra == 1 && !CancellationTokens.IsCancellationToken(candidate.Parameters[candidate.Parameters.Length - 1].Type, _types))
            return false;

        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var expected = method.Parameters[i];
            var actual = candidate.Parameters[i];
            if (expected.RefKind != actual.RefKind || !SymbolEqualityComparer.Default.Equals(expected.Type, actual.Type))
                return false;
        }

        return _types.IsAwaitable(candidate.ReturnType) && !IsObsolete(candidate);
    }

    private bool IsObsolete(IMethodSymbol candidate)
    {
        if (_types.ObsoleteAttribute is not { } obsolete)
            return false;
        foreach (var attribute in candidate.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, obsolete))
                return true;
        }
        return false;
    }
}
