using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3003: a field or property of the object (or a static one) is read, an await happens, and the
/// value computed from the old read is written back. Another caller can update the member during
/// the await; its update is lost. Shapes: <c>_n += await F()</c> (the compound assignment reads
/// <c>_n</c> first), <c>_n = _n + await F()</c>, and <c>var v = _n; await ...; _n = v + 1;</c>.
/// </summary>
/// <remarks>Not reported while a lock, semaphore or async lock is held (the shared held-lock walk decides).</remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ReadModifyWriteAcrossAwaitAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Set on the compound-assignment shape, the one the fix rewrites.</summary>
    internal const string CompoundProperty = "AP3003.Compound";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ReadModifyWriteAcrossAwait,
        title: "Do not split a read-modify-write of shared state with an await",
        messageFormat: "'{0}' is read before the await at line {1} and written after it in {2}: an update made by another caller during the await is lost",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "While a method awaits, other calls run. When it writes back a value it computed from a read made before the "
            + "await, every change other callers made in between is overwritten: ten concurrent increments can end at 1. Await "
            + "first and read-modify-write after, under a SemaphoreSlim, or with Interlocked.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ReadModifyWriteAcrossAwait));

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ReadModifyWriteAcrossAwait);
            start.RegisterOperationAction(c => Analyze(c, primitives), OperationKind.SimpleAssignment, OperationKind.CompoundAssignment);
        });
    }

    /// <summary>
    /// A write to a shared member with a read and an await before it starts the search; only then does
    /// the held-lock walk of the body run, so bodies without the shape cost one type test per assignment.
    /// </summary>
    private static void Analyze(OperationAnalysisContext context, LockPrimitives primitives)
    {
        var assignment = (IAssignmentOperation)context.Operation;
        if (SharedMember(assignment.Target) is not { } member)
            return;

        // Only an async function can await between the read and the write.
        var function = AsyncCode.EnclosingFunction(assignment, context.ContainingSymbol);
        if (function is { IsAsync: false } && !AsyncCode.IsTopLevelStatementsEntryPoint(function))
            return;
        IOperation? read = null;
        IAwaitOperation? awaited = null;
        switch (assignment)
        {
            case ICompoundAssignmentOperation compound:
                read = compound.Target;
                awaited = FirstAwait(compound.Value, function, context.ContainingSymbol);
                break;
            case ISimpleAssignmentOperation simple:
                awaited = FirstAwait(simple.Value, function, context.ContainingSymbol);
                read = awaited is null ? null : simple.Value.Descendants().FirstOrDefault(o => SharedMember(o) is { } m && SymbolEqualityComparer.Default.Equals(m, member)
                    && o.Syntax.SpanStart < awaited.Syntax.SpanStart);
                if (read is null)
                    (read, awaited) = ReadThroughLocal(simple, member, function, context.ContainingSymbol);
                break;
        }
        if (read is null || awaited is null || HeldLockWalker.HeldAt(primitives, assignment, context.ContainingSymbol) is not null)
            return;

        var properties = assignment is ICompoundAssignmentOperation { Value: var value } && OperationTree.Unwrap(value) is IAwaitOperation
            ? ImmutableDictionary<string, string?>.Empty.Add(CompoundProperty, "true")
            : ImmutableDictionary<string, string?>.Empty;
        var line = awaited.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
        context.Report(Diagnostic.Create(Rule, assignment.Syntax.GetLocation(), properties,
            member.Name, line, AsyncCode.DescribeEnclosingFunction(assignment, context.ContainingSymbol)));
    }

    /// <summary><c>var v = _n; await ...; _n = f(v);</c>: the local's initializer reads the member, an await lies between.</summary>
    private static (IOperation? Read, IAwaitOperation? Await) ReadThroughLocal(ISimpleAssignmentOperation assignment, ISymbol member, IMethodSymbol? function, ISymbol containingSymbol)
    {
        IOperation? body = null;
        foreach (var local in assignment.Value.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
        {
            body ??= OperationTree.Root(assignment);
            var declarator = body.Descendants().OfType<IVariableDeclaratorOperation>()
                .FirstOrDefault(d => SymbolEqualityComparer.Default.Equals(d.Symbol, local.Local));
            if (declarator?.Initializer?.Value is not { } initializer)
                continue;
            var read = initializer.DescendantsAndSelf().FirstOrDefault(o => SharedMember(o) is { } m && SymbolEqualityComparer.Default.Equals(m, member));
            if (read is null)
                continue;
            var start = declarator.Syntax.Span.End;
            var end = assignment.Syntax.SpanStart;
            var awaited = body.Descendants().OfType<IAwaitOperation>().FirstOrDefault(a => a.Syntax.SpanStart > start && a.Syntax.SpanStart < end
                && InFunction(a, function, containingSymbol));
            if (awaited is not null)
                return (read, awaited);
        }
        return (null, null);
    }

    /// <summary>The first await in <paramref name="value"/> that suspends <paramref name="function"/> itself (not a lambda inside it).</summary>
    private static IAwaitOperation? FirstAwait(IOperation value, IMethodSymbol? function, ISymbol containingSymbol)
        => value.DescendantsAndSelf().OfType<IAwaitOperation>().FirstOrDefault(a => InFunction(a, function, containingSymbol));

    private static bool InFunction(IOperation operation, IMethodSymbol? function, ISymbol containingSymbol)
        => SymbolEqualityComparer.Default.Equals(AsyncCode.EnclosingFunction(operation, containingSymbol), function);

    /// <summary>A field or property of this object or a static one: state other calls share. Locals and parameters are not.</summary>
    private static ISymbol? SharedMember(IOperation operation) => OperationTree.Unwrap(operation) switch
    {
        IFieldReferenceOperation { Field: { IsConst: false } field } reference when reference.Instance is null or IInstanceReferenceOperation => field,
        IPropertyReferenceOperation { Arguments.IsEmpty: true } reference when reference.Instance is null or IInstanceReferenceOperation => reference.Property,
        _ => null,
    };
}
