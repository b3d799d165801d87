using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
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
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var primitives = LockPrimitives.Create(types, start.Options, DiagnosticIds.ThreadAffineLockAcrossAwait);
            // Only bodies that take a thread-affine lock by a call (a lock statement cannot contain an
            // await) get the held-lock walk; the rest cost a type test per call. The report is at the
            // await, so it comes from the block end: the IDE keeps an operation's diagnostics inside it.
            start.RegisterOperationBlockStartAction(blockStart =>
            {
                var takesThreadAffineLock = new StrongBox<bool>();
                blockStart.RegisterOperationAction(c =>
                {
                    if (!takesThreadAffineLock.Value && primitives.TryGetAcquisition(c.Operation) is { IsThreadAffine: true })
                        takesThreadAffineLock.Value = true;
                }, OperationKind.Invocation);
                blockStart.RegisterOperationBlockEndAction(block =>
                {
                    if (!takesThreadAffineLock.Value)
                        return;
                    foreach (var body in block.OperationBlocks)
                        new AwaitFinder(primitives, block).Walk(body, block.OwningSymbol);
                });
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
                _context.ReportDiagnostic(Diagnostic.Create(Rule, operation.Syntax.GetLocation(),
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
