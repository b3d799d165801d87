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

    /// <summary>The field shape (see <see cref="OwnedFields"/>): a source the type creates and keeps, never disposed or replaced without disposing.</summary>
    internal static readonly DiagnosticDescriptor FieldRule = new(
        id: DiagnosticIds.UndisposedTokenSource,
        title: Rule.Title,
        messageFormat: "'{0}' creates the {1} in {2} and {3}",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A type that creates a linked or timed CancellationTokenSource and keeps it in a field owns it: it must dispose it "
            + "when it is disposed itself (so it must be IDisposable), and dispose the previous one whenever it stores a fresh one per run "
            + "or per job. Undisposed, a linked source stays registered on its outer token and a timed one keeps its timer.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UndisposedTokenSource));

    private static readonly ImmutableArray<string> FieldWords = ImmutableArray.Create("CancellationTokenSource");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, FieldRule);

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
            OwnedFields.Register(start, types, FieldWords, operation => ClassifyForField(operation, types), types.CancellationTokenSource,
                (c, finding) => OwnedFields.Report(c, FieldRule, finding, finding.Type.Name, finding.What, FieldDescription(finding.Field), finding.Missing));
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

    /// <summary>A source a field keeps: only a linked or timed one holds something its disposal releases (a plain one holds nothing).</summary>
    private static OwnedFields.Creation? ClassifyForField(IOperation operation, KnownTypes types)
    {
        if (operation is IInvocationOperation { TargetMethod.Name: "CreateLinkedTokenSource" } invocation
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, types.CancellationTokenSource))
            return new OwnedFields.Creation(holds: true, "linked CancellationTokenSource");
        if (operation is IObjectCreationOperation creation && SymbolEqualityComparer.Default.Equals(creation.Type, types.CancellationTokenSource))
            return new OwnedFields.Creation(holds: creation.Arguments.Length > 0, "CancellationTokenSource", releasedByCancel: true);
        return null;
    }

    /// <summary>"field '_cts'", "property 'Source'".</summary>
    internal static string FieldDescription(ISymbol field) => field is IPropertySymbol ? $"property '{field.Name}'" : $"field '{field.Name}'";

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
