using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>The shared answer to "does this synchronous method have a NameAsync counterpart?".</summary>
internal sealed class AsyncCounterparts
{
    private const string AsyncSuffix = "Async";

    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, ITypeSymbol Receiver), ImmutableArray<IMethodSymbol>> _memberCache = new();
    private readonly ConcurrentDictionary<(SyntaxTree Tree, IMethodSymbol Method, ITypeSymbol Receiver), ImmutableArray<IMethodSymbol>> _extensionCache = new();
    private readonly MethodBodies _bodies;
    private readonly System.Lazy<ImmutableHashSet<string>> _extensionBaseNames;

    /// <summary>
    /// Per referenced assembly (whose symbols the compilations of one session share): the names X of
    /// its extension methods named XAsync.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, ImmutableHashSet<string>> s_referencedExtensionBaseNames = new();

    /// <summary>
    /// One search per compilation, shared by AP1003 and AP1004, which would otherwise repeat each
    /// other's searches for the same calls. Keyed weakly by the compilation, like <see cref="CompilationCaches"/>.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, AsyncCounterparts> s_byCompilation = new();

    private AsyncCounterparts(KnownTypes types)
    {
        _types = types;
        _bodies = CompilationCaches.For(types).Bodies;
        _extensionBaseNames = new(() => ExtensionBaseNames(types.Compilation));
    }

    /// <summary>The search of the compilation <paramref name="types"/> belong to, with its caches.</summary>
    public static AsyncCounterparts For(KnownTypes types)
        => s_byCompilation.GetValue(types.Compilation, static compilation =>
        {
            // The callback may not capture (it would allocate on every call): the table is the compilation's one set.
            KnownTypes.TryCreate(compilation, out var table);
            return new AsyncCounterparts(table);
        });

    /// <summary>
    /// Finds <c>NameAsync</c> for <paramref name="method"/>: a member of the receiver's type, its bases
    /// or interfaces, or (with a semantic model) an extension method in scope at <paramref name="position"/>.
    /// The counterpart takes the same parameters (types, ref kinds, generic arity), optionally followed
    /// by a CancellationToken, returns an awaitable and is not obsolete. It is never
    /// <paramref name="enclosingMember"/>, nor a source method whose body names the enclosing member or
    /// the synchronous method (a bridge: the "async" form would call back into the blocking one); when the
    /// call is on <c>this</c> (<paramref name="receiverIsThis"/>), neither the interface member the enclosing
    /// member implements nor a base member it hides with <c>new</c>.
    /// Among several, one that takes a CancellationToken wins. The searches are cached per compilation
    /// (extension answers per syntax tree, since usings differ per file).
    /// </summary>
    public IMethodSymbol? Find(IMethodSymbol method, ITypeSymbol? receiverType, SemanticModel? model = null, int position = 0, ISymbol? enclosingMember = null, bool receiverIsThis = false)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.Name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
            return null;

        var receiver = receiverType ?? method.ContainingType;
        if (receiver is null)
            return null;

        // TryGetValue before computing, not GetOrAdd with a lambda: the lambda would capture and
        // allocate on every call, and this runs for every synchronous call in async code.
        var memberKey = (method, receiver);
        if (!_memberCache.TryGetValue(memberKey, out var candidates))
            candidates = _memberCache.GetOrAdd(memberKey, FindMembers(method, receiver));
        var found = Choose(candidates, method, enclosingMember, receiverIsThis);
        if (found is not null || model is null || method.IsStatic && !method.IsExtensionMethod)
            return found;

        // Looking up extension methods is the expensive step; most names have no XAsync extension anywhere.
        if (!_extensionBaseNames.Value.Contains(method.Name))
            return null;
        var extensionKey = (model.SyntaxTree, method, receiver);
        if (!_extensionCache.TryGetValue(extensionKey, out candidates))
            candidates = _extensionCache.GetOrAdd(extensionKey, FindExtensions(method, receiver, model, position));
        return Choose(candidates, method, enclosingMember, receiverIsThis);
    }

    private IMethodSymbol? Choose(ImmutableArray<IMethodSymbol> candidates, IMethodSymbol method, ISymbol? enclosingMember, bool receiverIsThis)
    {
        IMethodSymbol? best = null;
        foreach (var candidate in candidates)
        {
            if (enclosingMember is not null && IsEnclosingMember(candidate, enclosingMember))
                continue;
            if (receiverIsThis && enclosingMember is IMethodSymbol enclosingMethod && LeadsBackTo(candidate, enclosingMethod))
                continue;
            if (IsBridge(candidate, method, enclosingMember))
                continue;
            if (best is null || TakesToken(candidate) && !TakesToken(best))
                best = candidate;
        }
        return best;
    }

    /// <summary>
    /// The candidate is the member being written, or an overload of a member it overrides: an
    /// <c>override ReadAsync</c> that returns <c>Read()</c> on its fast path would otherwise be told to
    /// await the base <c>ReadAsync</c>, which dispatches back to itself (and a base overload without the
    /// token usually forwards to the one being overridden).
    /// </summary>
    private static bool IsEnclosingMember(IMethodSymbol candidate, ISymbol enclosingMember)
    {
        if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, enclosingMember.OriginalDefinition))
            return true;
        if (enclosingMember is not IMethodSymbol method)
            return false;
        for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
        {
            if (IsOverloadOf(candidate, overridden))
                return true;
        }
        return false;
    }

    /// <summary>
    /// On <c>this</c>, the candidate dispatches to the enclosing method: it is the interface member that method
    /// implements (<c>Task IResettable.ResetAsync() { ((IResettable)this).Reset(); ... }</c> would be told to
    /// await itself), or a base member of the same name that the enclosing method hides with <c>new</c> (a generic
    /// <c>new NextAsync</c> over a non-generic base whose <c>NextAsync</c> is routed back to the derived one).
    /// </summary>
    private static bool LeadsBackTo(IMethodSymbol candidate, IMethodSymbol enclosing)
    {
        var definition = candidate.OriginalDefinition;
        if (definition.ContainingType.TypeKind == TypeKind.Interface)
        {
            foreach (var implemented in enclosing.ExplicitInterfaceImplementations)
            {
                if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, definition))
                    return true;
            }
            return enclosing.ContainingType is { } type
                && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate)?.OriginalDefinition, enclosing.OriginalDefinition);
        }
        if (candidate.Name != enclosing.Name || enclosing.IsOverride)
            return false;
        for (var type = enclosing.ContainingType?.BaseType; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, definition.ContainingType.OriginalDefinition))
                return true;
        }
        return false;
    }

    private static bool IsOverloadOf(IMethodSymbol candidate, IMethodSymbol method)
        => candidate.Name == method.Name && SymbolEqualityComparer.Default.Equals(candidate.ContainingType.OriginalDefinition, method.ContainingType.OriginalDefinition);

    private bool TakesToken(IMethodSymbol method)
        => method.Parameters.Length > 0 && CancellationTokens.IsCancellationToken(method.Parameters[method.Parameters.Length - 1].Type, _types);

    private bool IsBridge(IMethodSymbol candidate, IMethodSymbol method, ISymbol? enclosingMember)
        => _bodies.Mentions(candidate, method.Name, enclosingMember?.Name);

    private ImmutableArray<IMethodSymbol> FindMembers(IMethodSymbol method, ITypeSymbol receiver)
    {
        var name = method.Name + AsyncSuffix;
        // Created on the first candidate: most methods have no counterpart, and the answer is cached for each.
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        for (var type = receiver; type is not null; type = type.BaseType)
            AddFrom(type, name, method, ref found);
        if (receiver.TypeKind == TypeKind.Interface)
        {
            foreach (var @interface in receiver.AllInterfaces)
                AddFrom(@interface, name, method, ref found);
        }
        // An extension method's static siblings: Queryable.First and a FirstAsync in the same class.
        if (method.IsExtensionMethod && !SymbolEqualityComparer.Default.Equals(receiver, method.ContainingType))
            AddFrom(method.ContainingType, name, method, ref found);
        return found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    private void AddFrom(ITypeSymbol type, string name, IMethodSymbol method, ref ImmutableArray<IMethodSymbol>.Builder? found)
    {
        foreach (var member in type.GetMembers(name))
        {
            if (member is IMethodSymbol candidate && candidate.IsStatic == method.IsStatic && IsCounterpart(candidate, method.Parameters, method.TypeArguments))
                (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(candidate);
        }
    }

    private ImmutableArray<IMethodSymbol> FindExtensions(IMethodSymbol method, ITypeSymbol receiver, SemanticModel model, int position)
    {
        // A call of an extension method compares without its 'this' parameter, as the reduced candidates do.
        var parameters = method.IsExtensionMethod ? method.Parameters.RemoveAt(0) : method.Parameters;
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        foreach (var symbol in model.LookupSymbols(position, receiver, method.Name + AsyncSuffix, includeReducedExtensionMethods: true))
        {
            if (symbol is IMethodSymbol { MethodKind: MethodKind.ReducedExtension } candidate && IsCounterpart(candidate, parameters, method.TypeArguments))
                (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(candidate);
        }
        return found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>
    /// The names X for which some extension method XAsync exists in the compilation or its references: a
    /// superset of what a lookup at any position can find, built once per compilation (and once per
    /// referenced assembly).
    /// </summary>
    private static ImmutableHashSet<string> ExtensionBaseNames(Compilation compilation)
    {
        var names = ImmutableHashSet.CreateBuilder<string>(System.StringComparer.Ordinal);
        AddExtensionBaseNames(compilation.Assembly.GlobalNamespace, names);
        foreach (var reference in compilation.References)
        {
            if (compilation.GetAssemblyOrModuleSymbol(reference) is IAssemblySymbol { MightContainExtensionMethods: true } assembly)
                names.UnionWith(s_referencedExtensionBaseNames.GetValue(assembly, a =>
                {
                    var found = ImmutableHashSet.CreateBuilder<string>(System.StringComparer.Ordinal);
                    AddExtensionBaseNames(a.GlobalNamespace, found);
                    return found.ToImmutable();
                }));
        }
        return names.ToImmutable();
    }

    private static void AddExtensionBaseNames(INamespaceSymbol root, ImmutableHashSet<string>.Builder names)
    {
        var pending = new Stack<INamespaceSymbol>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var ns = pending.Pop();
            foreach (var child in ns.GetNamespaceMembers())
                pending.Push(child);
            // Extension methods live only in top-level static classes.
            foreach (var type in ns.GetTypeMembers())
            {
                if (!type.MightContainExtensionMethods)
                    continue;
                foreach (var name in type.MemberNames)
                {
                    if (name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
                        names.Add(name.Substring(0, name.Length - AsyncSuffix.Length));
                }
            }
        }
    }

    private bool IsCounterpart(IMethodSymbol candidate, ImmutableArray<IParameterSymbol> parameters, ImmutableArray<ITypeSymbol> typeArguments)
    {
        if (candidate.TypeParameters.Length != typeArguments.Length)
            return false;
        // Compare generic methods with the call's type arguments substituted into both.
        if (candidate.TypeParameters.Length > 0)
            candidate = candidate.ConstructedFrom.Construct(typeArguments.ToArray());

        var extra = candidate.Parameters.Length - parameters.Length;
        if (extra is not (0 or 1))
            return false;
        if (extra == 1 && !TakesToken(candidate))
            return false;

        for (var i = 0; i < parameters.Length; i++)
        {
            var expected = parameters[i];
            var actual = candidate.Parameters[i];
            if (expected.RefKind != actual.RefKind || !SymbolEqualityComparer.Default.Equals(expected.Type, actual.Type))
                return false;
        }

        return _types.IsAwaitable(candidate.ReturnType) && !IsObsolete(candidate);
    }

    private bool IsObsolete(IMethodSymbol candidate) => TypeLookup.HasAttribute(candidate, _types.ObsoleteAttribute);
}
