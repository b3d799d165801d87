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
        description: Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.SyncDisposeOfAsyncDisposable));

    private const string Description = "Types that implement IAsyncDisposable have clean-up that does I/O (flushing buffered writes, closing a "
        + "connection gracefully). Disposing them with a plain using runs that clean-up synchronously, blocking the thread "
        + "in the middle of async code. Use await using. Types whose synchronous Dispose is cheap are not reported.";

    /// <summary>
    /// The same rule for <c>using var scope = factory.CreateScope()</c> where <c>CreateAsyncScope()</c> exists
    /// (Microsoft.Extensions.DependencyInjection 6 and later): IServiceScope is not IAsyncDisposable, the scope behind it is.
    /// </summary>
    internal static readonly DiagnosticDescriptor ScopeRule = new(
        id: DiagnosticIds.SyncDisposeOfAsyncDisposable,
        title: Rule.Title,
        messageFormat: "'{0}' from {1} is disposed synchronously in {2}: a scope's Dispose blocks on the asynchronous clean-up of its services, and throws for a service that is only IAsyncDisposable; use 'await using' with CreateAsyncScope()",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.SyncDisposeOfAsyncDisposable));

    /// <summary>The same rule for a type with a <c>DisposeAsync()</c> method by pattern but no IAsyncDisposable: 'await using' calls it.</summary>
    internal static readonly DiagnosticDescriptor PatternRule = new(
        id: DiagnosticIds.SyncDisposeOfAsyncDisposable,
        title: Rule.Title,
        messageFormat: "'{0}' ({1}) has a DisposeAsync method but is disposed synchronously in {2}: its asynchronous clean-up never runs; use 'await using', which calls '{3}'",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: Description,
        helpLinkUri: HelpLinks.For(DiagnosticIds.SyncDisposeOfAsyncDisposable));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, ScopeRule, PatternRule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.IAsyncDisposable is null)
                return;
            var cheap = OptionCatalog.CheapDisposeTypes.PerFile(start.Options, DiagnosticIds.SyncDisposeOfAsyncDisposable);
            var scopes = ServiceScopes.Create(start.Compilation);
            start.RegisterOperationAction(c => AnalyzeUsing(c, types, cheap, scopes), OperationKind.Using, OperationKind.UsingDeclaration);
            start.RegisterOperationAction(c => AnalyzeDisposeCall(c, types, cheap), OperationKind.Invocation);
        });
    }

    private static void AnalyzeUsing(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap, ServiceScopes? scopes)
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
                && !LeavesNothingToFlush(declarator, context.Operation))
            {
                context.Report(Diagnostic.Create(Rule, UsingKeyword(context.Operation) ?? declarator.Syntax.GetLocation(),
                    declarator.Symbol.Name, declarator.Symbol.Type.Name, AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
                return;
            }
            if (node is IVariableDeclaratorOperation scopeDeclarator && scopes is not null
                && OperationTree.Unwrap(scopeDeclarator.GetVariableInitializer()?.Value) is IInvocationOperation creation && scopes.HasAsyncCounterpart(creation))
            {
                context.Report(Diagnostic.Create(ScopeRule, UsingKeyword(context.Operation) ?? scopeDeclarator.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(DiagnosticProperties.CreateAsyncScope, "true"),
                    scopeDeclarator.Symbol.Name, OperationNames.DescribeProducer(creation), AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol)));
                return;
            }
            if (node is IVariableDeclaratorOperation patternDeclarator && DisposeAsyncByPattern(patternDeclarator.Symbol.Type, types) is { } disposeAsync
                && !IsOrDerivesFrom(patternDeclarator.Symbol.Type, cheap.For(context.Operation.Syntax.SyntaxTree)) && !LeavesNothingToFlush(patternDeclarator, context.Operation))
            {
                context.Report(Diagnostic.Create(PatternRule, UsingKeyword(context.Operation) ?? patternDeclarator.Syntax.GetLocation(),
                    patternDeclarator.Symbol.Name, patternDeclarator.Symbol.Type.Name, AsyncCode.DescribeEnclosingFunction(context.Operation, context.ContainingSymbol),
                    SymbolNames.Qualified(disposeAsync)));
                return;
            }
        }
    }

    /// <summary>
    /// A public, parameterless instance <c>DisposeAsync()</c> returning Task or ValueTask on a type that is not IAsyncDisposable:
    /// 'await using' calls it by pattern, a plain using never does. Not a method that implements another interface's member
    /// (xUnit's <c>IAsyncLifetime.DisposeAsync</c> is a test fixture's lifecycle hook, not the resource's clean-up).
    /// </summary>
    private static IMethodSymbol? DisposeAsyncByPattern(ITypeSymbol type, KnownTypes types)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.AllInterfaces.Contains(types.IAsyncDisposable!, SymbolEqualityComparer.Default))
            return null;
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers("DisposeAsync"))
            {
                if (member is not IMethodSymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public, Parameters.IsEmpty: true, IsGenericMethod: false, ReturnType: var returned } method
                    || !SymbolEqualityComparer.Default.Equals(returned, types.Task) && !SymbolEqualityComparer.Default.Equals(returned, types.ValueTask))
                    continue;
                foreach (var @interface in type.AllInterfaces)
                {
                    foreach (var interfaceMember in @interface.GetMembers("DisposeAsync"))
                    {
                        if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(interfaceMember), method))
                            return null;
                    }
                }
                return method;
            }
        }
        return null;
    }

    /// <summary>
    /// Microsoft.Extensions.DependencyInjection's scopes, resolved once per compilation; null where the compilation has no
    /// <c>AsyncServiceScope</c> (before version 6, <c>CreateAsyncScope()</c> does not exist).
    /// </summary>
    private sealed class ServiceScopes
    {
        private readonly INamedTypeSymbol _scope;
        private readonly INamedTypeSymbol _factory;
        private readonly INamedTypeSymbol _provider;

        private ServiceScopes(INamedTypeSymbol scope, INamedTypeSymbol factory, INamedTypeSymbol provider)
            => (_scope, _factory, _provider) = (scope, factory, provider);

        public static ServiceScopes? Create(Compilation compilation)
            => compilation.GetBestType("Microsoft.Extensions.DependencyInjection.AsyncServiceScope") is not null
                && compilation.GetBestType("Microsoft.Extensions.DependencyInjection.IServiceScope") is { } scope
                && compilation.GetBestType("Microsoft.Extensions.DependencyInjection.IServiceScopeFactory") is { } factory
                && compilation.GetBestType("System.IServiceProvider") is { } provider
                    ? new ServiceScopes(scope, factory, provider)
                    : null;

        /// <summary>
        /// <c>factory.CreateScope()</c> or <c>provider.CreateScope()</c> returning IServiceScope, on a receiver that
        /// <c>CreateAsyncScope()</c> extends: an IServiceScopeFactory or an IServiceProvider.
        /// </summary>
        public bool HasAsyncCounterpart(IInvocationOperation creation)
        {
            if (creation.TargetMethod.Name != "CreateScope" || !SymbolEqualityComparer.Default.Equals(creation.TargetMethod.ReturnType, _scope))
                return false;
            var receiver = creation.TargetMethod.IsExtensionMethod && creation.Instance is null
                ? creation.Arguments.FirstOrDefault()?.Value
                : creation.Instance;
            return OperationTree.Unwrap(receiver)?.Type is { } type && (Is(type, _factory) || Is(type, _provider));
        }

        private static bool Is(ITypeSymbol type, INamedTypeSymbol @interface)
            => SymbolEqualityComparer.Default.Equals(type, @interface) || type.AllInterfaces.Contains(@interface, SymbolEqualityComparer.Default);
    }

    private static void AnalyzeDisposeCall(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap)
    {
        var invocation = (IInvocationOperation)context.Operation;
        // An object disposing itself (DisposeAsync finishing with the synchronous part, Dispose()) has no 'await using' to write.
        if (invocation.TargetMethod is not { Name: "Dispose", Parameters.IsEmpty: true } || invocation.Instance is not { } instance
            || instance is IInstanceReferenceOperation || !IsReportable(instance.Type, context, types, cheap) || !InAsyncFunction(context)
            || IsAbandonedAfterFailure(invocation, instance.Type!) || IsSynchronousModeBranch(invocation, context, types)
            || instance is ILocalReferenceOperation { Local: var local } && IsOnlyRead(local, invocation))
            return;
        var name = OperationNames.TryGetName(instance) ?? instance.Type!.Name;
        context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(),
            name, instance.Type!.Name, AsyncCode.DescribeEnclosingFunction(invocation, context.ContainingSymbol)));
    }

    private static bool IsReportable(ITypeSymbol? type, OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> cheap)
    {
        if (type is null || !type.AllInterfaces.Contains(types.IAsyncDisposable!, SymbolEqualityComparer.Default) && !SymbolEqualityComparer.Default.Equals(type, types.IAsyncDisposable))
            return false;
        return !IsOrDerivesFrom(type, DefaultCheapDisposeTypes) && !IsOrDerivesFrom(type, cheap.For(context.Operation.Syntax.SyntaxTree))
            && !InheritsDisposeAsyncThatCallsDispose(type);
    }

    /// <summary>
    /// A Stream or TextWriter subclass written in this compilation that does not override DisposeAsync: the inherited
    /// one calls Dispose(), so 'await using' runs the same synchronous clean-up. Only source types are trusted to show
    /// every override: reference assemblies leave overrides out (FileStream's DisposeAsync is not in the ref pack).
    /// The base types themselves stay reported: the object behind a <c>Stream</c> is usually one with its own DisposeAsync.
    /// </summary>
    private static bool InheritsDisposeAsyncThatCallsDispose(ITypeSymbol type)
    {
        for (var current = type as INamedTypeSymbol; current is not null && current.TypeKind == TypeKind.Class; current = current.BaseType)
        {
            if (DisposeAsyncCallsDispose.ContainsType(current))
                return !ReferenceEquals(current, type);
            if (current.DeclaringSyntaxReferences.IsEmpty || !current.GetMembers("DisposeAsync").IsEmpty)
                return false;
        }
        return false;
    }

    private static readonly SymbolNameList DisposeAsyncCallsDispose = SymbolNameList.Of("System.IO.Stream", "System.IO.TextWriter");

    /// <summary>
    /// A stream this body only reads from has no buffered writes to flush: every use reads it (Read*, CopyTo* from it,
    /// Seek, its properties), or hands it to something that reads (a *Reader's constructor, a Read*, Deserialize*,
    /// Load* or Parse* method). Handed anywhere else (a writer, a field, another method), it may be written, and stays reported.
    /// </summary>
    private static bool IsOnlyRead(ILocalSymbol local, IOperation operation)
    {
        if (!IsOrDerivesFrom(local.Type, StreamType))
            return false;
        var used = false;
        foreach (var reference in OperationTree.ReferencesTo(local, operation))
        {
            used = true;
            var use = reference.Parent is IConversionOperation { IsImplicit: true } conversion ? conversion.Parent : reference.Parent;
            var reads = use switch
            {
                IInvocationOperation call when ReferenceEquals(OperationTree.Unwrap(call.Instance), reference) => IsReadingMember(call.TargetMethod.Name) || call.TargetMethod.Name == "Dispose",
                IPropertyReferenceOperation => true,
                IArgumentOperation { Parent: IObjectCreationOperation creation } => creation.Type?.Name.EndsWith("Reader", System.StringComparison.Ordinal) == true,
                IArgumentOperation { Parent: IInvocationOperation call } => call.TargetMethod.Name.StartsWith("Deserialize", System.StringComparison.Ordinal)
                    || call.TargetMethod.Name.StartsWith("Load", System.StringComparison.Ordinal) || call.TargetMethod.Name.StartsWith("Parse", System.StringComparison.Ordinal)
                    || call.TargetMethod.Name.StartsWith("Read", System.StringComparison.Ordinal),
                _ => false,
            };
            if (!reads)
                return false;
        }
        return used;
    }

    private static bool IsReadingMember(string name)
        => name.StartsWith("Read", System.StringComparison.Ordinal) || name.StartsWith("CopyTo", System.StringComparison.Ordinal) || name == "Seek";

    private static readonly SymbolNameList StreamType = SymbolNameList.Of("System.IO.Stream");

    private static readonly SymbolNameList MemoryStreamType = SymbolNameList.Of("System.IO.MemoryStream");

    /// <summary>Whether disposing the using's resource synchronously costs nothing that 'await using' would save.</summary>
    private static bool LeavesNothingToFlush(IVariableDeclaratorOperation declarator, IOperation @using)
    {
        var initializer = OperationTree.Unwrap(declarator.GetVariableInitializer()?.Value);
        return OpensForReadingOnly(initializer) || WrapsMemoryOrOnlyReads(initializer)
            || IsOnlyRead(declarator.Symbol, @using) || IsClosedByItsWrapperFirst(declarator.Symbol, @using) || IsFlushedAsynchronouslyLast(declarator, @using);
    }

    /// <summary>
    /// A stream wrapper over a MemoryStream (<c>new GZipStream(buffer, ...)</c>, <c>new CryptoStream(buffer, ...)</c>) finishes
    /// into memory; one created to read (<c>CryptoStreamMode.Read</c>, <c>CompressionMode.Decompress</c>) has nothing to flush.
    /// </summary>
    private static bool WrapsMemoryOrOnlyReads(IOperation? initializer)
    {
        if (initializer is not IObjectCreationOperation { Arguments: { Length: > 0 } arguments } creation || !IsOrDerivesFrom(creation.Type!, StreamType))
            return false;
        if (OperationTree.Unwrap(arguments[0].Value)?.Type is { } inner && IsOrDerivesFrom(inner, MemoryStreamType))
            return true;
        foreach (var argument in arguments)
        {
            // The stream's mode (CryptoStreamMode, CompressionMode), not any enum: FileShare.Read says what others may do.
            if (argument.Parameter?.Name == "mode" && argument.Value.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } mode && argument.Value.ConstantValue is { HasValue: true, Value: { } value }
                && mode.GetMembers().OfType<IFieldSymbol>().Any(field => field.Name is "Read" or "Decompress" && Equals(field.ConstantValue, value)))
                return true;
        }
        return false;
    }

    /// <summary>
    /// <c>using var file = ...; using var writer = new StreamWriter(file);</c>: the writer, disposed first, closes the
    /// stream (its type takes a <c>leaveOpen</c> flag, not set here), so the stream's own Dispose does nothing. The
    /// writer is the one to report, and is.
    /// </summary>
    private static bool IsClosedByItsWrapperFirst(ILocalSymbol local, IOperation @using)
    {
        foreach (var reference in OperationTree.ReferencesTo(local, @using))
        {
            var argument = reference.Parent as IArgumentOperation ?? reference.Parent?.Parent as IArgumentOperation;
            if (argument?.Parent is IObjectCreationOperation { Type: INamedTypeSymbol wrapper } creation
                && wrapper.InstanceConstructors.Any(constructor => constructor.Parameters.Any(parameter => parameter.Name == "leaveOpen"))
                && !creation.Arguments.Any(a => a.Parameter?.Name == "leaveOpen" && a.Value.ConstantValue is not { HasValue: true, Value: false })
                && IsUsingResource(creation))
                return true;
        }
        return false;
    }

    private static bool IsUsingResource(IOperation creation)
    {
        foreach (var ancestor in creation.Ancestors())
        {
            switch (ancestor)
            {
                case IUsingDeclarationOperation:
                    return true;
                case IUsingOperation @using:
                    return @using.Resources.Syntax.Span.Contains(creation.Syntax.Span);
                case IBlockOperation or IExpressionStatementOperation or IInvocationOperation or IAnonymousFunctionOperation:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// The last thing done with the resource is <c>await x.FlushAsync()</c>: what Dispose has left is closing the handle.
    /// Not for a wrapper over another stream (a StreamWriter over a zip entry): its Dispose closes that stream, which may
    /// still write (the entry's header, a compressor's last block).
    /// </summary>
    private static bool IsFlushedAsynchronouslyLast(IVariableDeclaratorOperation declarator, IOperation @using)
        => !(OperationTree.Unwrap(declarator.GetVariableInitializer()?.Value) is IObjectCreationOperation creation
                && creation.Arguments.Any(argument => argument.Value.Type is { } type && IsOrDerivesFrom(type, StreamType)))
            && OperationTree.ReferencesTo(declarator.Symbol, @using).LastOrDefault() is { Parent: IInvocationOperation { TargetMethod.Name: "FlushAsync", Parent: var parent } }
            && OperationTree.Unwrap(parent) is IAwaitOperation or IInvocationOperation { TargetMethod.Name: "ConfigureAwait", Parent: IAwaitOperation };

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
