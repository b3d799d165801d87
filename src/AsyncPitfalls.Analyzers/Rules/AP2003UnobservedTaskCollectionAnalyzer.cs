using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
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
        });
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
            _ => null,
        };
        if (filled is null && context.Operation is not IVariableDeclaratorOperation)
            return;
        var options = fileOptions.For(context.Operation.Syntax.SyntaxTree);
        ILocalSymbol collection;
        if (filled is not null)
        {
            if (Classify(filled, types, options, out _) != Use.AddsTaskInLoop || !HoldsTasks(filled.Local.Type, types, options))
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
        var properties = ImmutableDictionary<string, string?>.Empty.Add(CollectionProperty, collection.Name);
        if (AsyncCode.EnclosingFunction(site, context.ContainingSymbol) is { IsAsync: false })
            properties = properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true");
        context.Report(Diagnostic.Create(Rule, site.Syntax.GetLocation(), properties,
            collection.Name, AsyncCode.DescribeEnclosingFunction(site, context.ContainingSymbol)));
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
    private static Use Classify(ILocalReferenceOperation reference, KnownTypes types, TaskObservationOptions options, out IOperation? site)
    {
        site = null;
        switch (reference.Parent)
        {
            case IInvocationOperation invocation when invocation.Instance == reference:
                var name = invocation.TargetMethod.Name;
                if (name is "Add" or "Insert" or "Push" or "Enqueue" or "TryAdd")
                {
                    var addsTask = invocation.Arguments.Length > 0 && options.IsAwaitable(types, OperationTree.Unwrap(invocation.Arguments[invocation.Arguments.Length - 1].Value)?.Type);
                    site = invocation;
                    return addsTask && InsideLoop(invocation) ? Use.AddsTaskInLoop : Use.Neutral;
                }
                return name is "Clear" or "Remove" or "RemoveAt" or "EnsureCapacity" or "TrimExcess" ? Use.Neutral : Use.Observes;
            case IPropertyReferenceOperation { Property.Name: "Count" or "Length" or "Capacity" }:
                return Use.Neutral;
            case IArrayElementReferenceOperation element when element.Parent is ISimpleAssignmentOperation assignment && assignment.Target == element:
                site = assignment;
                return options.IsAwaitable(types, OperationTree.Unwrap(assignment.Value)?.Type) && InsideLoop(assignment) ? Use.AddsTaskInLoop : Use.Neutral;
            case IAssignmentOperation assignment when assignment.Target == reference:
                return Use.Neutral;
            default:
                return Use.Observes;
        }
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

    /// <summary>List&lt;Task&gt;, Task[], HashSet&lt;ValueTask&gt;...: a collection whose elements are awaitable.</summary>
    private static bool HoldsTasks(ITypeSymbol type, KnownTypes types, TaskObservationOptions options)
    {
        if (type is IArrayTypeSymbol array)
            return options.IsAwaitable(types, array.ElementType);
        foreach (var @interface in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(@interface.OriginalDefinition, types.IEnumerableOfT))
                return options.IsAwaitable(types, @interface.TypeArguments[0]);
        }
        return false;
    }

    /// <summary><c>items.Select(x => FooAsync(x)).ToList()</c> (or ToArray/ToHashSet): the projection started every task.</summary>
    private static bool IsMaterializedTaskProjection(IOperation initializer, KnownTypes types, TaskObservationOptions options)
        => OperationTree.Unwrap(initializer) is IInvocationOperation { TargetMethod.Name: "ToList" or "ToArray" or "ToHashSet" } materialize
            && materialize.Arguments.Length > 0
            && OperationTree.Unwrap(materialize.Arguments[0].Value) is IInvocationOperation { TargetMethod: { Name: "Select" } select }
            && select.TypeArguments.Length == 2 && options.IsAwaitable(types, select.TypeArguments[1]);
}
