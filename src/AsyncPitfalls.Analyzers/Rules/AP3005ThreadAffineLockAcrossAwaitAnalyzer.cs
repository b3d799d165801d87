using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP3005: an await while a thread-affine lock (Monitor, Mutex, ReaderWriterLockSlim,
/// System.Threading.Lock) is held. The code after the await may resume on another thread, which
/// does not own the lock: the release throws (SynchronizationLockException, ApplicationException)
/// or the lock is never released. The compiler rejects await inside <c>lock</c>; these are the
/// shapes it cannot see.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThreadAffineLockAcrossAwaitAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ThreadAffineLockAcrossAwait,
        title: "Do not hold a thread-affine lock across an await",
        messageFormat: "'await' while holding {0} ({1}): the code after it may resume on another thread, which does not own the lock; use 'SemaphoreSlim.WaitAsync'",
        category: RuleCategories.Locking,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Monitor, Mutex, ReaderWriterLockSlim and System.Threading.Lock belong to the thread that took them. After an "
            + "await the method usually continues on a different thread-pool thread, so releasing the lock there throws, and "
            + "other threads can never take it. SemaphoreSlim.WaitAsync/Release has no thread affinity and can be awaited.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ThreadAffineLockAcrossAwait));

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
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ThreadAffineLockAcrossAwait);
            // Only bodies whose text names a thread-affine acquisition get the held-lock walk (a lock
            // statement cannot contain an await); the rest cost a scan of their text. One block action,
            // not per-body registrations: those allocate on every body of the program. The report is at
            // the await, inside the block, where the IDE keeps it.
            start.RegisterOperationBlockAction(block =>
            {
                foreach (var body in block.OperationBlocks)
                {
                    if (SourceWords.MayMention(body.Syntax, LockPrimitives.ThreadAffineAcquireWords))
                        new AwaitFinder(primitives, block).Walk(body, block.OwningSymbol);
                }
            });
        });
    }

    private sealed class AwaitFinder : HeldLockWalker
    {
        private readonly OperationBlockAnalysisContext _context;
        private readonly HashSet<LockAcquisition> _reported = new();

        public AwaitFinder(LockPrimitives primitives, OperationBlockAnalysisContext context)
            : base(primitives)
            => _context = context;

        protected override void OnOperation(IOperation operation, HeldLock? held)
        {
            if (operation is not IAwaitOperation || held is null)
                return;
            foreach (var acquisition in HeldLock.Enumerate(held))
            {
                // One report per acquisition, at the first await that crosses it.
                if (!acquisition.IsThreadAffine || acquisition.Operation is ILockOperation || !_reported.Add(acquisition))
                    continue;
                _context.Report(Diagnostic.Create(Rule, operation.Syntax.GetLocation(),
                    acquisition.Describe(_context.OwningSymbol.ContainingType), Primitive(acquisition.Kind)));
            }
        }

        private static string Primitive(LockKind kind) => kind switch
        {
            LockKind.Mutex => "Mutex",
            LockKind.ReaderWriter => "ReaderWriterLockSlim",
            LockKind.ThreadingLock => "System.Threading.Lock",
            _ => "Monitor",
        };
    }
}
