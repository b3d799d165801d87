using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP1003: a synchronous call in async code whose awaitable <c>NameAsync</c> counterpart exists
/// (file and stream I/O, HttpClient.Send, DbCommand.Execute*, SemaphoreSlim.Wait...) blocks the
/// thread for the whole I/O.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class AsyncCounterpartAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the counterpart's name.</summary>
    internal const string CounterpartProperty = "Counterpart";

    /// <summary>Diagnostic property: the counterpart's CancellationToken parameter name, when it has one.</summary>
    internal const string TokenParameterProperty = "TokenParameter";

    /// <summary>Diagnostic property: present when the counterpart's token parameter has no default value.</summary>
    internal const string TokenRequiredProperty = "TokenRequired";

    /// <summary>Diagnostic property: present when a named argument of the call names no parameter of the counterpart (no fix then).</summary>
    internal const string UnboundArgumentProperty = "UnboundArgument";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.AsyncCounterpartInAsyncCode,
        title: "Call the awaitable counterpart in async code",
        messageFormat: "'{0}' blocks the thread in {1}; use 'await {2}'",
        category: RuleCategories.Blocking,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "The synchronous call holds the current thread for the whole operation (disk, network, a lock) although an "
            + "awaitable form with the same parameters exists. Await that form so the thread serves other work meanwhile. "
            + "In-memory types, test assertions and a shipped list of methods whose async form brings nothing are not reported; "
            + "extend or replace the list with dotnet_code_quality.AP1003.excluded_symbol_names.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.AsyncCounterpartInAsyncCode));

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
            var exclusions = ExclusionsPerFile(start.Options, DiagnosticIds.AsyncCounterpartInAsyncCode);
            start.RegisterOperationAction(c => Analyze(c, types, exclusions), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> fileExclusions)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (!AsyncCode.TryGetContext(invocation, context.ContainingSymbol, types, out var asyncCode) || AsyncCode.IsOffloaded(asyncCode, types))
            return;

        // A catch that ends by throwing tears down after a failure; the awaited work is over (AP1004 skips it too).
        if (OperationTree.IsInFailureCleanup(invocation))
            return;

        var exclusions = fileExclusions.For(invocation.Syntax.SyntaxTree);
        if (SyncApiCalls.FindCounterpart(invocation, types, exclusions, asyncCode.Function) is not { } counterpart
            || AsyncCode.IsDualModeCode(invocation, asyncCode)
            || SyncApiCalls.OnlyTouchesMemory(invocation, types, exclusions))
            return;

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[CounterpartProperty] = counterpart.Name;
        if (HasUnboundNamedArgument(invocation, counterpart))
            properties[UnboundArgumentProperty] = "true";
        var parameters = counterpart.Parameters;
        if (parameters.Length > 0 && CancellationTokens.IsCancellationToken(parameters[parameters.Length - 1].Type, types)
            && !(invocation.TargetMethod.Parameters.Length > 0 && invocation.TargetMethod.Parameters[invocation.TargetMethod.Parameters.Length - 1].IsParams)
            && !FillsLastParameter(invocation, counterpart))
        {
            var tokenParameter = parameters[parameters.Length - 1];
            properties[TokenParameterProperty] = tokenParameter.Name;
            // Without a token to pass, an overload that takes none serves as well as CancellationToken.None.
            if (!tokenParameter.IsOptional && !HasTokenlessOverload(counterpart, invocation.TargetMethod))
                properties[TokenRequiredProperty] = "true";
            if (CancellationTokens.TryFindInScope(invocation, context.ContainingSymbol, types, out var token))
                properties[DiagnosticProperties.CancellationToken] = token.Expression;
        }
        if (!asyncCode.Function.IsAsync)
            properties[DiagnosticProperties.MakeEnclosingAsync] = "true";

        var method = invocation.TargetMethod;
        context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties.ToImmutable(),
            SymbolNames.Qualified(method), asyncCode.Describe(), SymbolNames.Qualified(counterpart.ReducedFrom ?? counterpart)));
    }

    /// <summary>
    /// Whether the call's arguments, kept as they are in the renamed call, already fill the counterpart's
    /// last parameter (its token): <c>Send(request, ct)</c> to <c>SendAsync(request, ct)</c>, <c>Wait(ct)</c> to
    /// <c>WaitAsync(ct)</c>. Positional arguments bind by place, named ones by name, as the compiler binds
    /// them; a named argument the counterpart has no parameter for counts as filling it (no token is added then).
    /// </summary>
    private static bool FillsLastParameter(IInvocationOperation invocation, IMethodSymbol counterpart)
    {
        if (invocation.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax)
            return true;
        var parameters = counterpart.Parameters;
        // A static extension sibling (FirstAsync(this IQueryable<T>, ...)) called in reduced form: the receiver fills its first parameter.
        var offset = counterpart is { IsExtensionMethod: true, MethodKind: MethodKind.Ordinary } && invocation.TargetMethod.IsExtensionMethod
            && invocation.Arguments.Length > 0 && invocation.Arguments[0].Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax ? 1 : 0;
        var last = parameters.Length - 1;
        var arguments = syntax.ArgumentList.Arguments;
        for (var i = 0; i < arguments.Count; i++)
        {
            var filled = arguments[i].NameColon is { } name
                ? IndexOfParameter(parameters, name.Name.Identifier.ValueText)
                : i + offset;
            if (filled == last || filled < 0)
                return true;
        }
        return false;
    }

    private static bool HasUnboundNamedArgument(IInvocationOperation invocation, IMethodSymbol counterpart)
    {
        if (invocation.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax syntax)
            return false;
        foreach (var argument in syntax.ArgumentList.Arguments)
        {
            if (argument.NameColon is { } name && IndexOfParameter(counterpart.Parameters, name.Name.Identifier.ValueText) < 0)
                return true;
        }
        return false;
    }

    private static int IndexOfParameter(ImmutableArray<IParameterSymbol> parameters, string name)
    {
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Name == name)
                return i;
        }
        return -1;
    }

    private static bool HasTokenlessOverload(IMethodSymbol counterpart, IMethodSymbol method)
    {
        foreach (var member in counterpart.ContainingType.GetMembers(counterpart.Name))
        {
            if (member is IMethodSymbol overload && overload.Parameters.Length == counterpart.Parameters.Length - 1 && overload.Parameters.Length == method.Parameters.Length)
                return true;
        }
        return false;
    }

    /// <summary>The shipped exclusions (unless turned off) plus the ones the user lists, for each file, as <paramref name="ruleId"/> reads them.</summary>
    internal static PerFileOptions<SymbolNameList> ExclusionsPerFile(AnalyzerOptions options, string ruleId)
    {
        var configured = OptionCatalog.ExcludedSymbolNames.Reader(options, ruleId);
        var useDefaults = OptionCatalog.UseDefaultExclusions.Reader(options, ruleId);
        return new PerFileOptions<SymbolNameList>(tree => useDefaults(tree) ? SyncApiCalls.DefaultExclusions.Union(configured(tree)) : configured(tree));
    }
}
