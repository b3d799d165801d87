using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2003: tasks started in a loop and kept in a local collection (<c>tasks.Add(FooAsync())</c>,
/// <c>tasks[i] = FooAsync()</c>, <c>items.Select(FooAsync).ToList()</c>) that is never awaited,
/// passed on or returned: the loop's work is left running and its failures unseen.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnobservedTaskCollectionAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the collection variable's name, for the fix's Task.WhenAll.</summary>
    internal const string CollectionProperty = "Collection";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UnobservedTaskCollection,
        title: "Await the tasks collected in a loop",
        messageFormat: "Tasks collected in '{0}' are never awaited in {1}: the work is left running and its exceptions are lost; add 'await Task.WhenAll({0})'",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Starting tasks in a loop and collecting them is the right way to run them concurrently, but only if the "
            + "collection is then awaited (Task.WhenAll, Task.WhenAny, awaiting each) or handed to someone who does. Otherwise the "
            + "method returns while the tasks still run, and nobody sees their exceptions.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UnobservedTaskCollection));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var options = TaskObservationOptions.PerFile(start.Options, DiagnosticIds.UnobservedTaskCollection);
            start.RegisterOperationAction(c => AnalyzeFill(c, types, options), OperationKind.Invocation, OperationKind.SimpleAssignment, OperationKind.VariableDeclarator);
            start.RegisterSymbolStartAction(s => StartType(s, types, options), SymbolKind.NamedType);
        });
    }

    /// <summary>
    /// A private field that the type fills itself with a new collection and then with tasks in a loop (a dispatch
    /// loop's <c>_running.Add(HandleAsync(job))</c>) is reported when no code of the type observes it. Only types
    /// with such a field register anything, and each of their field references costs a lookup.
    /// </summary>
    private static void StartType(SymbolStartAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        // A partial type's other parts may be analyzed apart from this one (an editor analyzes one document).
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.DeclaringSyntaxReferences.Length != 1)
            return;
        HashSet<IFieldSymbol>? candidates = null;
        foreach (var member in type.GetMembers())
        {
            if (member is IFieldSymbol { DeclaredAccessibility: Accessibility.Private, IsImplicitlyDeclared: false, IsConst: false } field
                && field.DeclaringSyntaxReferences.Length == 1
                && field.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is VariableDeclaratorSyntax declarator
                && (declarator.Initializer is null || IsNewCollection(declarator.Initializer.Value))
                && HoldsTasks(field.Type, types, fileOptions.For(declarator.SyntaxTree)) != TaskHolder.None)
                (candidates ??= new HashSet<IFieldSymbol>(SymbolEqualityComparer.Default)).Add(field);
        }
        if (candidates is null)
            return;
        // A nested type's code is analyzed as its own symbol: a field it names counts as observed.
        HashSet<string>? named = null;
        foreach (var nested in type.GetTypeMembers())
        {
            foreach (var reference in nested.DeclaringSyntaxReferences)
            {
                foreach (var token in reference.GetSyntax(context.CancellationToken).DescendantTokens())
                {
                    if (token.IsKind(SyntaxKind.IdentifierToken))
                        (named ??= new HashSet<string>()).Add(token.ValueText);
                }
            }
        }
        if (named is not null)
            candidates.RemoveWhere(field => named.Contains(field.Name));
        if (candidates.Count == 0)
            return;

        var uses = new FieldUses(candidates, types, fileOptions);
        context.RegisterOperationAction(uses.Record, OperationKind.FieldReference);
        context.RegisterSymbolEndAction(uses.Report);
    }

    private static bool IsNewCollection(ExpressionSyntax value)
        => value is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax or ImplicitArrayCreationExpressionSyntax
            || value.IsKind(SyntaxKind.CollectionExpression);

    /// <summary>What the type does with each candidate field: where it first fills it with tasks in a loop, and whether anything observes it.</summary>
    private sealed class FieldUses
    {
        private readonly HashSet<IFieldSymbol> _candidates;
        private readonly HashSet<IFieldSymbol> _observed = new(SymbolEqualityComparer.Default);
        private readonly Dictionary<IFieldSymbol, (IOperation Fill, string Function)> _fills = new(SymbolEqualityComparer.Default);

        private readonly KnownTypes _types;
        private readonly PerFileOptions<TaskObservationOptions> _fileOptions;

        public FieldUses(HashSet<IFieldSymbol> candidates, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions)
        {
            _candidates = candidates;
            _types = types;
            _fileOptions = fileOptions;
        }

        public void Record(OperationAnalysisContext context)
        {
            var types = _types;
            var fileOptions = _fileOptions;
            var reference = (IFieldReferenceOperation)context.Operation;
            if (!_candidates.Contains(reference.Field))
                return;
            IOperation? fill = null;
            var use = reference.Instance is null or IInstanceReferenceOperation
                ? Classify(reference, types, fileOptions.For(reference.Syntax.SyntaxTree), out fill)
                : Use.Observes; // another instance's field: followed no further
            if (use != Use.AddsTaskInLoop)
                fill = null;
            lock (_fills)
            {
                if (use == Use.Observes)
                    _observed.Add(reference.Field);
                else if (fill is not null && (!_fills.TryGetValue(reference.Field, out var first) || ComesBefore(fill, first.Fill)))
                    _fills[reference.Field] = (fill, AsyncCode.DescribeEnclosingFunction(fill, context.ContainingSymbol));
            }
        }

        public void Report(SymbolAnalysisContext context)
        {
            List<(IFieldSymbol Field, IOperation Fill, string Function)> unobserved = new();
            lock (_fills)
            {
                foreach (var pair in _fills)
                {
                    if (!_observed.Contains(pair.Key))
                        unobserved.Add((pair.Key, pair.Value.Fill, pair.Value.Function));
                }
            }
            foreach (var (field, fill, function) in unobserved)
            {
                // No fix: a field outlives the loop, so where its tasks belong awaited (after the loop, in a Stop or
                // Dispose method) is the type's design.
                var tasks = TasksOf(field.Name, HoldsTasks(field.Type, _types, _fileOptions.For(fill.Syntax.SyntaxTree)));
                context.Report(Diagnostic.Create(Rule, fill.Syntax.GetLocation(), tasks,
                    $"{function} nor anywhere else in type {SymbolNames.Quoted(context.Symbol)}"));
            }
        }

        private static bool ComesBefore(IOperation a, IOperation b)
        {
            var order = string.CompareOrdinal(a.Syntax.SyntaxTree.FilePath, b.Syntax.SyntaxTree.FilePath);
            return order < 0 || (order == 0 && a.Syntax.SpanStart < b.Syntax.SpanStart);
        }
    }

    /// <summary>
    /// A collection filled with tasks (an add in a loop, a materialized projection) starts a search of
    /// its body; ordinary locals cost nothing more. The collection is reported once, at the first place
    /// that fills it, and only if no use observes it.
    /// </summary>
    private static void AnalyzeFill(OperationAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions)
    {
        var filled = context.Operation switch
        {
            IInvocationOperation { Instance: ILocalReferenceOperation reference, TargetMethod.Name: "Add" or "Insert" or "Push" or "Enqueue" or "TryAdd" } => reference,
            ISimpleAssignmentOperation { Target: IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation reference } } => reference,
            ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true, Instance: ILocalReferenceOperation reference } } => reference,
            _ => null,
        };
        if (filled is null && context.Operation is not IVariableDeclaratorOperation)
            return;
        var options = fileOptions.For(context.Operation.Syntax.SyntaxTree);
        ILocalSymbol collection;
        var holder = TaskHolder.Elements;
        if (filled is not null)
        {
            if (Classify(filled, types, options, out _) != Use.AddsTaskInLoop || (holder = HoldsTasks(filled.Local.Type, types, options)) == TaskHolder.None)
                return;
            collection = filled.Local;
        }
        else if (context.Operation is IVariableDeclaratorOperation declarator && declarator.GetVariableInitializer()?.Value is { } initializer
            && IsMaterializedTaskProjection(initializer, types, options))
        {
            collection = declarator.Symbol;
        }
        else
        {
            return;
        }

        var site = context.Operation;
        if (!ReferenceEquals(FirstUnobservedFill(collection, site, types, options), site))
            return;
        var tasks = TasksOf(collection.Name, holder);
        var properties = ImmutableDictionary<string, string?>.Empty.Add(CollectionProperty, tasks);
        if (AsyncCode.EnclosingFunction(site, context.ContainingSymbol) is { IsAsync: false })
            properties = properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true");
        context.Report(Diagnostic.Create(Rule, site.Syntax.GetLocation(), properties,
            tasks, AsyncCode.DescribeEnclosingFunction(site, context.ContainingSymbol)));
    }

    /// <summary>Where <paramref name="collection"/> is first filled with tasks, or null when some use observes it.</summary>
    private static IOperation? FirstUnobservedFill(ILocalSymbol collection, IOperation site, KnownTypes types, TaskObservationOptions options)
    {
        IOperation? first = null;
        foreach (var node in OperationTree.Root(site).Descendants())
        {
            switch (node)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, collection)
                    && declarator.GetVariableInitializer()?.Value is { } initializer && IsMaterializedTaskProjection(initializer, types, options):
                    first ??= declarator;
                    break;
                case ILocalReferenceOperation { IsDeclaration: false } reference when SymbolEqualityComparer.Default.Equals(reference.Local, collection):
                    switch (Classify(reference, types, options, out var fill))
                    {
                        case Use.Observes:
                            return null;
                        case Use.AddsTaskInLoop:
                            first ??= fill;
                            break;
                    }
                    break;
            }
        }
        return first;
    }

    private enum Use { Neutral, AddsTaskInLoop, Observes }

    /// <summary>
    /// Adding (Add, Insert, an element assignment) is not observing, nor are Count, Clear or Remove;
    /// every other read (WhenAll, a foreach, LINQ, passing, returning, storing) observes.
    /// </summary>
    /// <param name="site">Where an add happens (the Add call, the element assignment), for the report.</param>
    private static Use Classify(IOperation reference, KnownTypes types, TaskObservationOptions options, out IOperation? site)
    {
        site = null;
        switch (reference.Parent)
        {
            case IInvocationOperation invocation when invocation.Instance == reference:
                var name = invocation.TargetMethod.Name;
                if (name is "Add" or "Insert" or "Push" or "Enqueue" or "TryAdd")
                {
                    var addsTask = invocation.Arguments.Length > 0 && AddsUnheldTask(invocation.Arguments[invocation.Arguments.Length - 1].Value, types, options);
                    site = invocation;
                    return addsTask && InsideLoop(invocation) ? Use.AddsTaskInLoop : Use.Neutral;
                }
                if (name is "RemoveAll" && PrunesCompletedOnly(invocation))
                    return Use.Neutral;
                return name is "Clear" or "Remove" or "RemoveAt" or "TryRemove" or "EnsureCapacity" or "TrimExcess" ? Use.Neutral : Use.Observes;
            case IPropertyReferenceOperation { Property.Name: "Count" or "Length" or "Capacity" }:
                return Use.Neutral;
            case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Instance == reference
                && indexer.Parent is ISimpleAssignmentOperation set && set.Target == indexer:
                // inFlight[id] = HandleAsync(job): a dictionary (or list) of tasks filled by key.
                site = set;
                return AddsUnheldTask(set.Value, types, options) && InsideLoop(set) ? Use.AddsTaskInLoop : Use.Neutral;
            case IArrayElementReferenceOperation element when element.Parent is ISimpleAssignmentOperation assignment && assignment.Target == element:
                site = assignment;
                return AddsUnheldTask(assignment.Value, types, options) && InsideLoop(assignment) ? Use.AddsTaskInLoop : Use.Neutral;
            case IAssignmentOperation assignment when assignment.Target == reference:
                // A field given a collection from elsewhere shares it with whoever made it.
                return reference is not IFieldReferenceOperation || OperationTree.Unwrap(assignment.Value) is IObjectCreationOperation or IArrayCreationOperation
                    || assignment.Value.Syntax.IsKind(SyntaxKind.CollectionExpression)
                    ? Use.Neutral
                    : Use.Observes;
            case ILockOperation:
                return Use.Neutral;
            default:
                return Use.Observes;
        }
    }

    /// <summary>
    /// The added value is a task nothing else observes. A local the code also awaits, passes on or continues with a
    /// continuation that reads its failure (<c>_ = task.ContinueWith(t =&gt; Log(t.Exception))</c>) is observed there; a
    /// continuation that only removes it from the collection (<c>t =&gt; _tracked.Remove(t)</c>) is not.
    /// </summary>
    private static bool AddsUnheldTask(IOperation value, KnownTypes types, TaskObservationOptions options)
    {
        var added = OperationTree.Unwrap(value);
        if (added is null || !options.IsAwaitable(types, added.Type))
            return false;
        if (added is ILocalReferenceOperation local)
        {
            foreach (var reference in OperationTree.ReferencesTo(local.Local, local))
            {
                if (!ReferenceEquals(reference, local) && !IsContinuedWithoutObserving(reference))
                    return false;
            }
        }
        return true;
    }

    private static bool IsContinuedWithoutObserving(IOperation task)
    {
        if (task.Parent is not IInvocationOperation { TargetMethod.Name: "ContinueWith" } continueWith || continueWith.Instance != task)
            return false;
        foreach (var argument in continueWith.Arguments)
        {
            if (OperationTree.Unwrap(argument.Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation { Symbol.Parameters.Length: > 0 } continuation })
                return !ReadsFailure(continuation.Body, continuation.Symbol.Parameters[0]);
        }
        return false;
    }

    /// <summary>The continuation reads the antecedent's failure: its Exception, IsFaulted or Result, waits for it, or awaits it.</summary>
    private static bool ReadsFailure(IOperation body, IParameterSymbol antecedent)
    {
        foreach (var node in body.Descendants())
        {
            if (node is not IParameterReferenceOperation reference || !SymbolEqualityComparer.Default.Equals(reference.Parameter, antecedent))
                continue;
            if (reference.Parent is IPropertyReferenceOperation { Property.Name: "Exception" or "IsFaulted" or "Result" }
                or IInvocationOperation { TargetMethod.Name: "Wait" or "GetAwaiter" }
                or IAwaitOperation)
                return true;
        }
        return false;
    }

    /// <summary>
    /// <c>tasks.RemoveAll(t =&gt; t.IsCompleted)</c>: drops the finished tasks, the failed ones with them, and
    /// observes nothing (a predicate that reads the task's Exception or passes it on observes it).
    /// </summary>
    private static bool PrunesCompletedOnly(IInvocationOperation removeAll)
    {
        if (removeAll.Arguments.Length != 1
            || OperationTree.Unwrap(removeAll.Arguments[0].Value) is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation { Symbol.Parameters.Length: 1 } predicate })
            return false;
        var parameter = predicate.Symbol.Parameters[0];
        foreach (var node in predicate.Body.Descendants())
        {
            if (node is IParameterReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Parameter, parameter)
                && reference.Parent is not IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsCanceled" or "Status" })
                return false;
        }
        return true;
    }

    private static bool InsideLoop(IOperation operation)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case ILoopOperation:
                    return true;
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    private enum TaskHolder { None, Elements, Values }

    /// <summary>
    /// List&lt;Task&gt;, Task[], HashSet&lt;ValueTask&gt;...: a collection whose elements are awaitable; or a dictionary
    /// (ConcurrentDictionary&lt;Guid, Task&gt;) whose values are, awaited through its <c>Values</c>.
    /// </summary>
    private static TaskHolder HoldsTasks(ITypeSymbol type, KnownTypes types, TaskObservationOptions options)
    {
        if (type is IArrayTypeSymbol array)
            return options.IsAwaitable(types, array.ElementType) ? TaskHolder.Elements : TaskHolder.None;
        foreach (var @interface in type.AllInterfaces)
        {
            if (!SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, types.IEnumerableOfT))
                continue;
            var element = @interface.TypeArguments[0];
            if (options.IsAwaitable(types, element))
                return TaskHolder.Elements;
            if (element is INamedTypeSymbol { Name: "KeyValuePair", TypeArguments.Length: 2 } pair
                && pair.ContainingNamespace is { Name: "Generic", ContainingNamespace: { Name: "Collections", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } }
                && options.IsAwaitable(types, pair.TypeArguments[1])
                && HasValuesProperty(type))
                return TaskHolder.Values;
            return TaskHolder.None;
        }
        return TaskHolder.None;
    }

    private static bool HasValuesProperty(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("Values"))
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false })
                    return true;
            }
        }
        return false;
    }

    /// <summary>What to await: the collection itself, or a dictionary's <c>Values</c>.</summary>
    private static string TasksOf(string collection, TaskHolder holder) => holder == TaskHolder.Values ? collection + ".Values" : collection;

    /// <summary><c>items.Select(x => FooAsync(x)).ToList()</c> (or ToArray/ToHashSet): the projection started every task.</summary>
    private static bool IsMaterializedTaskProjection(IOperation initializer, KnownTypes types, TaskObservationOptions options)
        => OperationTree.Unwrap(initializer) is IInvocationOperation { TargetMethod.Name: "ToList" or "ToArray" or "ToHashSet" } materialize
            && materialize.Arguments.Length > 0
            && OperationTree.Unwrap(materialize.Arguments[0].Value) is IInvocationOperation { TargetMethod: { Name: "Select" } select }
            && select.TypeArguments.Length == 2 && options.IsAwaitable(types, select.TypeArguments[1]);
}
