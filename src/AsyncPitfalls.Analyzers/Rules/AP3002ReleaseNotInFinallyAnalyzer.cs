using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3002: a lock is acquired and, further down the same block, released by a plain statement. An
/// exception (or a cancellation) in between skips the release, and every later caller waits forever.
/// </summary>
/// <remarks>
/// Only the shape where both ends are in one block is reported: an acquisition whose release is in
/// another method (a lock/unlock pair of methods) is left alone.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReleaseNotInFinallyAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ReleaseNotInFinally,
        title: "Release locks in a finally block",
        messageFormat: "{0} is released at line {1} outside a finally: if the code in between throws, it stays held and later callers wait forever",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A lock released by a plain statement is not released when the code before it throws or is cancelled. "
            + "Put the code between the acquisition and the release in a try block and the release in its finally.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ReleaseNotInFinally));

    /// <summary>
    /// The release is in the try that follows the acquisition, in its catch or after it, but not in its finally, and
    /// one path through them skips it: the reason (<c>{2}</c>) says which.
    /// </summary>
    internal static readonly DiagnosticDescriptor SkippedReleaseRule = new(
        id: DiagnosticIds.ReleaseNotInFinally,
        title: Rule.Title,
        messageFormat: "{0} is not released in {1} when {2}: it stays held and later callers wait forever; release it in a finally",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Rule.Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.ReleaseNotInFinally));

    /// <summary>Set when the release is the try's last statement (a plain return may follow) and can move into its finally unchanged.</summary>
    internal const string MoveToFinallyProperty = "AP3002.MoveToFinally";

    /// <summary>Set on every diagnostic of <see cref="SkippedReleaseRule"/>: the fix tells the two shapes apart by it.</summary>
    internal const string SkippedReleaseProperty = "AP3002.SkippedRelease";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, SkippedReleaseRule);

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ReleaseNotInFinally);
            start.RegisterOperationAction(c => AnalyzeBlock(c, primitives), OperationKind.Block);
        });
    }

    private static void AnalyzeBlock(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var statements = ((IBlockOperation)context.Operation).Operations;
        for (var i = 0; i < statements.Length; i++)
        {
            // A timed try-acquire whose result is dropped is its own bug; the release question needs a taken lock.
            if (primitives.TryGetStatementAcquisition(statements[i]) is not { IsConditional: false } acquisition)
                continue;
            for (var j = i + 1; j < statements.Length; j++)
            {
                if (primitives.TryGetStatementRelease(statements[j]) is { } released && LockPrimitives.SameLock(released, acquisition.LockExpression))
                {
                    if (j > i + 1)
                    {
                        var line = statements[j].Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                        context.Report(Diagnostic.Create(Rule, acquisition.Operation.Syntax.GetLocation(),
                            new[] { statements[j].Syntax.GetLocation() }, acquisition.Describe(context.ContainingSymbol.ContainingType), line));
                    }
                    break;
                }
                if (statements[j] is ITryOperation)
                {
                    // A try after the acquisition may release in its finally: not the bare-release shape. It may also
                    // release in its body, its catches or after it, and leave a path that skips the release.
                    if (!Enumerable.Range(i + 1, j - i - 1).Any(k => primitives.ReleasesAnywhere(statements[k], acquisition.LockExpression)))
                        ReportSkippedRelease(context, primitives, acquisition, statements, j);
                    break;
                }
            }
        }
    }

    /// <summary>
    /// The try at <paramref name="index"/> follows the acquisition; its finally does not release the lock, but its body,
    /// a catch or the code after it does. Reports the first path that skips every release:
    /// <list type="bullet">
    /// <item>the body returns before its release;</item>
    /// <item>the body's code before its release (the whole body when the release comes after the try) throws, and a catch
    /// handles it without releasing and without carrying on to a release after the try, or the catch's own code before
    /// its release throws, or no catch handles every exception (none, or only typed or filtered ones);</item>
    /// <item>the code between the try and the release after it throws.</item>
    /// </list>
    /// Code that calls nothing (<see cref="FaultFreeWork.CannotThrowOrLeave"/>) throws nothing. Nothing is reported when a
    /// release stands somewhere else as well (nested in an if, in a finally of a try around this one, in the body and after
    /// the try): those are other shapes, judged by whoever wrote them.
    /// </summary>
    private static void ReportSkippedRelease(OperationAnalysisContext context, LockPrimitives primitives, LockAcquisition acquisition, ImmutableArray<IOperation> statements, int index)
    {
        var @try = (ITryOperation)statements[index];
        var lockExpression = acquisition.LockExpression;
        if (@try.Finally is { } @finally && primitives.ReleasesAnywhere(@finally, lockExpression) || ReleasedAroundIt(primitives, @try, lockExpression)
            || ReleasedByACallback(primitives, OperationTree.Root(@try), lockExpression))
            return;
        var body = @try.Body.Operations;
        var bodyRelease = IndexOfRelease(primitives, body, 0, lockExpression);
        var afterRelease = IndexOfRelease(primitives, statements, index + 1, lockExpression);
        if (bodyRelease == Ambiguous || afterRelease == Ambiguous || bodyRelease < 0 == afterRelease < 0)
            return;
        var catchReleases = new int[@try.Catches.Length];
        for (var c = 0; c < catchReleases.Length; c++)
        {
            catchReleases[c] = IndexOfRelease(primitives, @try.Catches[c].Handler.Operations, 0, lockExpression);
            if (catchReleases[c] == Ambiguous)
                return;
        }

        var releasedAt = bodyRelease >= 0 ? body[bodyRelease] : statements[afterRelease];
        var reason = SkippingPath(primitives.Types, @try, bodyRelease, catchReleases, statements, index, afterRelease);
        if (reason is null)
            return;
        var properties = ImmutableDictionary<string, string?>.Empty.Add(SkippedReleaseProperty, "true");
        if (bodyRelease >= 0 && CanMoveToFinally(@try, bodyRelease, catchReleases))
            properties = properties.Add(MoveToFinallyProperty, "true");
        context.Report(Diagnostic.Create(SkippedReleaseRule, acquisition.Operation.Syntax.GetLocation(), new[] { releasedAt.Syntax.GetLocation() }, properties,
            acquisition.Describe(context.ContainingSymbol.ContainingType), SymbolNames.Quoted(context.ContainingSymbol), reason));
    }

    /// <summary>
    /// A lambda or local function of the method releases the lock (<c>task.ContinueWith(_ =&gt; _gate.Release())</c>): a path may
    /// hand the release on, and which one only the author knows.
    /// </summary>
    private static bool ReleasedByACallback(LockPrimitives primitives, IOperation root, IOperation lockExpression)
    {
        foreach (var node in root.Descendants())
        {
            if (node is IAnonymousFunctionOperation { Body: var body } && primitives.ReleasesAnywhere(body, lockExpression)
                || node is ILocalFunctionOperation { Body: { } localBody } && primitives.ReleasesAnywhere(localBody, lockExpression))
                return true;
        }
        return false;
    }

    private static string? SkippingPath(KnownTypes types, ITryOperation @try, int bodyRelease, int[] catchReleases, ImmutableArray<IOperation> statements, int index, int afterRelease)
    {
        var body = @try.Body.Operations;
        var guarded = bodyRelease >= 0 ? bodyRelease : body.Length;
        for (var k = 0; k < guarded; k++)
        {
            foreach (var node in LockPrimitives.InThisFunction(body[k]))
            {
                if (node is IReturnOperation { Kind: OperationKind.Return, IsImplicit: false })
                    return $"the try returns at line {Line(node)}, before {ReleaseWords(bodyRelease >= 0 ? body[bodyRelease] : statements[afterRelease])}";
            }
        }

        if (Enumerable.Range(0, guarded).Any(k => !FaultFreeWork.CannotThrowOrLeave(body[k])))
        {
            var handlesAll = false;
            for (var c = 0; c < catchReleases.Length && !handlesAll; c++)
            {
                var clause = @try.Catches[c];
                handlesAll = clause.Filter is null && CancellationHandlers.IsCatchAll(clause, types);
                var handler = clause.Handler.Operations;
                if (catchReleases[c] >= 0)
                {
                    if (Enumerable.Range(0, catchReleases[c]).Any(k => !FaultFreeWork.CannotThrowOrLeave(handler[k])))
                        return $"the code of the catch at line {Line(clause)} throws before its release at line {Line(handler[catchReleases[c]])}";
                }
                else if (afterRelease < 0 || !CarriesOn(clause))
                {
                    return bodyRelease >= 0
                        ? $"the code before its release at line {Line(body[bodyRelease])} throws and the catch at line {Line(clause)} does not release it"
                        : $"the try throws and the catch at line {Line(clause)} does not release it";
                }
            }
            if (!handlesAll)
            {
                return (bodyRelease >= 0, catchReleases.Length == 0) switch
                {
                    (true, true) => $"the code in the try before its release at line {Line(body[bodyRelease])} throws",
                    (true, false) => $"the code before its release at line {Line(body[bodyRelease])} throws an exception no catch handles",
                    _ => $"the try throws an exception no catch handles, before the release at line {Line(statements[afterRelease])}",
                };
            }
        }

        if (afterRelease >= 0)
        {
            for (var k = index + 1; k < afterRelease; k++)
            {
                if (!FaultFreeWork.CannotThrowOrLeave(statements[k]))
                    return $"the code after the try throws before the release at line {Line(statements[afterRelease])}";
            }
        }
        return null;
    }

    private static string ReleaseWords(IOperation release) => $"the release at line {Line(release)}";

    private static int Line(IOperation operation) => operation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    private const int Ambiguous = -2;

    /// <summary>
    /// The index of the first statement from <paramref name="start"/> that releases the lock as a whole; -1 when none does,
    /// <see cref="Ambiguous"/> when one before it takes or releases the lock some other way (nested, in a condition).
    /// </summary>
    private static int IndexOfRelease(LockPrimitives primitives, ImmutableArray<IOperation> statements, int start, IOperation lockExpression)
    {
        for (var k = start; k < statements.Length; k++)
        {
            if (primitives.TryGetStatementRelease(statements[k]) is { } released && LockPrimitives.SameLock(released, lockExpression))
                return k;
            if (primitives.ReleasesAnywhere(statements[k], lockExpression) || primitives.FindAcquisitionOf(statements[k], lockExpression) is not null)
                return Ambiguous;
        }
        return -1;
    }

    /// <summary>A catch that ends without leaving (no throw, return, break or continue last) carries on after the try.</summary>
    private static bool CarriesOn(ICatchClauseOperation clause)
        => clause.Handler.Operations.LastOrDefault() is not (IThrowOperation or IReturnOperation or IBranchOperation)
            && !(clause.Handler.Operations.LastOrDefault() is IExpressionStatementOperation { Operation: IThrowOperation });

    /// <summary>A try around this one (in the same function) that releases the lock in a catch or its finally: the author handles the failure there.</summary>
    private static bool ReleasedAroundIt(LockPrimitives primitives, ITryOperation @try, IOperation lockExpression)
    {
        foreach (var ancestor in @try.Ancestors())
        {
            if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return false;
            if (ancestor is ITryOperation outer
                && (outer.Finally is { } @finally && primitives.ReleasesAnywhere(@finally, lockExpression)
                    || outer.Catches.Any(clause => primitives.ReleasesAnywhere(clause.Handler, lockExpression))))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The release is the body's last statement, or only <c>return value;</c> of a plain value follows it, and no catch
    /// releases: in the finally it runs at the same point on the success path (before the finally's own clean-up), and
    /// after the catch on the failing one.
    /// </summary>
    private static bool CanMoveToFinally(ITryOperation @try, int bodyRelease, int[] catchReleases)
    {
        var body = @try.Body.Operations;
        if (catchReleases.Any(c => c >= 0) || @try.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.TryStatementSyntax)
            return false;
        for (var k = bodyRelease + 1; k < body.Length; k++)
        {
            if (!(body[k] is IReturnOperation { Kind: OperationKind.Return } ret && (ret.ReturnedValue is null || FaultFreeWork.IsPlainValue(ret.ReturnedValue))))
                return false;
        }
        // A release that reads a local of the try (_gate.Release(count)) would not compile in the finally.
        foreach (var node in body[bodyRelease].Descendants())
        {
            if (node is ILocalReferenceOperation { Local: var local } && !local.IsConst && @try.Body.Locals.Contains(local, SymbolEqualityComparer.Default))
                return false;
        }
        return true;
    }
}
