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
        defaultSeverity: DiagnosticSeverity.Warning,
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
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var names = new ParsedOptionCache<SymbolNameList>(SymbolNameList.Parse);
            var helpers = new ObserveHelpers(types);
            start.RegisterSymbolAction(c => AnalyzeMethod(c, types, names, helpers), SymbolKind.Method);
            start.RegisterOperationAction(c =>
            {
                var function = ((ILocalFunctionOperation)c.Operation).Symbol;
                if (IsReportable(function, types) && c.Operation.Syntax is LocalFunctionStatementSyntax syntax && !CatchesEverything(syntax.Body))
                    c.ReportDiagnostic(Diagnostic.Create(Rule, syntax.Identifier.GetLocation(), function.Name));
            }, OperationKind.LocalFunction);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownTypes types, ParsedOptionCache<SymbolNameList> names, ObserveHelpers helpers)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!IsReportable(method, types) || method.IsOverride || ImplementsInterfaceMember(method) || method.Locations.IsEmpty || !method.Locations[0].IsInSource)
            return;
        if (method.DeclaringSyntaxReferences.Length == 1
            && method.DeclaringSyntaxReferences[0].GetSyntax(context.CancellationToken) is MethodDeclarationSyntax { Body: var body } && CatchesEverything(body))
            return;
        var options = TaskObservationOptions.Read(context.Options, method.Locations[0].SourceTree!, DiagnosticIds.AsyncVoid, names);
        if (helpers.IsObserveHelper(method, options))
            return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, method.Locations[0], SymbolNames.ForMessage(method)));
    }

    /// <summary>
    /// <c>async void OnTick(object? state) { try { ... } catch (Exception e) { Log(e); } }</c>: nothing escapes to end
    /// the process. What a timer or a callback that needs a void method gets when written with care.
    /// </summary>
    private static bool CatchesEverything(BlockSyntax? body)
    {
        if (body is null || body.Statements.Count != 1 || body.Statements[0] is not TryStatementSyntax @try)
            return false;
        foreach (var clause in @try.Catches)
        {
            var catchesAll = clause.Declaration is null
                || clause.Declaration.Type is IdentifierNameSyntax { Identifier.ValueText: "Exception" }
                    or QualifiedNameSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "System" }, Right.Identifier.ValueText: "Exception" };
            if (catchesAll && clause.Filter is null
                && !clause.Block.DescendantNodes().Any(node => node is ThrowStatementSyntax or ThrowExpressionSyntax))
                return true;
        }
        return false;
    }

    private static bool IsReportable(IMethodSymbol method, KnownTypes types)
        => method.IsAsync && method.ReturnsVoid && !IsEventHandler(method, types);

    /// <summary>The (object sender, XxxEventArgs e) shape, whose void return the event fixes.</summary>
    internal static bool IsEventHandler(IMethodSymbol method, KnownTypes types)
    {
        if (method.Parameters.Length != 2 || method.Parameters[0].Type.SpecialType != SpecialType.System_Object)
            return false;
        var args = method.Parameters[1].Type;
        // WinRT and MAUI argument types do not all derive from System.EventArgs, but keep the name.
        if (args.Name.EndsWith("EventArgs", System.StringComparison.Ordinal))
            return true;
        for (var type = args; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, types.EventArgs))
                return true;
        }
        return false;
    }

    private static bool ImplementsInterfaceMember(IMethodSymbol method)
        => !method.ExplicitInterfaceImplementations.IsEmpty
            || method.ContainingType.AllInterfaces.Any(i => i.GetMembers(method.Name).Any(member =>
                SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method)));
}
