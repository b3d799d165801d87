using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4003: an HttpResponseMessage (from SendAsync, GetAsync, PostAsync, Send...) that is not disposed:
/// its connection goes back to the pool only once the content is read to the end or the response is
/// finalized.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedResponseAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UndisposedResponse,
        title: "Dispose HTTP responses",
        messageFormat: "{0} from '{1}' is not disposed: its connection returns to the pool only when the content is drained or the response is finalized; use 'using var response = ...'",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "An HttpResponseMessage holds its connection until its content has been read or it is disposed. Responses "
            + "that are inspected (status code, headers) and dropped keep connections busy, and under load the pool runs out. "
            + "Dispose the response (using), or return or pass it to code that does.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UndisposedResponse));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.HttpResponseMessage is null)
                return;
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Await, OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var operation = context.Operation;
        if (!SymbolEqualityComparer.Default.Equals(operation.Type, types.HttpResponseMessage))
            return;

        // Where the response comes from: an awaited SendAsync/GetAsync/..., or a synchronous Send.
        IInvocationOperation? call = operation switch
        {
            IAwaitOperation { Operation: var awaited } => OperationTree.Unwrap(awaited) is IInvocationOperation invocation ? invocation
                : OperationTree.Unwrap(awaited) is IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Instance: IInvocationOperation configured } ? configured : null,
            IInvocationOperation { TargetMethod.Name: not "EnsureSuccessStatusCode" } invocation when invocation.Parent is not IAwaitOperation => invocation,
            _ => null,
        };
        if (call is null)
            return;

        // EnsureSuccessStatusCode() returns the same response: follow it.
        var creation = operation.Parent is IInvocationOperation { TargetMethod.Name: "EnsureSuccessStatusCode" } ensure && ensure.Instance == operation ? ensure : operation;
        if (UndisposedResources.IsNotLookedAfter(context, creation, out var local))
        {
            UndisposedResources.Report(context, Rule, creation, local,
                local is null ? "The HttpResponseMessage" : $"HttpResponseMessage '{local.Name}'", SymbolNames.Qualified(call.TargetMethod));
        }
    }
}
