using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The field shape of AP4001 and AP4004: a class creates a resource itself and keeps it in one of its private
/// instance fields (or private auto-properties), then never disposes it, or replaces it without disposing the
/// previous one. One pass per named type: a symbol-start action per class whose text names the resource, the
/// bodies of its members walked once each, and the verdict at the type's end.
/// <para>
/// Owned means: every value the field ever gets in the type is one the type creates (<c>new</c>, a factory the rule
/// names), so a field that also takes a parameter, an injected client or a call's result (<c>client ?? new
/// HttpClient()</c>) is left alone, and so is a field handed to another owner: passed as an argument (a
/// constructor or method may take it over), returned, stored anywhere else, or put in an object or a collection.
/// Static fields live for the process (a shared client is meant to), and so does the one instance of a singleton
/// (private constructors and a static field of the type holding the instance): neither is reported as never
/// disposed. Only private members: anything else may be disposed by code outside the type.
/// </para>
/// <para>
/// Disposed means: <c>Dispose()</c>/<c>DisposeAsync()</c> on the field (<c>?.</c> included), a <c>using</c> of it,
/// the same on a local copy of it or on what <c>Interlocked.Exchange(ref field, ...)</c> returns, anywhere in the
/// type: a <c>Stop</c> that disposes it ends its life as well as <c>Dispose</c> does.
/// </para>
/// <para>
/// Replaced without disposing: a method (not a constructor) stores a new instance while the old one is still
/// there (the field already holds one from its initializer or a constructor, the method reads it first, or the
/// store is in a loop) and neither the method nor what it calls in the type disposes the old one, while only the
/// type's Dispose does: a fresh source per run or per job. Lazy creation (<c>??=</c>, a null check of the field,
/// <c>Interlocked.CompareExchange</c>) replaces nothing.
/// </para>
/// </summary>
internal static class OwnedFields
{
    /// <summary>What a rule says about a creation: not its resource (null), or its resource and whether it holds something disposing releases.</summary>
    public delegate Creation? Classify(IOperation operation);

    /// <summary>A creation of the rule's resource.</summary>
    public readonly struct Creation
    {
        public Creation(bool holds, string what, bool releasedByCancel = false)
        {
            Holds = holds;
            What = what;
            ReleasedByCancel = releasedByCancel;
        }

        /// <summary>Whether <c>Cancel()</c> releases what it holds (a timer, not a link): then a Dispose that cancels it is enough.</summary>
        public bool ReleasedByCancel { get; }

        /// <summary>Whether disposing it releases something (always, for a client; a timer or a link, for a token source).</summary>
        public bool Holds { get; }

        /// <summary>How the message names it ("HttpClient", "linked CancellationTokenSource").</summary>
        public string What { get; }
    }

    /// <summary>One report: the field, the creation where the report goes, and what is missing.</summary>
    public sealed class Finding
    {
        public Finding(INamedTypeSymbol type, ISymbol field, IOperation creation, string what, FindingKind kind, ISymbol? replacingMember)
        {
            Type = type;
            Field = field;
            Creation = creation;
            What = what;
            Kind = kind;
            ReplacingMember = replacingMember;
        }

        public INamedTypeSymbol Type { get; }
        public ISymbol Field { get; }
        public IOperation Creation { get; }
        public string What { get; }
        public FindingKind Kind { get; }
        public ISymbol? ReplacingMember { get; }

        /// <summary>The end of the message: what is missing.</summary>
        public string Missing => Kind switch
        {
            FindingKind.NotDisposable => $"never disposes it: '{Type.Name}' is not IDisposable",
            FindingKind.NotDisposed => $"never disposes it, not even in its Dispose",
            FindingKind.Removed => $"removes one in '{SymbolNames.ForMessage(ReplacingMember!)}' without disposing it",
            _ => $"replaces it in '{SymbolNames.ForMessage(ReplacingMember!)}' without disposing the previous one",
        };
    }

    public enum FindingKind
    {
        /// <summary>The type is not disposable and nothing in it disposes the field.</summary>
        NotDisposable,
        /// <summary>The type is disposable and nothing in it disposes the field.</summary>
        NotDisposed,
        /// <summary>A method stores a new instance without disposing the one the field holds.</summary>
        Replaced,
        /// <summary>A method removes an instance from the type's dictionary of them and does not dispose it.</summary>
        Removed,
    }

    /// <summary>Diagnostic property: the field's name, for the fixes.</summary>
    public const string FieldProperty = "Field";

    /// <summary>Diagnostic property: which <see cref="FindingKind"/> the report is.</summary>
    public const string KindProperty = "FieldKind";

    /// <summary>
    /// Registers the per-type pass: <paramref name="words"/> prefilter the type's text, <paramref name="classify"/> tells the
    /// rule's creations, <paramref name="report"/> reports a finding.
    /// </summary>
    /// <param name="element">The resource type whose dictionaries (per-job sources) are followed too, or null.</param>
    public static void Register(CompilationStartAnalysisContext start, KnownTypes types, ImmutableArray<string> words, Classify classify, INamedTypeSymbol? element, Action<SymbolAnalysisContext, Finding> report)
    {
        var disposable = start.Compilation.GetSpecialType(SpecialType.System_IDisposable);
        start.RegisterSymbolStartAction(symbolStart =>
        {
            var type = (INamedTypeSymbol)symbolStart.Symbol;
            if (type.TypeKind != TypeKind.Class || type.IsStatic || !MayMention(type, words) || !HasCandidates(type) || GeneratedPartMayDispose(type))
                return;
            var facts = new TypeFacts(type, classify, element);
            symbolStart.RegisterOperationBlockAction(block =>
            {
                foreach (var root in block.OperationBlocks)
                    facts.Walk(root, block.OwningSymbol);
            });
            symbolStart.RegisterSymbolEndAction(end =>
            {
                foreach (var finding in facts.Findings(disposable, types))
                    report(end, finding);
            });
        }, SymbolKind.NamedType);
    }

    /// <summary>Reports <paramref name="finding"/> with <paramref name="rule"/>; the message arguments come from the rule.</summary>
    public static void Report(SymbolAnalysisContext context, DiagnosticDescriptor rule, Finding finding, params object[] messageArguments)
    {
        var properties = ImmutableDictionary<string, string?>.Empty
            .Add(FieldProperty, finding.Field.Name)
            .Add(KindProperty, finding.Kind.ToString());
        context.Report(Diagnostic.Create(rule, finding.Creation.Syntax.GetLocation(), properties, messageArguments));
    }

    /// <summary>The operation that uses <paramref name="operation"/>'s value, past conversions and parentheses; <paramref name="value"/> is the outermost of those.</summary>
    private static IOperation? UserOf(IOperation operation, out IOperation value)
    {
        value = operation;
        var parent = operation.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            value = parent;
            parent = parent.Parent;
        }
        return parent;
    }

    /// <summary><c>value.Dispose()</c> or <c>value?.Dispose()</c>, or their <c>DisposeAsync</c> forms.</summary>
    private static bool DisposesValue(IOperation? user, IOperation value)
        => user switch
        {
            IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } dispose => dispose.Instance == value,
            IConditionalAccessOperation access => access.Operation == value
                && OperationTree.WhenNotNull(access) is IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync", Instance: IConditionalAccessInstanceOperation },
            _ => false,
        };

    private static bool MayMention(INamedTypeSymbol type, ImmutableArray<string> words)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (SourceWords.MayMention(reference.SyntaxTree, reference.Span, words))
                return true;
        }
        return false;
    }

    private static readonly ImmutableArray<string> DisposeWords = ImmutableArray.Create("Dispose");

    /// <summary>
    /// A part of the type in generated code (a Razor component's <c>@code</c> block) is never analyzed, so a disposal there
    /// would go unseen: a type with such a part that mentions disposal is not judged.
    /// </summary>
    private static bool GeneratedPartMayDispose(INamedTypeSymbol type)
    {
        if (type.DeclaringSyntaxReferences.Length < 2)
            return false;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (LooksGenerated(reference.SyntaxTree) && SourceWords.MayMention(reference.SyntaxTree, reference.Span, DisposeWords))
                return true;
        }
        return false;
    }

    /// <summary>The compiler's own test, in short: a generated file name, or an <c>&lt;auto-generated</c> comment at the top.</summary>
    private static bool LooksGenerated(SyntaxTree tree)
    {
        var path = tree.FilePath;
        foreach (var suffix in GeneratedSuffixes)
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        foreach (var trivia in tree.GetRoot().GetLeadingTrivia())
        {
            if ((trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia))
                && trivia.ToString().IndexOf("<auto-generated", StringComparison.OrdinalIgnoreCase) >= 0)
                return true;
        }
        return false;
    }

    private static readonly string[] GeneratedSuffixes = { ".g.cs", ".g.i.cs", ".designer.cs", ".generated.cs" };

    private static bool HasCandidates(INamedTypeSymbol type)
    {
        foreach (var member in type.GetMembers())
        {
            if (IsCandidate(member, type))
                return true;
        }
        return false;
    }

    /// <summary>A private instance field of the type, or a private auto-property.</summary>
    private static bool IsCandidate(ISymbol member, INamedTypeSymbol type)
    {
        if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Private || !SymbolEqualityComparer.Default.Equals(member.ContainingType, type))
            return false;
        return member switch
        {
            IFieldSymbol field => !field.IsImplicitlyDeclared && !field.IsConst,
            IPropertySymbol property => !property.IsIndexer && IsAutoProperty(property),
            _ => false,
        };
    }

    private static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: true } backing && SymbolEqualityComparer.Default.Equals(backing.AssociatedSymbol, property))
                return true;
        }
        return false;
    }

    /// <summary>What one field is seen to go through, over every body of the type.</summary>
    private sealed class FieldFacts
    {
        public readonly List<CreationSite> Creations = new();
        public readonly HashSet<ISymbol> DisposedIn = new(SymbolEqualityComparer.Default);
        public readonly HashSet<ISymbol> NullCheckedIn = new(SymbolEqualityComparer.Default);
        public readonly HashSet<ISymbol> CancelledIn = new(SymbolEqualityComparer.Default);
        /// <summary>Per member, the earliest position where it reads the field (not a null check, not a store).</summary>
        public readonly Dictionary<ISymbol, int> FirstReadIn = new(SymbolEqualityComparer.Default);
        /// <summary>A value the type did not create, or a hand-over: the field is not the type's to dispose.</summary>
        public bool NotOwned;
        /// <summary>A CancelAfter on it: it holds a timer.</summary>
        public bool Timed;
        /// <summary>Passed, returned or stored elsewhere: another owner may look after it (and, for a dictionary, its values).</summary>
        public bool HandedOver;
        /// <summary>For a dictionary of the resource: how a value added to it that holds something is named, or null.</summary>
        public string? ValuesWhat;
        /// <summary>For a dictionary of the resource: removals whose value is neither disposed nor handed on.</summary>
        public readonly List<(IOperation Removal, ISymbol Member)> LeakyRemovals = new();
    }

    private readonly struct CreationSite
    {
        public CreationSite(IOperation creation, Creation what, ISymbol member, bool initializes, bool lazy, bool inLoop)
        {
            Operation = creation;
            What = what;
            Member = member;
            Initializes = initializes;
            Lazy = lazy;
            InLoop = inLoop;
        }

        public IOperation Operation { get; }
        public Creation What { get; }
        public ISymbol Member { get; }
        /// <summary>In an initializer or an instance constructor: the field's first value.</summary>
        public bool Initializes { get; }
        /// <summary>Stored only when the field is empty (<c>??=</c>, CompareExchange with null).</summary>
        public bool Lazy { get; }
        public bool InLoop { get; }
    }

    /// <summary>The facts of one type, filled by the walks of its bodies (which may run concurrently: one lock).</summary>
    private sealed class TypeFacts
    {
        private readonly INamedTypeSymbol _type;
        private readonly Classify _classify;
        private readonly INamedTypeSymbol? _element;
        private readonly Dictionary<ISymbol, FieldFacts> _fields = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<ISymbol, HashSet<ISymbol>> _calls = new(SymbolEqualityComparer.Default);
        private readonly object _gate = new();

        public TypeFacts(INamedTypeSymbol type, Classify classify, INamedTypeSymbol? element)
        {
            _type = type;
            _classify = classify;
            _element = element;
        }

        public void Walk(IOperation root, ISymbol member)
        {
            member = member.OriginalDefinition;
            var walker = new BodyWalk(this, member, root);
            foreach (var node in root.DescendantsAndSelf())
                walker.Visit(node);
            walker.VisitAliases(root);
        }

        private FieldFacts FactsOf(ISymbol field)
        {
            if (!_fields.TryGetValue(field, out var facts))
                _fields[field] = facts = new FieldFacts();
            return facts;
        }

        /// <summary>The field (or auto-property) of the type a reference names, if it is a candidate.</summary>
        private ISymbol? CandidateOf(IOperation? operation)
        {
            ISymbol? symbol = OperationTree.Unwrap(operation) switch
            {
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation { Arguments.Length: 0 } property => property.Property,
                _ => null,
            };
            return symbol is not null && IsCandidate(symbol.OriginalDefinition, _type) ? symbol.OriginalDefinition : null;
        }

        private sealed class BodyWalk
        {
            private readonly TypeFacts _owner;
            private readonly ISymbol _member;
            private readonly bool _initializes;
            private Dictionary<ILocalSymbol, ISymbol>? _aliases;
            private Dictionary<ILocalSymbol, IOperation>? _createdLocals;
            private readonly IOperation _root;

            public BodyWalk(TypeFacts owner, ISymbol member, IOperation root)
            {
                _owner = owner;
                _member = member;
                _root = root;
                _initializes = member is IFieldSymbol or IPropertySymbol
                    || member is IMethodSymbol { MethodKind: MethodKind.Constructor };
            }

            public void Visit(IOperation node)
            {
                switch (node)
                {
                    case IFieldInitializerOperation initializer:
                        foreach (var field in initializer.InitializedFields)
                            Store(field.AssociatedSymbol ?? field, initializer.Value, lazy: false);
                        return;
                    case IPropertyInitializerOperation initializer:
                        foreach (var property in initializer.InitializedProperties)
                            Store(property, initializer.Value, lazy: false);
                        return;
                    case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator:
                        if (_owner._classify(OperationTree.Unwrap(value)!) is not null)
                            (_createdLocals ??= new(SymbolEqualityComparer.Default))[declarator.Symbol] = OperationTree.Unwrap(value)!;
                        return;
                    case IInvocationOperation { Instance: { } instance } call when _owner._element is not null && DictionaryOf(instance) is { } dictionary:
                        DictionaryCall(dictionary, call);
                        return;
                    case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } indexed } } store
                        when _owner._element is not null && DictionaryOf(indexed) is { } target:
                        Added(target, store.Value);
                        return;
                    case IInvocationOperation invocation when invocation.Instance is null or IInstanceReferenceOperation
                        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, _owner._type):
                        lock (_owner._gate)
                        {
                            if (!_owner._calls.TryGetValue(_member, out var callees))
                                _owner._calls[_member] = callees = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                            callees.Add(invocation.TargetMethod.OriginalDefinition);
                        }
                        return;
                    case IFieldReferenceOperation or IPropertyReferenceOperation:
                        if (_owner.CandidateOf(node) is { } candidate)
                            Reference(candidate, node);
                        return;
                }
            }

            /// <summary>A candidate field that is a dictionary whose values are the resource (per-job sources by id).</summary>
            private ISymbol? DictionaryOf(IOperation instance)
                => _owner.CandidateOf(instance) is { } field
                    && OperationTree.Unwrap(instance)?.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } dictionary
                    && dictionary.Name.EndsWith("Dictionary", StringComparison.Ordinal)
                    && SymbolEqualityComparer.Default.Equals(dictionary.TypeArguments[1], _owner._element)
                    ? field : null;

            private void Added(ISymbol dictionary, IOperation value)
            {
                var creation = OperationTree.Unwrap(value)!;
                if (creation is ILocalReferenceOperation local && _createdLocals is not null && _createdLocals.TryGetValue(local.Local, out var created))
                    creation = created;
                if (_owner._classify(creation) is { Holds: true } what)
                {
                    lock (_owner._gate)
                        _owner.FactsOf(dictionary).ValuesWhat ??= what.What;
                }
            }

            /// <summary>Adds (<c>TryAdd</c>, <c>Add</c>, <c>GetOrAdd</c>) and removals (<c>TryRemove</c>, <c>Remove</c>) of a dictionary of the resource.</summary>
            private void DictionaryCall(ISymbol dictionary, IInvocationOperation call)
            {
                var arguments = call.Arguments;
                switch (call.TargetMethod.Name)
                {
                    case "TryAdd" or "Add" or "GetOrAdd" when arguments.Length == 2:
                        Added(dictionary, arguments[1].Value);
                        return;
                    case "TryRemove" or "Remove" when arguments.Length == 2 && arguments[1].Parameter?.RefKind == RefKind.Out:
                        var removed = OperationTree.Unwrap(arguments[1].Value) switch
                        {
                            IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => declared.Local,
                            ILocalReferenceOperation local => local.Local,
                            _ => null,
                        };
                        if (removed is null || !IsDisposedOrHandedOn(removed))
                            Leaky(dictionary, call);
                        return;
                    case "Remove" when arguments.Length == 1 && !DisposesAnyElement():
                        Leaky(dictionary, call);
                        return;
                }
            }

            private void Leaky(ISymbol dictionary, IOperation removal)
            {
                lock (_owner._gate)
                    _owner.FactsOf(dictionary).LeakyRemovals.Add((removal, _member));
            }

            /// <summary>The removed value is disposed, or passed, returned or stored (someone else may dispose it), somewhere in the body.</summary>
            private bool IsDisposedOrHandedOn(ILocalSymbol local)
            {
                foreach (var node in _root.Descendants())
                {
                    if (node is IUsingOperation { Resources: var resources } && ContainsLocal(resources, local))
                        return true;
                    if (node is not ILocalReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Local, local))
                        continue;
                    var parent = UserOf(reference, out var value);
                    switch (parent)
                    {
                        case var user when DisposesValue(user, value):
                        case IArgumentOperation { Parameter.RefKind: RefKind.None }:
                        case IReturnOperation or IConditionalOperation or ICoalesceOperation or ITupleOperation:
                        case ISimpleAssignmentOperation assignment when assignment.Value == value:
                        case IVariableInitializerOperation:
                            return true;
                    }
                    // Captured by a lambda: it may dispose it later.
                    foreach (var ancestor in reference.Ancestors())
                    {
                        if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                            return true;
                    }
                }
                return false;
            }

            private static bool ContainsLocal(IOperation operation, ILocalSymbol local)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                        return true;
                }
                return false;
            }

            /// <summary><c>Remove(key)</c> drops the value; a body that disposes any value of the resource type (got first with <c>TryGetValue</c>) looks after it.</summary>
            private bool DisposesAnyElement()
            {
                foreach (var node in _root.Descendants())
                {
                    if (node is IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" } dispose
                        && SymbolEqualityComparer.Default.Equals((dispose.Instance as IConditionalAccessInstanceOperation)?.Type ?? dispose.Instance?.Type, _owner._element))
                        return true;
                }
                return false;
            }

            /// <summary>A value stored in a candidate: a creation of the rule's resource, or something else (then not owned).</summary>
            private void Store(ISymbol field, IOperation value, bool lazy)
            {
                if (!IsCandidate(field.OriginalDefinition, _owner._type))
                    return;
                field = field.OriginalDefinition;
                var unwrapped = OperationTree.Unwrap(value)!;
                if (unwrapped.ConstantValue is { HasValue: true, Value: null } || unwrapped is IDefaultValueOperation)
                    return;
                var creation = unwrapped;
                if (unwrapped is ILocalReferenceOperation local && _createdLocals is not null && _createdLocals.TryGetValue(local.Local, out var created))
                    creation = created;
                lock (_owner._gate)
                {
                    var facts = _owner.FactsOf(field);
                    if (_owner._classify(creation) is { } what)
                        facts.Creations.Add(new CreationSite(creation, what, _member, _initializes, lazy, IsInLoop(value)));
                    else
                        facts.NotOwned = true;
                }
            }

            private void Reference(ISymbol field, IOperation reference)
            {
                var parent = UserOf(reference, out var value);

                switch (parent)
                {
                    case ISimpleAssignmentOperation assignment when assignment.Target == value:
                        Store(field, assignment.Value, lazy: false);
                        return;
                    case ICoalesceAssignmentOperation assignment when assignment.Target == value:
                        Store(field, assignment.Value, lazy: true);
                        return;
                    case ISimpleAssignmentOperation assignment when assignment.Value == value:
                        if (OperationTree.Unwrap(assignment.Target) is ILocalReferenceOperation target)
                            Alias(target.Local, field);
                        else
                            NotOwned(field);
                        return;
                    case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                        Alias(declarator.Symbol, field);
                        if (IsUsing(declarator))
                            Disposed(field);
                        return;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                        RefArgument(field, argument);
                        return;
                    case IArgumentOperation or IReturnOperation or IArrayInitializerOperation or ITupleOperation
                        or IAnonymousObjectCreationOperation or IMemberInitializerOperation or ICoalesceOperation or IConditionalOperation
                        or IDelegateCreationOperation:
                        NotOwned(field);
                        return;
                    case IUsingOperation:
                        Disposed(field);
                        return;
                    case var user when DisposesValue(user, value):
                        Disposed(field);
                        return;
                    case IConditionalAccessOperation access when access.Operation == value:
                        Read(field, reference, access.WhenNotNull);
                        return;
                    case IBinaryOperation or IIsPatternOperation:
                        lock (_owner._gate)
                            _owner.FactsOf(field).NullCheckedIn.Add(_member);
                        return;
                    default:
                        Read(field, reference, parent);
                        return;
                }
            }

            private void Read(ISymbol field, IOperation reference, IOperation? parent)
            {
                var cancelAfter = parent is IInvocationOperation { TargetMethod.Name: "CancelAfter" };
                var cancel = parent is IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" };
                lock (_owner._gate)
                {
                    var facts = _owner.FactsOf(field);
                    facts.Timed |= cancelAfter;
                    if (cancel)
                        facts.CancelledIn.Add(_member);
                    var position = reference.Syntax.SpanStart;
                    if (!facts.FirstReadIn.TryGetValue(_member, out var first) || position < first)
                        facts.FirstReadIn[_member] = position;
                }
            }

            /// <summary>
            /// <c>Interlocked.Exchange(ref field, value)</c> stores the value and returns the old one;
            /// <c>CompareExchange(ref field, value, null)</c> stores it only when empty; <c>Volatile.Read</c> reads. Any other
            /// method given the field by reference may store anything in it.
            /// </summary>
            private void RefArgument(ISymbol field, IArgumentOperation argument)
            {
                if (argument.Parent is not IInvocationOperation invocation || invocation.TargetMethod.ContainingType?.Name is not ("Interlocked" or "Volatile"))
                {
                    NotOwned(field);
                    return;
                }
                switch (invocation.TargetMethod.Name)
                {
                    case "Read":
                        Read(field, argument, invocation.Parent);
                        return;
                    case "Exchange" when invocation.Arguments.Length == 2:
                        Store(field, invocation.Arguments[1].Value, lazy: false);
                        OldValue(field, invocation);
                        return;
                    case "CompareExchange" when invocation.Arguments.Length == 3:
                        Store(field, invocation.Arguments[1].Value, lazy: true);
                        OldValue(field, invocation);
                        return;
                    default:
                        NotOwned(field);
                        return;
                }
            }

            /// <summary>What happens to the old value an exchange returns: disposed, kept in a local, or dropped.</summary>
            private void OldValue(ISymbol field, IInvocationOperation exchange)
            {
                var parent = UserOf(exchange, out var value);
                switch (parent)
                {
                    case var user when DisposesValue(user, value):
                    case IUsingOperation:
                        Disposed(field);
                        return;
                    case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                        Alias(declarator.Symbol, field);
                        if (IsUsing(declarator))
                            Disposed(field);
                        return;
                    case ISimpleAssignmentOperation assignment when assignment.Value == value && OperationTree.Unwrap(assignment.Target) is ILocalReferenceOperation target:
                        Alias(target.Local, field);
                        return;
                    case IArgumentOperation or IReturnOperation:
                        // Handed to whoever disposes it (a helper, a background cleanup): as good as disposed here.
                        Disposed(field);
                        return;
                }
            }

            private void Alias(ILocalSymbol local, ISymbol field)
                => (_aliases ??= new(SymbolEqualityComparer.Default))[local] = field;

            /// <summary>A local copy of a field disposed (or handed over, as a copy often is for disposal elsewhere) disposes the field's value.</summary>
            public void VisitAliases(IOperation root)
            {
                if (_aliases is null)
                    return;
                foreach (var node in root.Descendants())
                {
                    if (node is IUsingOperation { Resources: var resources })
                    {
                        foreach (var inner in resources.DescendantsAndSelf())
                        {
                            if (inner is ILocalReferenceOperation used && _aliases.TryGetValue(used.Local, out var usedField))
                                Disposed(usedField);
                        }
                    }
                    if (node is not ILocalReferenceOperation reference || !_aliases.TryGetValue(reference.Local, out var field))
                        continue;
                    var parent = UserOf(reference, out var value);
                    switch (parent)
                    {
                        case var user when DisposesValue(user, value):
                        case IArgumentOperation or IReturnOperation:
                        case ISimpleAssignmentOperation { Target: not ILocalReferenceOperation } assignment when assignment.Value == value:
                            Disposed(field);
                            break;
                    }
                }
            }

            private void Disposed(ISymbol field)
            {
                lock (_owner._gate)
                    _owner.FactsOf(field).DisposedIn.Add(_member);
            }

            /// <summary>Passed, returned or stored elsewhere: not the type's alone to dispose.</summary>
            private void NotOwned(ISymbol field)
            {
                lock (_owner._gate)
                {
                    var facts = _owner.FactsOf(field);
                    facts.NotOwned = true;
                    facts.HandedOver = true;
                }
            }

            private static bool IsUsing(IVariableDeclaratorOperation declarator)
            {
                foreach (var ancestor in declarator.Ancestors())
                {
                    switch (ancestor)
                    {
                        case IUsingDeclarationOperation or IUsingOperation:
                            return true;
                        case IVariableDeclarationOperation or IVariableDeclarationGroupOperation:
                            continue;
                        default:
                            return false;
                    }
                }
                return false;
            }

            private static bool IsInLoop(IOperation operation)
            {
                foreach (var ancestor in operation.Ancestors())
                {
                    switch (ancestor)
                    {
                        case ILoopOperation:
                            return true;
                        case IAnonymousFunctionOperation or ILocalFunctionOperation:
                            return false;
                    }
                }
                return false;
            }
        }

        /// <summary>The verdicts, at the type's end (every body has been walked).</summary>
        public List<Finding> Findings(INamedTypeSymbol? disposable, KnownTypes types)
        {
            var findings = new List<Finding>();
            lock (_gate)
            {
                foreach (var pair in _fields)
                {
                    var facts = pair.Value;
                    if (facts.ValuesWhat is { } values && !facts.HandedOver && facts.LeakyRemovals.Count > 0 && !NestedTypesMention(pair.Key))
                    {
                        foreach (var (removal, member) in facts.LeakyRemovals)
                            findings.Add(new Finding(_type, pair.Key, removal, values, FindingKind.Removed, member));
                    }
                    if (facts.NotOwned || facts.Creations.Count == 0 || NestedTypesMention(pair.Key))
                        continue;
                    var holds = facts.Timed;
                    foreach (var site in facts.Creations)
                        holds |= site.What.Holds;
                    if (!holds)
                        continue;
                    var first = FirstInSource(facts.Creations);
                    var what = first.What.What;

                    if (facts.DisposedIn.Count == 0)
                    {
                        if (IsProcessLifetime(_type) || CancelReleasesIt(facts))
                            continue;
                        var isDisposable = Implements(_type, disposable) || Implements(_type, types.IAsyncDisposable);
                        findings.Add(new Finding(_type, pair.Key, first.Operation, what, isDisposable ? FindingKind.NotDisposed : FindingKind.NotDisposable, null));
                        continue;
                    }

                    // Disposed somewhere: only a replacement can leak, and only when nothing but the type's Dispose ends a value's life.
                    if (!OnlyDisposeEndsItsLife(facts))
                        continue;
                    foreach (var site in facts.Creations)
                    {
                        if (site.Initializes || site.Lazy || facts.NullCheckedIn.Contains(site.Member) || DisposesTransitively(site.Member, facts, new HashSet<ISymbol>(SymbolEqualityComparer.Default)))
                            continue;
                        var previousIsLive = site.InLoop
                            || facts.Creations.Exists(other => other.Initializes)
                            || facts.FirstReadIn.TryGetValue(site.Member, out var read) && read < site.Operation.Syntax.SpanStart;
                        if (previousIsLive)
                            findings.Add(new Finding(_type, pair.Key, site.Operation, site.What.What, FindingKind.Replaced, site.Member));
                    }
                }
            }
            findings.Sort((a, b) => a.Creation.Syntax.SpanStart.CompareTo(b.Creation.Syntax.SpanStart));
            return findings;
        }

        /// <summary>
        /// A nested type may use (and dispose) a private field of its container, and its bodies are not walked with the
        /// container's: a field a nested type names is left alone.
        /// </summary>
        private bool NestedTypesMention(ISymbol field)
        {
            var nested = _type.GetTypeMembers();
            if (nested.IsEmpty)
                return false;
            var words = ImmutableArray.Create(field.Name);
            foreach (var type in nested)
            {
                foreach (var reference in type.DeclaringSyntaxReferences)
                {
                    if (SourceWords.MayMention(reference.SyntaxTree, reference.Span, words))
                        return true;
                }
            }
            return false;
        }

        /// <summary>A timed (not linked) source its Dispose cancels: the cancellation stops the timer, and nothing is left to release.</summary>
        private static bool CancelReleasesIt(FieldFacts facts)
        {
            foreach (var site in facts.Creations)
            {
                if (!site.What.ReleasedByCancel)
                    return false;
            }
            foreach (var member in facts.CancelledIn)
            {
                if (IsDisposeMethod(member))
                    return true;
            }
            return false;
        }

        private static CreationSite FirstInSource(List<CreationSite> sites)
        {
            var first = sites[0];
            foreach (var site in sites)
            {
                if (string.CompareOrdinal(site.Operation.Syntax.SyntaxTree.FilePath, first.Operation.Syntax.SyntaxTree.FilePath) < 0
                    || site.Operation.Syntax.SyntaxTree == first.Operation.Syntax.SyntaxTree && site.Operation.Syntax.SpanStart < first.Operation.Syntax.SpanStart)
                    first = site;
            }
            return first;
        }

        /// <summary>Every member that disposes the field is a Dispose method (or one only a Dispose reaches): no Stop or Reset ends a run's value.</summary>
        private bool OnlyDisposeEndsItsLife(FieldFacts facts)
        {
            foreach (var member in facts.DisposedIn)
            {
                if (!IsDisposeMethod(member) && !OnlyCalledFromDispose(member))
                    return false;
            }
            return true;
        }

        private static bool IsDisposeMethod(ISymbol member)
            => member is IMethodSymbol { MethodKind: MethodKind.Destructor }
                || member is IMethodSymbol method && (method.Name.StartsWith("Dispose", StringComparison.Ordinal)
                    || method.Name.EndsWith(".Dispose", StringComparison.Ordinal) || method.Name.EndsWith(".DisposeAsync", StringComparison.Ordinal));

        private bool OnlyCalledFromDispose(ISymbol member)
        {
            var called = false;
            foreach (var pair in _calls)
            {
                if (!pair.Value.Contains(member))
                    continue;
                called = true;
                if (!IsDisposeMethod(pair.Key))
                    return false;
            }
            return called;
        }

        private bool DisposesTransitively(ISymbol member, FieldFacts facts, HashSet<ISymbol> visited)
        {
            if (!visited.Add(member))
                return false;
            if (facts.DisposedIn.Contains(member))
                return true;
            if (_calls.TryGetValue(member, out var callees))
            {
                foreach (var callee in callees)
                {
                    if (DisposesTransitively(callee, facts, visited))
                        return true;
                }
            }
            return false;
        }

        /// <summary>
        /// A singleton: every instance constructor private, and a static field or property of the type holds its one
        /// instance. It lives as long as the process, like a static field.
        /// </summary>
        private static bool IsProcessLifetime(INamedTypeSymbol type)
        {
            var holdsItself = false;
            foreach (var constructor in type.InstanceConstructors)
            {
                if (constructor.DeclaredAccessibility != Accessibility.Private)
                    return false;
            }
            foreach (var member in type.GetMembers())
            {
                var memberType = member switch
                {
                    IFieldSymbol { IsStatic: true } field => field.Type,
                    IPropertySymbol { IsStatic: true } property => property.Type,
                    _ => null,
                };
                if (memberType is not null && (SymbolEqualityComparer.Default.Equals(memberType.OriginalDefinition, type)
                    || memberType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic && SymbolEqualityComparer.Default.Equals(generic.TypeArguments[0], type)))
                    holdsItself = true;
            }
            return holdsItself;
        }

        private static bool Implements(INamedTypeSymbol type, INamedTypeSymbol? @interface)
        {
            if (@interface is null)
                return false;
            foreach (var implemented in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(implemented, @interface))
                    return true;
            }
            return false;
        }
    }
}
