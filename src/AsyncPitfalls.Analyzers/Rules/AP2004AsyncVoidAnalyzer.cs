using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2004: an <c>async void</c> method cannot be awaited, and an exception escaping it is rethrown on
/// the SynchronizationContext or the thread pool, where it ends the process.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncVoidAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AsyncVoid,
        title: "Avoid async void methods",
        messageFormat: "'{0}' is async void: callers cannot await it, and an exception it throws ends the process; return Task",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "An async void method runs fire-and-forget: its caller cannot wait for it or learn that it failed, and an "
            + "exception that escapes it is raised on the SynchronizationContext or the thread pool, which terminates the process. "
            + "Only event handlers, whose signature is fixed, should be async void.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AsyncVoid));

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
            var options = TaskObservationOptions.PerFile(start.Options, DiagnosticIds.AsyncVoid);
            var helpers = new ObserveHelpers(types);
            // On the body, not the symbol: whether the body catches everything is a question about its operations,
            // which the driver builds anyway for the local functions below.
            start.RegisterOperationAction(c => AnalyzeMethod(c, types, options, helpers), OperationKind.MethodBody);
            start.RegisterOperationAction(c =>
            {
                var localFunction = (ILocalFunctionOperation)c.Operation;
                if (IsReportable(localFunction.Symbol, types) && localFunction.Syntax is LocalFunctionStatementSyntax syntax && !CatchesEverything(localFunction.Body, types))
                    c.Report(Diagnostic.Create(Rule, syntax.Identifier.GetLocation(), localFunction.Symbol.Name));
            }, OperationKind.LocalFunction);
        });
    }

    private static void AnalyzeMethod(OperationAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions, ObserveHelpers helpers)
    {
        if (context.ContainingSymbol is not IMethodSymbol method || !IsReportable(method, types) || method.IsOverride || Declarations.ImplementsInterfaceMember(method)
            || method.Locations.IsEmpty || !method.Locations[0].IsInSource || CatchesEverything(((IMethodBodyOperation)context.Operation).BlockBody, types))
            return;
        var options = fileOptions.For(method.Locations[0].SourceTree!);
        if (helpers.IsObserveHelper(method, options))
            return;
        context.Report(Diagnostic.Create(Rule, method.Locations[0], SymbolNames.ForMessage(method)));
    }

    /// <summary>
    /// <c>async void OnTick(object? state) { try { ... } catch (Exception e) { Log(e); } }</c>: nothing escapes to end the
    /// process. What a timer or a callback that needs a void method gets when written with care.
    /// </summary>
    private static bool CatchesEverything(IBlockOperation? body, KnownTypes types) => FaultFreeWork.CatchesEverything(body, types);

    private static bool IsReportable(IMethodSymbol method, KnownTypes types)
        => method.IsAsync && method.ReturnsVoid && !Declarations.IsEventHandler(method, types);
}
