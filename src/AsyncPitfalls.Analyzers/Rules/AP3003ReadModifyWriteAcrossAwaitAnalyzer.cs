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
        defaultSeverity: DiagnosticSeverity.Warning,
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
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ReadModifyWriteAcrossAwait);
            start.RegisterOperationBlockAction(block =>
            {
                foreach (var body in block.OperationBlocks)
                    new SplitWriteFinder(primitives, block, body).Walk(body, block.OwningSymbol);
            });
        });
    }

    private sealed class SplitWriteFinder : HeldLockWalker
    {
        private readonly OperationBlockAnalysisContext _context;
        private readonly IOperation _body;

        public SplitWriteFinder(LockPrimitives primitives, OperationBlockAnalysisContext context, IOperation body)
            : base(primitives)
        {
            _context = context;
            _body = body;
        }

        protected override void OnOperation(IOperation operation, HeldLock? held)
        {
            if (held is not null || operation is not IAssignmentOperation { Target: var target } assignment || SharedMember(target) is not { } member)
                return;

            IOperation? read = null;
            IAwaitOperation? awaited = null;
            switch (assignment)
            {
                case ICompoundAssignmentOperation compound:
                    read = compound.Target;
                    awaited = FirstAwait(compound.Value);
                    break;
                case ISimpleAssignmentOperation simple:
                    awaited = FirstAwait(simple.Value);
                    read = simple.Value.Descendants().FirstOrDefault(o => SharedMember(o) is { } m && SymbolEqualityComparer.Default.Equals(m, member)
                        && awaited is not null && o.Syntax.SpanStart < awaited.Syntax.SpanStart);
                    if (read is null)
                        (read, awaited) = ReadThroughLocal(simple, member);
                    break;
            }
            if (read is null || awaited is null)
                return;

            var properties = assignment is ICompoundAssignmentOperation && TaskWaits.Unwrap(((ICompoundAssignmentOperation)assignment).Value) is IAwaitOperation
                ? ImmutableDictionary<string, string?>.Empty.Add(CompoundProperty, "true")
                : ImmutableDictionary<string, string?>.Empty;
            var line = awaited.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            _context.ReportDiagnostic(Diagnostic.Create(Rule, assignment.Syntax.GetLocation(), properties,
                member.Name, line, AsyncCode.DescribeEnclosingFunction(assignment, _context.OwningSymbol)));
        }

        /// <summary><c>var v = _n; await ...; _n = f(v);</c>: the local's initializer reads the member, an await lies between.</summary>
        private (IOperation? Read, IAwaitOperation? Await) ReadThroughLocal(ISimpleAssignmentOperation assignment, ISymbol member)
        {
            foreach (var local in assignment.Value.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
            {
                var declarator = _body.Descendants().OfType<IVariableDeclaratorOperation>()
                    .FirstOrDefault(d => SymbolEqualityComparer.Default.Equals(d.Symbol, local.Local));
                if (declarator?.Initializer?.Value is not { } initializer)
                    continue;
                var read = initializer.DescendantsAndSelf().FirstOrDefault(o => SharedMember(o) is { } m && SymbolEqualityComparer.Default.Equals(m, member));
                if (read is null)
                    continue;
                var start = declarator.Syntax.Span.End;
                var end = assignment.Syntax.SpanStart;
                var awaited = _body.Descendants().OfType<IAwaitOperation>().FirstOrDefault(a => a.Syntax.SpanStart > start && a.Syntax.SpanStart < end
                    && SameFunction(a, assignment));
                if (awaited is not null)
                    return (read, awaited);
            }
            return (null, null);
        }

        private IAwaitOperation? FirstAwait(IOperation value)
            => value.DescendantsAndSelf().OfType<IAwaitOperation>().FirstOrDefault(a => SameFunction(a, value));

        private bool SameFunction(IOperation a, IOperation b)
            => SymbolEqualityComparer.Default.Equals(AsyncCode.EnclosingFunction(a, _context.OwningSymbol), AsyncCode.EnclosingFunction(b, _context.OwningSymbol));

        /// <summary>A field or property of this object or a static one: state other calls share. Locals and parameters are not.</summary>
        private static ISymbol? SharedMember(IOperation operation) => TaskWaits.Unwrap(operation) switch
        {
            IFieldReferenceOperation { Field: { IsConst: false } field } reference when reference.Instance is null or IInstanceReferenceOperation => field,
            IPropertyReferenceOperation { Arguments.IsEmpty: true } reference when reference.Instance is null or IInstanceReferenceOperation => reference.Property,
            _ => null,
        };
    }
}
