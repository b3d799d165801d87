using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3006: the acquisition sits inside the <c>try</c> whose <c>finally</c> releases it. When the
/// acquisition throws or is cancelled (<c>WaitAsync(ct)</c>), the finally releases what was never
/// taken: a semaphore gains a slot (two callers get in), a Monitor or Mutex release throws.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AcquireInsideTryAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Set when the statements up to the acquisition can move before the try without changing a catch or cleanup.</summary>
    internal const string MovableProperty = "AP3006.Movable";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AcquireInsideTry,
        title: "Acquire the lock before the try that releases it",
        messageFormat: "{0} is acquired inside the try whose finally releases it: if the acquisition throws or is cancelled, the finally releases what was never taken; acquire it before the try",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A finally block runs whether or not the acquisition succeeded. When WaitAsync is cancelled or times out, "
            + "Release adds a slot the caller never took, so the semaphore lets two callers in from then on; Monitor.Exit and "
            + "ReleaseMutex throw instead. Acquire before the try, or record the acquisition in a flag and release only when it is set.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AcquireInsideTry));

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.AcquireInsideTry);
            start.RegisterOperationAction(c => AnalyzeTry(c, primitives), OperationKind.Try);
        });
    }

    private static void AnalyzeTry(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var @try = (ITryOperation)context.Operation;
        // Only an unconditional release counts: `if (taken) Release()` is the flag pattern, which is correct.
        if (@try.Finally is not { } @finally)
            return;
        var statements = @try.Body.Operations;
        for (var i = 0; i < statements.Length; i++)
        {
            if (primitives.TryGetStatementAcquisition(statements[i]) is not { } acquisition || RecordsInAFlag(acquisition)
                || i == 0 && CannotGiveUp(acquisition))
                continue;
            if (!@finally.Operations.Any(s => primitives.TryGetStatementRelease(s) is { } released && LockPrimitives.SameLock(released, acquisition.LockExpression)))
                continue;
            var movable = @try.Catches.IsEmpty && (i == 0 || @finally.Operations.Length == 1) && @try.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax;
            var properties = movable ? ImmutableDictionary<string, string?>.Empty.Add(MovableProperty, "true") : ImmutableDictionary<string, string?>.Empty;
            context.Report(Diagnostic.Create(Rule, acquisition.Operation.Syntax.GetLocation(), properties,
                acquisition.Describe(context.ContainingSymbol.ContainingType)));
            return;
        }
    }

    /// <summary>
    /// <c>_gate.Wait()</c>, <c>Monitor.Enter(_sync)</c>: a System.Threading wait with no token and no timeout waits until
    /// it has the lock. It fails only on misuse (a disposed semaphore, a null object), where the release fails as well,
    /// so as the try's first statement nothing can make the finally release what was never taken. (Code before it in
    /// the try can, and is still reported; so is a project's own lock method, which may fail in ways we cannot see.)
    /// </summary>
    private static bool CannotGiveUp(LockAcquisition acquisition)
        => acquisition.Operation is IInvocationOperation { TargetMethod.ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } invocation
            && !invocation.Arguments.Any(a => a.Parameter?.Type is { } type
                && (type.SpecialType == SpecialType.System_Int32 || type.Name is "TimeSpan" or "CancellationToken"));

    /// <summary><c>Monitor.Enter(x, ref taken)</c>: the flag says whether the lock was taken.</summary>
    private static bool RecordsInAFlag(LockAcquisition acquisition)
        => acquisition.Operation is IInvocationOperation invocation && invocation.Arguments.Any(a => a.Parameter?.RefKind == RefKind.Ref);
}
