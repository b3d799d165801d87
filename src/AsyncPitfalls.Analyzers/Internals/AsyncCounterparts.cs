using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AsyncPitfalls.Internals;

/// <summary>The shared answer to "does this synchronous method have a NameAsync counterpart?".</summary>
internal sealed class AsyncCounterparts
{
    private const string AsyncSuffix = "Async";

    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, ITypeSymbol Receiver), ImmutableArray<IMethodSymbol>> _memberCache = new(MethodOnReceiverComparer.Instance);
    private readonly ConcurrentDictionary<INamedTypeSymbol, HashSet<string>> _asyncMemberBaseNames = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<INamedTypeSymbol, HashSet<string>> _extensionClassAsyncBaseNames = new(SymbolEqualityComparer.Default);
    private static readonly HashSet<string> s_noNames = new(System.StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(IMethodSymbol Method, ITypeSymbol Receiver), ImmutableArray<IMethodSymbol>> _possibleExtensions = new(MethodOnReceiverComparer.Instance);
    private readonly ConcurrentDictionary<string, ImmutableArray<IMethodSymbol>> _sourceExtensions = new(System.StringComparer.Ordinal);
    private readonly System.Lazy<Dictionary<string, List<INamedTypeSymbol>>> _sourceExtensionClasses;
    /// <summary>Per <see cref="Imports.ScopeOf"/> a file: its files see the same extension methods.</summary>
    private readonly ConcurrentDictionary<object, ConcurrentDictionary<(IMethodSymbol Method, ITypeSymbol Receiver), ImmutableArray<IMethodSymbol>>> _extensionCache = new();
    private readonly ConcurrentDictionary<(object Scope, ITypeSymbol Receiver, string Name), ImmutableArray<IMethodSymbol>> _extensionLookups = new(ExtensionLookupComparer.Instance);
    private readonly MethodBodies _bodies;
    private readonly System.Lazy<Imports> _imports;
    private readonly System.Lazy<ExtensionIndex> _extensions;

    /// <summary>
    /// Per namespace (or class, for <c>using static</c>) of a referenced assembly, whose symbols the compilations of one
    /// session share: its extension methods named XAsync.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<INamespaceOrTypeSymbol, ExtensionIndex> s_referencedExtensions = new();

    /// <summary>
    /// Per referenced assembly, shared like <see cref="s_referencedExtensions"/>: its extension methods in what a compilation
    /// imports, by the sorted list of the imported names. An edit's new compilation (or a benchmark's next run) imports
    /// what the last one did: it asks each of its hundreds of references one question instead of one per import.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IAssemblySymbol, ConcurrentDictionary<string, ExtensionIndex>> s_referencedByImports = new();

    /// <summary>
    /// One search per compilation, shared by AP1003 and AP1004, which would otherwise repeat each
    /// other's searches for the same calls. Keyed weakly by the compilation, like <see cref="CompilationCaches"/>.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, AsyncCounterparts> s_byCompilation = new();

    private AsyncCounterparts(KnownTypes types)
    {
        _types = types;
        _bodies = CompilationCaches.For(types).Bodies;
        _imports = new(() => Imports.Of(types.Compilation));
        _extensions = new(() => ExtensionIndex.Of(types.Compilation, _imports.Value.Anywhere));
        _sourceExtensionClasses = new(() => SourceExtensionClasses(types.Compilation));
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
    /// (extension answers per set of usings and namespaces, see <see cref="Imports.ScopeOf"/>).
    /// </summary>
    public IMethodSymbol? Find(IMethodSymbol method, ITypeSymbol? receiverType, SemanticModel? model = null, int position = 0, ISymbol? enclosingMember = null, bool receiverIsThis = false)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.Name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
            return null;

        var receiver = receiverType ?? method.ContainingType;
        if (receiver is null)
            return null;

        var key = (method, receiver);
        var candidates = Members(key);
        var found = Choose(candidates, method, enclosingMember, receiverIsThis);
        if (found is not null || model is null || method.IsStatic && !method.IsExtensionMethod)
            return found;

        // Looking up extension methods in scope is the expensive step: done only where some XAsync extension of the
        // compilation or its references could be the counterpart (most names have none, most receivers fit none) and
        // the file could import it.
        var possible = PossibleExtensions(method, receiver);
        if (!possible.IsDefault && possible.IsEmpty)
            return null;
        // Cached with the answer to whether the file could import one of them, and shared by the files that import and
        // declare the same namespaces.
        var scope = _imports.Value.ScopeOf(model.SyntaxTree);
        if (!_extensionCache.TryGetValue(scope, out var inScope))
            inScope = _extensionCache.GetOrAdd(scope, static _ => new(MethodOnReceiverComparer.Instance));
        if (!inScope.TryGetValue(key, out candidates))
        {
            var mayBeInScope = possible.IsDefault || AnyMayBeInScope(possible, model.SyntaxTree);
            candidates = inScope.GetOrAdd(key, mayBeInScope ? FindExtensions(method, receiver, model, position, scope) : ImmutableArray<IMethodSymbol>.Empty);
        }
        return Choose(candidates, method, enclosingMember, receiverIsThis);
    }

    /// <summary>
    /// Whether <see cref="Find"/> could answer with a counterpart for some enclosing member in some file: the receiver has
    /// a candidate member, or some XAsync extension method could be one. No lookup in scope: AP1004 asks it of every call
    /// in synchronous code, and asks <see cref="Find"/> only where async code reaches.
    /// </summary>
    public bool MayFind(IMethodSymbol method, ITypeSymbol? receiverType)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.Name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
            return false;
        var receiver = receiverType ?? method.ContainingType;
        if (receiver is null)
            return false;
        if (!Members((method, receiver)).IsEmpty)
            return true;
        if (method.IsStatic && !method.IsExtensionMethod)
            return false;
        var possible = PossibleExtensions(method, receiver);
        return possible.IsDefault || !possible.IsEmpty;
    }

    /// <summary>
    /// The receiver's own XAsync candidates, cached per method and receiver where the names allow one (see
    /// <see cref="MayHaveAsyncMember"/>). TryGetValue before computing, not GetOrAdd with a lambda: the lambda would
    /// capture and allocate on every call, and this runs for nearly every call.
    /// </summary>
    private ImmutableArray<IMethodSymbol> Members((IMethodSymbol Method, ITypeSymbol Receiver) key)
    {
        if (!MayHaveAsyncMember(key.Method, key.Receiver))
            return ImmutableArray<IMethodSymbol>.Empty;
        return _memberCache.TryGetValue(key, out var candidates) ? candidates : _memberCache.GetOrAdd(key, FindMembers(key.Method, key.Receiver));
    }

    /// <summary>
    /// Whether a type <see cref="FindMembers"/> searches declares a member named after the method with Async: asked per type
    /// definition, not per method and receiver, since most calls have none and a cache entry for each of them costs more
    /// than the search (tens of thousands on a large code base, written by every thread).
    /// </summary>
    private bool MayHaveAsyncMember(IMethodSymbol method, ITypeSymbol receiver)
    {
        if (receiver is not INamedTypeSymbol named)
            return true;
        if (AsyncMemberBaseNames(named).Contains(method.Name))
            return true;
        return method.IsExtensionMethod && !SymbolEqualityComparer.Default.Equals(receiver, method.ContainingType)
            && ExtensionClassAsyncBaseNames(method.ContainingType).Contains(method.Name);
    }

    /// <summary>
    /// The X of each member named XAsync of an extension method's class, its static siblings: from all of its members, as
    /// an extension block's are not among its declared member names.
    /// </summary>
    private HashSet<string> ExtensionClassAsyncBaseNames(INamedTypeSymbol type)
    {
        if (_extensionClassAsyncBaseNames.TryGetValue(type, out var names))
            return names;
        HashSet<string>? found = null;
        foreach (var member in type.GetMembers())
        {
            var name = member.Name;
            if (name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
                (found ??= new HashSet<string>(System.StringComparer.Ordinal)).Add(name.Substring(0, name.Length - AsyncSuffix.Length));
        }
        return _extensionClassAsyncBaseNames.GetOrAdd(type, found ?? s_noNames);
    }

    /// <summary>
    /// The X of each member named XAsync of the type definition and its base types, and of an interface's interfaces (the
    /// types <see cref="FindMembers"/> searches). A type that declares none shares its base type's set.
    /// </summary>
    private HashSet<string> AsyncMemberBaseNames(INamedTypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        if (_asyncMemberBaseNames.TryGetValue(definition, out var names))
            return names;
        var inherited = definition.BaseType is { } baseType ? AsyncMemberBaseNames(baseType) : s_noNames;
        HashSet<string>? own = null;
        AddAsyncBaseNames(definition, inherited, ref own);
        if (definition.TypeKind == TypeKind.Interface)
        {
            foreach (var @interface in definition.AllInterfaces)
                AddAsyncBaseNames(@interface, inherited, ref own);
        }
        return _asyncMemberBaseNames.GetOrAdd(definition, own ?? inherited);
    }

    private static void AddAsyncBaseNames(INamedTypeSymbol type, HashSet<string> inherited, ref HashSet<string>? own)
    {
        foreach (var name in type.MemberNames)
        {
            if (name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
                (own ??= new HashSet<string>(inherited, System.StringComparer.Ordinal)).Add(name.Substring(0, name.Length - AsyncSuffix.Length));
        }
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

    private ImmutableArray<IMethodSymbol> FindExtensions(IMethodSymbol method, ITypeSymbol receiver, SemanticModel model, int position, object scope)
    {
        // One lookup per scope, receiver and name: the overloads of a name (Queryable.Sum has twenty) see the same ones.
        var lookupKey = (scope, receiver, method.Name);
        if (!_extensionLookups.TryGetValue(lookupKey, out var inScope))
            inScope = _extensionLookups.GetOrAdd(lookupKey, LookUpExtensions(receiver, method.Name + AsyncSuffix, model, position));
        // A call of an extension method compares without its 'this' parameter, as the reduced candidates do.
        var parameters = method.IsExtensionMethod ? method.Parameters.RemoveAt(0) : method.Parameters;
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        foreach (var candidate in inScope)
        {
            if (IsCounterpart(candidate, parameters, method.TypeArguments))
                (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(candidate);
        }
        return found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>The extension methods named <paramref name="name"/> in scope at the position, reduced to the receiver.</summary>
    private static ImmutableArray<IMethodSymbol> LookUpExtensions(ITypeSymbol receiver, string name, SemanticModel model, int position)
    {
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        foreach (var symbol in model.LookupSymbols(position, receiver, name, includeReducedExtensionMethods: true))
        {
            if (symbol is IMethodSymbol { MethodKind: MethodKind.ReducedExtension } candidate)
                (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(candidate);
        }
        return found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>
    /// The XAsync extension methods of the compilation or its references that could be <paramref name="method"/>'s
    /// counterpart on <paramref name="receiver"/>, whatever is in scope: their first parameter could take the receiver and
    /// the rest match as <see cref="IsCounterpart"/> asks. Lenient wherever generics or span conversions make the answer
    /// the lookup's, so that none here means none for the lookup. Default (unknown: look up) where an XAsync is no
    /// classic extension method. Cached per method and receiver.
    /// </summary>
    private ImmutableArray<IMethodSymbol> PossibleExtensions(IMethodSymbol method, ITypeSymbol receiver)
    {
        var inSource = SourceExtensions(method.Name);
        var inReferences = _extensions.Value;
        if (inSource.IsDefault || inReferences.LookupAlways.Contains(method.Name))
            return default;
        inReferences.ByBaseName.TryGetValue(method.Name, out var referenced);
        if (inSource.IsEmpty && referenced is null)
            return ImmutableArray<IMethodSymbol>.Empty;
        var key = (method, receiver);
        if (_possibleExtensions.TryGetValue(key, out var possible))
            return possible;
        var parameters = method.IsExtensionMethod ? method.Parameters.RemoveAt(0) : method.Parameters;
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        foreach (var candidate in referenced is null ? (IEnumerable<IMethodSymbol>)inSource : inSource.Concat(referenced))
        {
            if (MayExtend(candidate.Parameters[0].Type, receiver) && MayBeCounterpart(candidate, parameters, method.TypeArguments.Length))
                (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(candidate);
        }
        return _possibleExtensions.GetOrAdd(key, found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty);
    }

    /// <summary>
    /// The compilation's own extension methods named <paramref name="baseName"/>Async; default where a static method of
    /// that name in an extension class is no classic extension method. Cached per name: the classes come from the names
    /// their declarations hold (see <see cref="SourceExtensionClasses"/>), and a class builds its members (binding their
    /// signatures) only for a name some synchronous call has.
    /// </summary>
    private ImmutableArray<IMethodSymbol> SourceExtensions(string baseName)
    {
        // Most names have no class at all: answered without writing to the shared cache.
        if (!_sourceExtensionClasses.Value.TryGetValue(baseName, out var classes))
            return ImmutableArray<IMethodSymbol>.Empty;
        if (_sourceExtensions.TryGetValue(baseName, out var found))
            return found;
        return _sourceExtensions.GetOrAdd(baseName, FindSourceExtensions(baseName, classes));
    }

    private static ImmutableArray<IMethodSymbol> FindSourceExtensions(string baseName, List<INamedTypeSymbol> classes)
    {
        var name = baseName + AsyncSuffix;
        ImmutableArray<IMethodSymbol>.Builder? found = null;
        foreach (var type in classes)
        {
            foreach (var member in type.GetMembers(name))
            {
                if (member is IMethodSymbol { IsExtensionMethod: true, Parameters.Length: > 0 } extension)
                    (found ??= ImmutableArray.CreateBuilder<IMethodSymbol>()).Add(extension);
                else if (member is IMethodSymbol { IsStatic: true })
                    return default;
            }
        }
        return found?.ToImmutable() ?? ImmutableArray<IMethodSymbol>.Empty;
    }

    /// <summary>
    /// The compilation's classes that may hold extension methods (top-level static classes), by the X of each member
    /// name XAsync they declare: read from their declarations, without building their members.
    /// </summary>
    private static Dictionary<string, List<INamedTypeSymbol>> SourceExtensionClasses(Compilation compilation)
    {
        var byBaseName = new Dictionary<string, List<INamedTypeSymbol>>(System.StringComparer.Ordinal);
        var pending = new Stack<INamespaceSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            var ns = pending.Pop();
            foreach (var child in ns.GetNamespaceMembers())
                pending.Push(child);
            foreach (var type in ns.GetTypeMembers())
            {
                if (!type.MightContainExtensionMethods)
                    continue;
                foreach (var name in type.MemberNames)
                {
                    if (name.Length <= AsyncSuffix.Length || !name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
                        continue;
                    var baseName = name.Substring(0, name.Length - AsyncSuffix.Length);
                    if (!byBaseName.TryGetValue(baseName, out var classes))
                        byBaseName[baseName] = classes = new List<INamedTypeSymbol>();
                    classes.Add(type);
                }
            }
        }
        return byBaseName;
    }

    /// <summary>
    /// Whether one of the extension methods could be in scope somewhere in the file: its namespace is global, encloses a
    /// namespace the file declares, or is named by a using directive of the file or a global using of the compilation
    /// (its class by a <c>using static</c>). A superset of what a lookup at any position of the file sees.
    /// </summary>
    private bool AnyMayBeInScope(ImmutableArray<IMethodSymbol> extensions, SyntaxTree tree)
    {
        var imports = _imports.Value;
        if (!imports.ByFile.TryGetValue(tree, out var inFile))
            return true; // A tree the compilation does not list: no answer here, the lookup's.
        foreach (var extension in extensions)
        {
            var ns = extension.ContainingType.ContainingNamespace;
            if (ns is null || ns.IsGlobalNamespace)
                return true;
            var namespaceName = FullName(ns);
            var typeName = namespaceName + "." + extension.ContainingType.Name;
            if (inFile.Contains(namespaceName) || inFile.Contains(typeName) || imports.Global.Contains(namespaceName) || imports.Global.Contains(typeName))
                return true;
        }
        return false;
    }

    private static string FullName(INamespaceSymbol ns)
    {
        var name = ns.Name;
        for (var outer = ns.ContainingNamespace; outer is { IsGlobalNamespace: false }; outer = outer.ContainingNamespace)
            name = outer.Name + "." + name;
        return name;
    }

    /// <summary>
    /// What the files of a compilation import or declare (see <see cref="AddImportedOrDeclared"/>): per file, the global
    /// usings (with the compilation's own, for scripts), and everything anywhere with the global namespace (""): the only
    /// namespaces and classes whose extension methods any lookup in the compilation can see.
    /// </summary>
    private sealed class Imports
    {
        private readonly Dictionary<SyntaxTree, object> _scopes;

        private Imports(Dictionary<SyntaxTree, HashSet<string>> byFile, Dictionary<SyntaxTree, object> scopes, HashSet<string> global, HashSet<string> anywhere)
        {
            ByFile = byFile;
            _scopes = scopes;
            Global = global;
            Anywhere = anywhere;
        }

        public Dictionary<SyntaxTree, HashSet<string>> ByFile { get; }
        public HashSet<string> Global { get; }
        public HashSet<string> Anywhere { get; }

        /// <summary>
        /// What an extension lookup in the file depends on: the text of its extern aliases, usings and namespace
        /// declarations, in order, so that files written alike share their lookups (a code base's files mostly are). A
        /// file that declares a top-level static class is its own scope: inside such a class its private extension
        /// methods are in scope too (and a file-local one only in that file).
        /// </summary>
        public object ScopeOf(SyntaxTree tree) => _scopes.TryGetValue(tree, out var scope) ? scope : tree;

        public static Imports Of(Compilation compilation)
        {
            var byFile = new Dictionary<SyntaxTree, HashSet<string>>();
            var scopes = new Dictionary<SyntaxTree, object>();
            var global = new HashSet<string>(System.StringComparer.Ordinal);
            var anywhere = new HashSet<string>(System.StringComparer.Ordinal) { string.Empty };
            var scopeText = new System.Text.StringBuilder();
            // Files written alike import alike: one set of names per distinct scope text.
            var byScope = new Dictionary<string, HashSet<string>>(System.StringComparer.Ordinal);
            foreach (var tree in compilation.SyntaxTrees)
            {
                var root = tree.GetRoot();
                scopeText.Clear();
                var sharable = AppendScope(root, scopeText);
                var scope = scopeText.ToString();
                if (!byScope.TryGetValue(scope, out var inFile))
                {
                    byScope[scope] = inFile = new HashSet<string>(System.StringComparer.Ordinal);
                    AddImportedOrDeclared(root, inFile, global);
                    anywhere.UnionWith(inFile);
                }
                byFile[tree] = inFile;
                scopes[tree] = sharable ? scope : tree;
            }
            if (compilation.Options is Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions { Usings: { Length: > 0 } usings })
                global.UnionWith(usings);
            anywhere.UnionWith(global);
            return new Imports(byFile, scopes, global, anywhere);
        }
    }

    /// <summary>
    /// Adds every namespace a file declares, with the namespaces enclosing it, and every using directive's target to
    /// <paramref name="inFile"/>, and the global usings' targets to <paramref name="global"/>, as dotted names without
    /// <c>global::</c>. Usings and namespaces sit only in the compilation unit and in namespaces: nothing else is walked.
    /// </summary>
    private static void AddImportedOrDeclared(SyntaxNode container, HashSet<string> inFile, HashSet<string> global, string? enclosingNamespace = null)
    {
        foreach (var directive in UsingsOf(container))
        {
            if (directive.Name is not { } name)
                continue;
            var dotted = DottedName(name);
            inFile.Add(dotted);
            if (directive.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword))
                global.Add(dotted);
        }
        foreach (var declaration in NamespacesIn(container))
        {
            var full = enclosingNamespace is null ? DottedName(declaration.Name) : enclosingNamespace + "." + DottedName(declaration.Name);
            for (var dot = full.Length; dot > 0; dot = full.LastIndexOf('.', dot - 1))
                inFile.Add(full.Substring(0, dot));
            AddImportedOrDeclared(declaration, inFile, global, full);
        }
    }

    /// <summary>
    /// Writes what an extension lookup in the file depends on to <paramref name="scope"/>: its extern aliases, usings and
    /// namespace declarations, in order. False if the file declares a top-level static class (see <see cref="Imports.ScopeOf"/>).
    /// </summary>
    private static bool AppendScope(SyntaxNode container, System.Text.StringBuilder scope)
    {
        var externs = container switch
        {
            CompilationUnitSyntax unit => unit.Externs,
            BaseNamespaceDeclarationSyntax ns => ns.Externs,
            _ => default,
        };
        foreach (var directive in externs)
            scope.Append("extern alias ").Append(directive.Identifier.ValueText).Append('\n');
        foreach (var directive in UsingsOf(container))
        {
            if (directive.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword))
                scope.Append("global ");
            scope.Append(directive.StaticKeyword.IsKind(SyntaxKind.StaticKeyword) ? "using static " : "using ");
            if (directive.Alias is { } alias)
                scope.Append(alias.Name.Identifier.ValueText).Append(" = ");
            if (directive.Name is { } name)
                AppendName(name, scope);
            else
                scope.Append(directive.ToString());
            scope.Append('\n');
        }
        var sharable = true;
        foreach (var member in MembersOf(container))
        {
            if (member is ClassDeclarationSyntax @class && @class.Modifiers.Any(SyntaxKind.StaticKeyword))
                sharable = false;
            if (member is not BaseNamespaceDeclarationSyntax declaration)
                continue;
            AppendName(declaration.Name, scope.Append("namespace "));
            scope.Append(" {\n");
            sharable &= AppendScope(declaration, scope);
            scope.Append("}\n");
        }
        return sharable;
    }

    /// <summary>The name as written without the trivia between its parts (<c>global::A . B</c> as "global::A.B"); a generic name's arguments as written.</summary>
    private static void AppendName(NameSyntax name, System.Text.StringBuilder text)
    {
        switch (name)
        {
            case QualifiedNameSyntax qualified:
                AppendName(qualified.Left, text);
                AppendName(qualified.Right, text.Append('.'));
                break;
            case AliasQualifiedNameSyntax aliased:
                text.Append(aliased.Alias.Identifier.ValueText).Append("::");
                AppendName(aliased.Name, text);
                break;
            case GenericNameSyntax generic:
                text.Append(generic.Identifier.ValueText).Append(generic.TypeArgumentList.ToString());
                break;
            case SimpleNameSyntax simple:
                text.Append(simple.Identifier.ValueText);
                break;
            default:
                text.Append(name.ToString());
                break;
        }
    }

    private static SyntaxList<UsingDirectiveSyntax> UsingsOf(SyntaxNode container) => container switch
    {
        CompilationUnitSyntax unit => unit.Usings,
        BaseNamespaceDeclarationSyntax ns => ns.Usings,
        _ => default,
    };

    private static SyntaxList<MemberDeclarationSyntax> MembersOf(SyntaxNode container) => container switch
    {
        CompilationUnitSyntax unit => unit.Members,
        BaseNamespaceDeclarationSyntax ns => ns.Members,
        _ => default,
    };

    private static IEnumerable<BaseNamespaceDeclarationSyntax> NamespacesIn(SyntaxNode container)
    {
        foreach (var member in MembersOf(container))
        {
            if (member is BaseNamespaceDeclarationSyntax declaration)
                yield return declaration;
        }
    }

    /// <summary><c>global::A . B</c> as "A.B": the identifiers only, whatever the trivia, without an alias qualifier.</summary>
    private static string DottedName(NameSyntax name)
        => name switch
        {
            QualifiedNameSyntax qualified => DottedName(qualified.Left) + "." + DottedName(qualified.Right),
            AliasQualifiedNameSyntax aliased => DottedName(aliased.Name),
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => name.ToString(),
        };

    /// <summary>Whether an extension method whose first parameter is <paramref name="extended"/> could be called on <paramref name="receiver"/>.</summary>
    private static bool MayExtend(ITypeSymbol extended, ITypeSymbol receiver)
    {
        if (extended is not INamedTypeSymbol named || extended.SpecialType == SpecialType.System_Object
            || receiver is not (INamedTypeSymbol or IArrayTypeSymbol) || receiver.TypeKind == TypeKind.Error)
            return true;
        // Spans take arrays and strings through conversions that depend on the language version.
        if (named.Name is "Span" or "ReadOnlySpan" && named.ContainingNamespace is { Name: "System" })
            return true;
        var target = named.OriginalDefinition;
        for (var type = receiver; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, target))
                return true;
        }
        foreach (var @interface in receiver.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, target))
                return true;
        }
        return false;
    }

    /// <summary><see cref="IsCounterpart"/> for an extension method not yet reduced to a receiver: exact where it is not generic.</summary>
    private bool MayBeCounterpart(IMethodSymbol candidate, ImmutableArray<IParameterSymbol> parameters, int typeArgumentCount)
    {
        var extra = candidate.Parameters.Length - 1 - parameters.Length;
        if (extra is not (0 or 1) || extra == 1 && !TakesToken(candidate))
            return false;
        if (candidate.IsGenericMethod)
            return true;
        if (typeArgumentCount != 0)
            return false;
        for (var i = 0; i < parameters.Length; i++)
        {
            var expected = parameters[i];
            var actual = candidate.Parameters[i + 1];
            if (expected.RefKind != actual.RefKind || !SymbolEqualityComparer.Default.Equals(expected.Type, actual.Type))
                return false;
        }
        return _types.IsAwaitable(candidate.ReturnType) && !IsObsolete(candidate);
    }

    /// <summary>
    /// The extension methods named XAsync, by X, in the imported namespaces of the compilation's references: a superset of
    /// what a lookup at any position can find there, built once per compilation (and once per referenced namespace). A
    /// static XAsync that is not a classic extension method (an extension block's, in metadata) puts X among the names
    /// always looked up. The compilation's own are found per name (see <see cref="SourceExtensions"/>).
    /// </summary>
    private sealed class ExtensionIndex
    {
        private ExtensionIndex(Dictionary<string, List<IMethodSymbol>> byBaseName, HashSet<string> lookupAlways)
        {
            ByBaseName = byBaseName;
            LookupAlways = lookupAlways;
        }

        public Dictionary<string, List<IMethodSymbol>> ByBaseName { get; }

        public HashSet<string> LookupAlways { get; }

        /// <summary>
        /// The extension methods of the compilation's references in the namespaces and classes <paramref name="imported"/>
        /// names: a referenced assembly's other namespaces are never walked.
        /// </summary>
        public static ExtensionIndex Of(Compilation compilation, HashSet<string> imported)
        {
            var index = Empty();
            var importedKey = string.Join("\n", imported.OrderBy(name => name, System.StringComparer.Ordinal));
            foreach (var reference in compilation.References)
            {
                if (compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol { MightContainExtensionMethods: true } assembly)
                    continue;
                var byImports = s_referencedByImports.GetValue(assembly, static _ => new ConcurrentDictionary<string, ExtensionIndex>(System.StringComparer.Ordinal));
                if (!byImports.TryGetValue(importedKey, out var inAssembly))
                    inAssembly = byImports.GetOrAdd(importedKey, OfAssembly(assembly, imported));
                index.Add(inAssembly);
            }
            return index;
        }

        private static ExtensionIndex OfAssembly(IAssemblySymbol assembly, HashSet<string> imported)
        {
            var index = Empty();
            foreach (var name in imported)
            {
                if (Find(assembly.GlobalNamespace, name) is { } container)
                    index.Add(s_referencedExtensions.GetValue(container, static c => OfContainer(c)));
            }
            return index;
        }

        /// <summary>The namespace, or the class, with the dotted name; "" is the global namespace.</summary>
        private static INamespaceOrTypeSymbol? Find(INamespaceSymbol root, string dottedName)
        {
            INamespaceOrTypeSymbol current = root;
            if (dottedName.Length == 0)
                return current;
            foreach (var part in dottedName.Split('.'))
            {
                INamespaceOrTypeSymbol? next = null;
                foreach (var member in current.GetMembers(part))
                {
                    // A namespace goes on; a class ends the path (using static), as nested classes hold no extension methods.
                    if (member is INamespaceSymbol || member is INamedTypeSymbol && next is null)
                        next = (INamespaceOrTypeSymbol)member;
                }
                if (next is null)
                    return null;
                current = next;
            }
            return current;
        }

        /// <summary>The extension methods named XAsync of a namespace's own classes (not its nested namespaces'), or of one class.</summary>
        private static ExtensionIndex OfContainer(INamespaceOrTypeSymbol container)
        {
            var index = Empty();
            if (container is INamespaceSymbol ns)
            {
                foreach (var type in ns.GetTypeMembers())
                    index.AddClass(type);
            }
            else if (container is INamedTypeSymbol type && type.ContainingType is null)
            {
                index.AddClass(type);
            }
            return index;
        }

        private static ExtensionIndex Empty()
            => new(new Dictionary<string, List<IMethodSymbol>>(System.StringComparer.Ordinal), new HashSet<string>(System.StringComparer.Ordinal));

        private void Add(ExtensionIndex other)
        {
            foreach (var pair in other.ByBaseName)
            {
                if (!ByBaseName.TryGetValue(pair.Key, out var methods))
                    ByBaseName[pair.Key] = methods = new List<IMethodSymbol>();
                methods.AddRange(pair.Value);
            }
            LookupAlways.UnionWith(other.LookupAlways);
        }

        /// <summary>Extension methods live only in top-level static classes.</summary>
        private void AddClass(INamedTypeSymbol type)
        {
            if (!type.MightContainExtensionMethods)
                return;
            foreach (var name in type.MemberNames)
            {
                if (name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal))
                    AddMembers(type, name);
            }
        }

        private void AddMembers(INamedTypeSymbol type, string name)
        {
            var baseName = name.Substring(0, name.Length - AsyncSuffix.Length);
            foreach (var member in type.GetMembers(name))
            {
                if (member is IMethodSymbol { IsExtensionMethod: true, Parameters.Length: > 0 } extension)
                {
                    if (!ByBaseName.TryGetValue(baseName, out var methods))
                        ByBaseName[baseName] = methods = new List<IMethodSymbol>();
                    methods.Add(extension);
                }
                else if (member is IMethodSymbol { IsStatic: true })
                {
                    LookupAlways.Add(baseName);
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

    /// <summary>A call's method and receiver type as a dictionary key, hashed as <see cref="ConstructedTypeComparer"/> hashes types.</summary>
    private sealed class MethodOnReceiverComparer : IEqualityComparer<(IMethodSymbol Method, ITypeSymbol Receiver)>
    {
        public static readonly MethodOnReceiverComparer Instance = new();

        public bool Equals((IMethodSymbol Method, ITypeSymbol Receiver) x, (IMethodSymbol Method, ITypeSymbol Receiver) y)
            => SymbolEqualityComparer.Default.Equals(x.Method, y.Method) && SymbolEqualityComparer.Default.Equals(x.Receiver, y.Receiver);

        public int GetHashCode((IMethodSymbol Method, ITypeSymbol Receiver) key)
            => unchecked(ConstructedTypeComparer.Hash(key.Method) * 31 + ConstructedTypeComparer.Hash(key.Receiver));
    }

    /// <summary>Keys of the extension lookups: the scope by equality, the receiver as <see cref="ConstructedTypeComparer"/> hashes it, the name.</summary>
    private sealed class ExtensionLookupComparer : IEqualityComparer<(object Scope, ITypeSymbol Receiver, string Name)>
    {
        public static readonly ExtensionLookupComparer Instance = new();

        public bool Equals((object Scope, ITypeSymbol Receiver, string Name) x, (object Scope, ITypeSymbol Receiver, string Name) y)
            => x.Scope.Equals(y.Scope) && SymbolEqualityComparer.Default.Equals(x.Receiver, y.Receiver) && string.Equals(x.Name, y.Name, System.StringComparison.Ordinal);

        public int GetHashCode((object Scope, ITypeSymbol Receiver, string Name) key)
            => unchecked((key.Scope.GetHashCode() * 31 + ConstructedTypeComparer.Hash(key.Receiver)) * 31 + key.Name.GetHashCode());
    }
}
