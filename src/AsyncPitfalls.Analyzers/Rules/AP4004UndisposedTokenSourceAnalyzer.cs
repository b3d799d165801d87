using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4004: a CancellationTokenSource that is not disposed. One with a CancelAfter timer stays alive
/// until the timer fires; a linked one stays registered on (and alive through) its outer token.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedTokenSourceAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UndisposedTokenSource,
        title: "Dispose CancellationTokenSources",
        messageFormat: "{0} is not disposed in {1}: {2}; use 'using var'",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A CancellationTokenSource with a timeout (CancelAfter, or a delay in its constructor) keeps a timer, and the "
            + "source stays reachable until the timer fires. A linked source registers on its outer tokens and lives as long as "
            + "they do: in a long-lived service, every undisposed linked source is a leak. Dispose it when the operation ends.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UndisposedTokenSource));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.CancellationTokenSource is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.ObjectCreation, OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var operation = context.Operation;
        var linked = operation is IInvocationOperation { TargetMethod.Name: "CreateLinkedTokenSource" } invocation
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, types.CancellationTokenSource);
        var created = operation is IObjectCreationOperation creation && SymbolEqualityComparer.Default.Equals(creation.Type, types.CancellationTokenSource);
        if (!linked && !created || !UndisposedResources.IsNotLookedAfter(context, operation, out var local))
            return;
        var timed = operation is IObjectCreationOperation { Arguments.Length: > 0 };
        var consequence = linked ? "it stays registered on its outer token, and alive as long as that token is"
            : timed || local is not null && CallsCancelAfter(operation, local) ? "its CancelAfter timer keeps it alive until it fires"
            : "its timer and registrations are released only when it is collected";
        UndisposedResources.Report(context, Rule, operation, local,
            Describe(local, linked), AsyncCode.DescribeEnclosingFunction(operation, context.ContainingSymbol), consequence);
    }

    /// <summary>"CancellationTokenSource 'cts'"; a source created inline has no name, so the message says what it is.</summary>
    private static string Describe(ILocalSymbol? local, bool linked)
        => local is not null ? $"CancellationTokenSource '{local.Name}'"
            : linked ? "The linked CancellationTokenSource created here" : "The CancellationTokenSource created here";

    private static bool CallsCancelAfter(IOperation creation, ILocalSymbol local)
    {
        foreach (var node in OperationTree.Root(creation).Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "CancelAfter", Instance: ILocalReferenceOperation reference } && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                return true;
        }
        return false;
    }
}
