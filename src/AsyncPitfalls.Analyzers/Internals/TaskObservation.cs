using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>The options of the un-awaited-task rules (AP2001-AP2003), as read for one file.</summary>
internal sealed class TaskObservationOptions
{
    /// <summary>Names of the observe-and-forget helpers every project writes, recognised without configuration.</summary>
    public static readonly SymbolNameList DefaultForgetMethods = SymbolNameList.Of("Forget", "FireAndForget", "SafeFireAndForget", "NoWait", "ObserveErrors", "ObserveExceptions");

    public TaskObservationOptions(SymbolNameList fireAndForgetSafe, SymbolNameList forgetMethods, SymbolNameList additionalAwaitables, bool reportWhereCs4014Reports)
    {
        FireAndForgetSafe = fireAndForgetSafe;
        ForgetMethods = forgetMethods;
        AdditionalAwaitables = additionalAwaitables;
        ReportWhereCs4014Reports = reportWhereCs4014Reports;
    }

    /// <summary>Methods or types whose tasks may be dropped (a logger's async flush).</summary>
    public SymbolNameList FireAndForgetSafe { get; }

    /// <summary>Methods that take a task and observe it (<c>task.Forget()</c>).</summary>
    public SymbolNameList ForgetMethods { get; }

    /// <summary>Types to treat as awaitable although they have no GetAwaiter (a custom job handle).</summary>
    public SymbolNameList AdditionalAwaitables { get; }

    public bool ReportWhereCs4014Reports { get; }

    /// <summary>
    /// One rule's options for each file, read once per file and compilation. Each key may be set for one rule
    /// (<c>dotnet_code_quality.AP2001.forget_method_names</c>) or for every rule that claims it
    /// (<c>dotnet_code_quality.forget_method_names</c>); a rule outside an option's scope gets its default.
    /// </summary>
    public static PerFileOptions<TaskObservationOptions> PerFile(AnalyzerOptions options, string ruleId)
    {
        var safe = OptionCatalog.FireAndForgetSafeSymbols.Reader(options, ruleId);
        var forget = OptionCatalog.ForgetMethodNames.Reader(options, ruleId);
        var awaitables = OptionCatalog.AdditionalAwaitableTypes.Reader(options, ruleId);
        var cs4014 = OptionCatalog.ReportWhereCs4014Reports.Reader(options, ruleId);
        return new PerFileOptions<TaskObservationOptions>(tree => new(
            safe(tree), DefaultForgetMethods.Union(forget(tree)), awaitables(tree), cs4014(tree)));
    }

    /// <summary>Awaitable by the C# pattern, or configured as such (the type or one of its bases).</summary>
    public bool IsAwaitable(KnownTypes types, ITypeSymbol? type)
    {
        if (types.IsAwaitable(type))
            return true;
        for (var current = type; current is not null && !AdditionalAwaitables.IsEmpty; current = current.BaseType)
        {
            if (AdditionalAwaitables.ContainsType(current))
                return true;
        }
        return false;
    }
}

/// <summary>
/// Recognises a project's own observe-and-forget helpers: methods that take a task and attach a
/// continuation to it (<c>ContinueWith</c>, <c>await</c>, <c>GetAwaiter().OnCompleted</c>). Passing
/// a task to one observes it, and code inside one is not reported: a peer's rule was measured
/// spending most of its warnings there.
/// </summary>
internal sealed class ObserveHelpers
{
    private readonly KnownTypes _types;
    private readonly ConcurrentDictionary<IMethodSymbol, bool> _cache = new(SymbolEqualityComparer.Default);

    private readonly ConcurrentDictionary<IMethodSymbol, bool> _forwarders = new(SymbolEqualityComparer.Default);

    private readonly System.Func<IMethodSymbol, bool> _attachesContinuation;
    private readonly System.Func<IMethodSymbol, bool> _forwardsToHelper;

    public ObserveHelpers(KnownTypes types)
    {
        _types = types;
        // A method group converted at the call would be a new delegate on every call.
        _attachesContinuation = AttachesContinuation;
        _forwardsToHelper = ForwardsToHelper;
    }

    public bool IsObserveHelper(IMethodSymbol method, TaskObservationOptions options)
    {
        method = method.ReducedFrom ?? method.OriginalDefinition;
        if (options.ForgetMethods.ContainsMethod(method))
            return TakesAwaitable(method, options);
        return _cache.GetOrAdd(method, _attachesContinuation);
    }

    // A loop, not Any with a lambda: capturing the options would allocate on every call of IsObserveHelper.
    private bool TakesAwaitable(IMethodSymbol method, TaskObservationOptions options)
    {
        foreach (var parameter in method.Parameters)
        {
            if (options.IsAwaitable(_types, parameter.Type))
                return true;
        }
        return false;
    }

    /// <summary>Whether the member being analysed is an observe helper.</summary>
    public bool IsInsideObserveHelper(ISymbol containingSymbol, TaskObservationOptions options)
        => containingSymbol is IMethodSymbol method && IsObserveHelper(method, options);

    /// <summary>
    /// <c>public static Task PipeTo(this Task task, IActor to) =&gt; task.PipeTo(to, useConfigureAwait: false);</c>: an
    /// overload whose whole body hands its task to a same-named overload of its type that is an observe helper for the
    /// same kind of task. Calling it observes the task as the helper does. Read from syntax like the helpers themselves,
    /// since the overloads may be declared in another file; an override or a virtual method may do something else.
    /// </summary>
    public bool ForwardsToObserveHelper(IMethodSymbol method)
    {
        method = method.ReducedFrom ?? method.OriginalDefinition;
        return !method.IsAsync && !method.IsVirtual && !method.IsAbstract && !method.IsOverride && _forwarders.GetOrAdd(method, _forwardsToHelper);
    }

    private bool ForwardsToHelper(IMethodSymbol method)
    {
        var task = method.Parameters.FirstOrDefault(p => _types.IsAwaitable(p.Type));
        if (task is null || method.DeclaringSyntaxReferences.Length != 1
            || method.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
            return false;
        // List patterns need System.Index, which netstandard2.0 lacks.
        var statements = declaration.Body?.Statements;
        var forwarded = declaration.ExpressionBody?.Expression ?? (statements is { Count: 1 } ? statements.Value[0] switch
        {
            ReturnStatementSyntax { Expression: { } returned } => returned,
            ExpressionStatementSyntax { Expression: var expression } => expression,
            _ => null,
        } : null);
        if (forwarded is not InvocationExpressionSyntax invocation
            || CalledName(invocation.Expression) != method.Name
            || !NamesParameter(invocation, new System.Collections.Generic.List<string> { task.Name }))
            return false;
        foreach (var member in method.ContainingType.GetMembers(method.Name))
        {
            if (member is IMethodSymbol overload && !SymbolEqualityComparer.Default.Equals(overload, method)
                && overload.Parameters.Any(p => SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, task.Type.OriginalDefinition))
                && _cache.GetOrAdd(overload, _attachesContinuation))
                return true;
        }
        return false;
    }

    private static string? CalledName(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        SimpleNameSyntax name => name.Identifier.ValueText,
        _ => null,
    };

    private bool AttachesContinuation(IMethodSymbol method)
    {
        var taskParameters = method.Parameters.Where(p => _types.IsAwaitable(p.Type)).Select(p => p.Name).ToList();
        if (taskParameters.Count == 0 || method.DeclaringSyntaxReferences.IsEmpty)
            return false;

        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                switch (node)
                {
                    case AwaitExpressionSyntax { Expression: var awaited } when NamesParameter(awaited, taskParameters):
                        return true;
                    case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ContinueWith" or "GetAwaiter" or "ConfigureAwait" } access
                        when NamesParameter(access.Expression, taskParameters):
                        return true;
                }
            }
        }
        return false;
    }

    private static bool NamesParameter(ExpressionSyntax expression, System.Collections.Generic.List<string> names)
        => expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(identifier => names.Contains(identifier.Identifier.ValueText));
}

/// <summary>Shared questions of the un-awaited-task rules.</summary>
internal static class TaskUses
{
    /// <summary>The method or type behind an awaitable value, for the fire-and-forget-safe list.</summary>
    public static bool IsFireAndForgetSafe(IOperation value, TaskObservationOptions options)
    {
        var type = value.Type;
        if (type is not null && options.FireAndForgetSafe.ContainsType(type))
            return true;
        return OperationTree.Unwrap(value) is IInvocationOperation invocation && options.FireAndForgetSafe.ContainsMethod(invocation.TargetMethod);
    }
}
