using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using System.Linq;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4005: in async code, a resource that implements IAsyncDisposable is disposed synchronously
/// (<c>using</c>, or a <c>Dispose()</c> call): its asynchronous clean-up (flushing a stream, closing
/// a connection) runs blocking, or not at all.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SyncDisposeOfAsyncDisposableAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Types whose synchronous Dispose is cheap although they also implement IAsyncDisposable.</summary>
    internal static readonly SymbolNameList DefaultCheapDisposeTypes = SymbolNameList.Of(
        "System.Threading.CancellationTokenRegistration",
        "System.IO.MemoryStream",
        "System.IO.UnmanagedMemoryStream",
        "System.Threading.Timer",
        "System.Threading.ITimer",
        "System.Threading.PeriodicTimer",
        // A command or batch holds no connection of its own: its Dispose does no I/O in SqlClient, Npgsql,
        // MySqlConnector or SQLite (the reader and the connection do, and stay reported).
        "System.Data.Common.DbCommand",
        "System.Data.Common.DbBatch");

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.SyncDisposeOfAsyncDisposable,
        title: "Use await using for IAsyncDisposable resources in async code",
        messageFormat: "'{0}' ({1}) implements IAsyncDisposable but is disposed synchronously in {2}: its asynchronous clean-up blocks the thread; use 'await using'",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Types that implement IAsyncDisposable have clean-up that does I/O (flushing buffered writes, closing a "
            + "connection gracefully). Disposing them with a plain using runs that clean-up synchronously, blocking the thread "
            + "in the middle of async code. Use await using. Types whose synchronous Dispose is cheap are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.SyncDisposeOfAsyncDisposable));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.IAsyncDisposable is null)
                return;
            var cheap = OptionCatalog.CheapDisposeTypes.PerFile(start.Options, DiagnosticIds.SyncDisposeOfAsyncDisposable);
            start.RegisterOperationAction(c => AnalyzeUsing(c, types, cheap), OperationKind.Using, OperationKind.UsingDeclaration);
            start.RegisterOperationAction(c => AnalyzeDisposeCall(c, types, cheap), OperationKind.Invocation);
        });
    }

    private static void AnalyzeUsing(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap)
    {
        var (isAsynchronous, resources) = context.Operation switch
        {
            IUsingOperation @using => (@using.IsAsynchronous, @using.Resources),
            IUsingDeclarationOperation declaration => (declaration.IsAsynchronous, (IOperation)declaration.DeclarationGroup),
            _ => (true, null!),
        };
        if (isAsynchronous || !InAsyncFunction(context))
            return;

        foreach (var node in resources.DescendantsAndSelf())
        {
            if (node is IVariableDeclaratorOperation declarator && IsReportable(declarator.Symbol.Type, context, types, cheap)
                && !OpensForReadingOnly(declarator.GetVariableInitializer()?.Value))
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, UsingKeyword(context.Operation) ?? declarator.Syntax.GetLocation(),
                    declarator.Symbol.Name, declarator.Symbol.Type.Name, AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
                return;
            }
        }
    }

    private static void AnalyzeDisposeCall(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap)
    {
        var invocation = (IInvocationOperation)context.Operation;
        // An object disposing itself (DisposeAsync finishing with the synchronous part, Dispose()) has no 'await using' to write.
        if (invocation.TargetMethod is not { Name: "Dispose", Parameters.IsEmpty: true } || invocation.Instance is not { } instance
            || instance is IInstanceReferenceOperation || !IsReportable(instance.Type, context, types, cheap) || !InAsyncFunction(context)
            || IsAbandonedAfterFailure(invocation, instance.Type!) || IsSynchronousModeBranch(invocation, context, types))
            return;
        var name = OperationNames.TryGetName(instance) ?? instance.Type!.Name;
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(),
            name, instance.Type!.Name, AsyncCode.DescribeEnclosingFunction(invocation, context.ContainingSymbol)));
    }

    private static bool IsReportable(ITypeSymbol? type, OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap)
    {
        if (type is null || !type.AllInterfaces.Contains(types.IAsyncDisposable!, SymbolEqualityComparer.Default) && !SymbolEqualityComparer.Default.Equals(type, types.IAsyncDisposable))
            return false;
        return !IsOrDerivesFrom(type, DefaultCheapDisposeTypes) && !IsOrDerivesFrom(type, cheap.For(context.Operation.Syntax.SyntaxTree));
    }

    /// <summary>
    /// A file opened for reading (<c>File.OpenRead</c>, <c>FileAccess.Read</c>) has no buffered writes to flush:
    /// its asynchronous clean-up is the synchronous one.
    /// </summary>
    private static bool OpensForReadingOnly(IOperation? initializer)
    {
        switch (OperationTree.Unwrap(initializer))
        {
            case IInvocationOperation { TargetMethod: { Name: "OpenRead" } method } when FileApis.ContainsType(method.ContainingType):
                return true;
            case IObjectCreationOperation { Constructor: { } constructor } creation when FileApis.ContainsType(constructor.ContainingType):
                foreach (var argument in creation.Arguments)
                {
                    if (argument.Value.Type?.Name == "FileAccess" && argument.Value.ConstantValue is { HasValue: true, Value: 1 })
                        return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// A stream or a data reader dropped in a catch: the operation has failed and its data is abandoned, so there
    /// is nothing worth flushing or draining. A connection dropped there is still reported: its close is a
    /// protocol exchange (RabbitMQ's Connection, StackExchange.Redis's multiplexer) that blocks the thread.
    /// </summary>
    private static bool IsAbandonedAfterFailure(IOperation operation, ITypeSymbol type)
    {
        if (!IsOrDerivesFrom(type, AbandonableAfterFailure))
            return false;
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is ICatchClauseOperation)
                return true;
            if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return false;
        }
        return false;
    }

    private static readonly SymbolNameList FileApis = SymbolNameList.Of("System.IO.File", "System.IO.FileInfo", "System.IO.FileStream");

    private static readonly SymbolNameList AbandonableAfterFailure = SymbolNameList.Of("System.IO.Stream", "System.Data.Common.DbDataReader");

    private static bool IsOrDerivesFrom(ITypeSymbol type, SymbolNameList names)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (names.ContainsType(current))
                return true;
        }
        return false;
    }

    /// <summary>
    /// One body serving both modes (<c>if (async) await x.DisposeAsync(); else x.Dispose();</c>): the
    /// synchronous Dispose runs only for callers that asked for the synchronous mode.
    /// </summary>
    private static bool IsSynchronousModeBranch(IOperation operation, OperationAnalysisContext context, KnownTypes types)
        => AsyncCode.TryGetContext(operation, context.ContainingSymbol, types, out var asyncContext) && AsyncCode.IsDualModeCode(operation, asyncContext);

    /// <summary>Only an async function can write 'await using'.</summary>
    private static bool InAsyncFunction(OperationAnalysisContext context)
        => AsyncCode.EnclosingFunction(context.Operation, context.ContainingSymbol) is { IsAsync: true };

    private static Location? UsingKeyword(IOperation operation) => operation.Syntax switch
    {
        UsingStatementSyntax statement => statement.UsingKeyword.GetLocation(),
        LocalDeclarationStatementSyntax declaration when declaration.UsingKeyword != default => declaration.UsingKeyword.GetLocation(),
        _ => operation.Syntax.Parent is LocalDeclarationStatementSyntax parent && parent.UsingKeyword != default ? parent.UsingKeyword.GetLocation() : null,
    };
}
