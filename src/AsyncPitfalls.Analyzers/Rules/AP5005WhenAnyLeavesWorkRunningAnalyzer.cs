using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5005: <c>Task.WhenAny(work, Task.Delay(t))</c> as a timeout, and <c>Task.WhenAny</c> as "first
/// one wins", return while the losers go on running: nothing cancels them and nothing awaits them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WhenAnyLeavesWorkRunningAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: present for the timeout shape, which the fix makes cancel the work it abandons.</summary>
    internal const string TimeoutShapeProperty = "Timeout";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.WhenAnyLeavesWorkRunning,
        title: "Cancel or await what Task.WhenAny leaves behind",
        messageFormat: "{0}",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Task.WhenAny returns when the first task completes; the others keep running, holding connections and "
            + "threads, and their failures go unobserved. A timeout built from Task.WhenAny and Task.Delay leaves the slow work "
            + "running after the timeout (WaitAsync alone only stops the waiting, not the work). Give the work a token and "
            + "cancel it when the timeout wins, or await the rest.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.WhenAnyLeavesWorkRunning));

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
            start.RegisterOperationAction(c => Analyze(c, types), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod is not { Name: "WhenAny", IsStatic: true } method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task))
            return;

        var race = WhenAnyRaces.Classify(invocation, types, out var work, out var abandonedRead);
        if (race == WhenAnyRace.AbandonedRead && abandonedRead is not null)
        {
            context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), DescribeAbandonedRead(abandonedRead)));
            return;
        }

        if (race == WhenAnyRace.Timeout && work is not null)
        {
            var name = OperationNames.TryGetName(work) is { } n ? $"'{n}'" : "the work";
            var message = $"Task.WhenAny with Task.Delay as a timeout leaves {name} running when the delay wins; give it a token and cancel that token when the delay wins";
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties[TimeoutShapeProperty] = "true";
            // The fix links the token it gives the work to the caller's token, so cancelling the caller still stops it.
            if (CancellationTokens.TryFindInScope(invocation, context.ContainingSymbol, types, out var token))
                properties[DiagnosticProperties.CancellationToken] = token.Expression;
            context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties.ToImmutable(), message));
            return;
        }

        if (race == WhenAnyRace.FirstWins)
        {
            context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(),
                "Task.WhenAny returns at the first completed task and leaves the others running unobserved; cancel them or await them"));
        }
    }

    /// <summary>"'read' (Stream.ReadAsync)", or "'ChannelReader.ReadAsync'" for a read written in the race.</summary>
    private static string DescribeAbandonedRead(AbandonedRead read)
    {
        var method = $"{read.Call.TargetMethod.ContainingType.Name}.{read.Call.TargetMethod.Name}";
        var what = read.Local is { } local ? $"'{local.Name}' ({method})" : $"'{method}'";
        var then = read.LoopGoesOn ? "the loop reads again while it is still pending" : "the loop leaves it pending";
        return $"Task.WhenAny with Task.Delay as an idle timeout abandons the read {what} when the delay wins and {then}: "
            + "it can still take data that nobody receives; pass the read a token and cancel it when the delay wins, or keep the pending read for the next iteration";
    }
}
