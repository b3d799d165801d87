using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// ASP.NET Core request handlers written in place: the lambda (or local function) given to
/// <c>app.MapGet("/weather", async () => ...)</c> and the other endpoint mappings, or to
/// <c>app.Run(async context => ...)</c> and <c>app.Use(async (context, next) => ...)</c>. The code
/// around the call runs once, at start-up (often in <c>Main</c> or top-level statements); the handler
/// runs once per request. Recognised by the receiver (an <c>IEndpointRouteBuilder</c>,
/// <c>IApplicationBuilder</c> or <c>IRouteBuilder</c>) and by the parameter the handler is passed to
/// (<c>Delegate</c>, <c>RequestDelegate</c>, or a delegate taking the <c>HttpContext</c>): a lambda
/// that configures the pipeline (<c>app.Map("/branch", branch => ...)</c>) runs once and is no handler.
/// A middleware factory (<c>app.Use(next => async context => ...)</c>) runs once too, at start-up; the
/// <c>RequestDelegate</c> it returns is the handler. A local function is one when passed by name, or when
/// only handlers call it.
/// The ASP.NET types are resolved on first use, once per compilation: most compilations never ask.
/// </summary>
internal sealed class RequestHandlers
{
    private readonly INamedTypeSymbol? _endpointRouteBuilder;
    private readonly INamedTypeSymbol? _applicationBuilder;
    private readonly INamedTypeSymbol? _routeBuilder;
    private readonly INamedTypeSymbol? _requestDelegate;
    private readonly INamedTypeSymbol? _httpContext;

    private RequestHandlers(Compilation compilation)
    {
        _endpointRouteBuilder = compilation.GetBestType("Microsoft.AspNetCore.Routing.IEndpointRouteBuilder");
        _applicationBuilder = compilation.GetBestType("Microsoft.AspNetCore.Builder.IApplicationBuilder");
        _routeBuilder = compilation.GetBestType("Microsoft.AspNetCore.Routing.IRouteBuilder");
        _requestDelegate = compilation.GetBestType("Microsoft.AspNetCore.Http.RequestDelegate");
        _httpContext = compilation.GetBestType("Microsoft.AspNetCore.Http.HttpContext");
    }

    /// <summary>Created when a rule first asks, at most once per compilation start (the caller holds it in a <c>Lazy</c>).</summary>
    public static System.Lazy<RequestHandlers> For(Compilation compilation)
        => new(() => new RequestHandlers(compilation));

    private bool HasReceiverTypes => _endpointRouteBuilder is not null || _applicationBuilder is not null || _routeBuilder is not null;

    /// <summary>
    /// The innermost request handler around <paramref name="operation"/>: the mapping call it is passed
    /// to, or null when the operation is in no handler. A lambda nested in a handler
    /// (<c>Task.Run(() => ...)</c> inside it) runs per request too, so every enclosing function counts.
    /// </summary>
    public IInvocationOperation? EnclosingHandler(IOperation operation)
        => HasReceiverTypes ? EnclosingHandler(operation, visiting: null) : null;

    private IInvocationOperation? EnclosingHandler(IOperation operation, HashSet<IMethodSymbol>? visiting)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda when HandlerRegistration(lambda) is { } registration:
                    return registration;
                case ILocalFunctionOperation localFunction when LocalFunctionRegistration(localFunction, visiting) is { } registration:
                    return registration;
            }
        }
        return null;
    }

    /// <summary>
    /// A local function passed by name (<c>app.MapGet("/", Handle)</c>) from the body it is declared in, or
    /// one only handlers call: every call of it is in a handler (the registration of the first one in the text).
    /// </summary>
    /// <remarks>
    /// Calls count only when all of them are in handlers. A local function also called at start-up (from
    /// <c>Main</c>, the top-level statements or a pipeline lambda) is start-up code too, where creating a client is
    /// what the rule asks for, and its call in a handler may be a guarded, rare one: the rule cannot tell how often
    /// a call runs, so it stays silent, as for a function stored in a delegate or called by nobody. Passed by name
    /// to a mapping, the function is the handler and runs once per request whatever else calls it.
    /// </remarks>
    private IInvocationOperation? LocalFunctionRegistration(ILocalFunctionOperation localFunction, HashSet<IMethodSymbol>? visiting)
    {
        if (localFunction.Parent is null)
            return null;
        var symbol = localFunction.Symbol.OriginalDefinition;
        var calls = new List<IInvocationOperation>();
        var onlyCalled = true;
        foreach (var node in localFunction.Parent.Descendants())
        {
            switch (node)
            {
                case IMethodReferenceOperation reference when SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, symbol):
                    if (HandlerRegistration(reference) is { } registration)
                        return registration;
                    // Stored or passed elsewhere: who calls it, and how often, is out of sight.
                    onlyCalled = false;
                    break;
                // Its calls of itself say nothing about how often it runs.
                case IInvocationOperation invocation when SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.OriginalDefinition, symbol)
                    && !IsInside(invocation, localFunction):
                    calls.Add(invocation);
                    break;
            }
        }
        if (!onlyCalled || calls.Count == 0)
            return null;

        // Local functions calling each other in a cycle: a call from one already being looked at proves nothing.
        visiting ??= new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        if (!visiting.Add(symbol))
            return null;
        IInvocationOperation? first = null;
        foreach (var call in calls)
        {
            if (EnclosingHandler(call, visiting) is not { } registration)
            {
                first = null;
                break;
            }
            if (first is null || registration.Syntax.SpanStart < first.Syntax.SpanStart)
                first = registration;
        }
        visiting.Remove(symbol);
        return first;
    }

    private static bool IsInside(IOperation operation, IOperation container)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor == container)
                return true;
        }
        return false;
    }

    /// <summary>
    /// The call that takes <paramref name="function"/> (a lambda or method reference) as its request handler, or
    /// the <c>Use</c> call of the middleware factory that returns it as the request delegate.
    /// </summary>
    private IInvocationOperation? HandlerRegistration(IOperation function)
    {
        var current = function.Parent;
        ITypeSymbol? delegateType = null;
        while (current is IDelegateCreationOperation or IConversionOperation)
        {
            delegateType ??= current.Type;
            current = current.Parent;
        }
        if (current is IReturnOperation { Kind: OperationKind.Return } returned)
            return MiddlewareFactoryRegistration(returned, delegateType);
        if (current is not IArgumentOperation { Parent: IInvocationOperation invocation, Parameter: { } parameter })
            return null;
        // Name first: only these methods take handlers, and most calls with lambdas are LINQ.
        var method = invocation.TargetMethod;
        var isMapping = method.Name.StartsWith("Map", System.StringComparison.Ordinal);
        if (!isMapping && method.Name is not ("Run" or "Use"))
            return null;
        if (!IsHandlerParameter(parameter.Type, isMapping) || !IsRouteOrPipelineBuilder(Receiver(invocation)))
            return null;
        return invocation;
    }

    /// <summary>
    /// <c>app.Use(next => async context => ...)</c>: the <c>Func&lt;RequestDelegate, RequestDelegate&gt;</c> runs once, when
    /// the pipeline is built; the delegate it returns (the value of <paramref name="returned"/>) serves every request.
    /// Only a function the factory lambda returns itself: the factory's code before its <c>return</c> is start-up
    /// code, and so is a lambda nested in the factory that returns something.
    /// </summary>
    private IInvocationOperation? MiddlewareFactoryRegistration(IReturnOperation returned, ITypeSymbol? delegateType)
    {
        if (_requestDelegate is null || delegateType is null || !IsHandlerParameter(delegateType, isMapping: false))
            return null;
        // The function the return belongs to: the nearest enclosing one.
        IAnonymousFunctionOperation? factory = null;
        foreach (var ancestor in returned.Ancestors())
        {
            if (ancestor is ILocalFunctionOperation)
                return null;
            if (ancestor is IAnonymousFunctionOperation lambda)
            {
                factory = lambda;
                break;
            }
        }
        var current = factory?.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
            current = current.Parent;
        if (current is not IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "Use" } invocation, Parameter.Type: INamedTypeSymbol parameterType }
            || !IsMiddlewareFactory(parameterType)
            || !IsRouteOrPipelineBuilder(Receiver(invocation)))
            return null;
        return invocation;
    }

    /// <summary><c>Func&lt;RequestDelegate, RequestDelegate&gt;</c>, or another delegate of that shape.</summary>
    private bool IsMiddlewareFactory(INamedTypeSymbol type)
        => type is { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { Parameters: { Length: 1 } parameters } invoke }
            && SymbolEqualityComparer.Default.Equals(parameters[0].Type, _requestDelegate)
            && SymbolEqualityComparer.Default.Equals(invoke.ReturnType, _requestDelegate);

    /// <summary>
    /// <c>Delegate</c> (a minimal API handler, for mappings only: any delegate converts to it), <c>RequestDelegate</c>,
    /// or a delegate whose first parameter is the request's <c>HttpContext</c>.
    /// </summary>
    private bool IsHandlerParameter(ITypeSymbol type, bool isMapping)
    {
        if (type.SpecialType == SpecialType.System_Delegate)
            return isMapping;
        if (_requestDelegate is not null && SymbolEqualityComparer.Default.Equals(type, _requestDelegate))
            return true;
        return _httpContext is not null
            && type is INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { Parameters: { Length: > 0 } parameters } }
            && SymbolEqualityComparer.Default.Equals(parameters[0].Type, _httpContext);
    }

    /// <summary>The object the call is made on: the <c>this</c> parameter's type for an extension method.</summary>
    private static ITypeSymbol? Receiver(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        // IOperation shows extension calls unreduced: the receiver is the first argument.
        if (method.IsExtensionMethod && method.Parameters.Length > 0)
            return method.ReducedFrom is not null ? method.ReceiverType : method.Parameters[0].Type;
        return invocation.Instance?.Type;
    }

    private bool IsRouteOrPipelineBuilder(ITypeSymbol? type)
        => type is not null && (Implements(type, _endpointRouteBuilder) || Implements(type, _applicationBuilder) || Implements(type, _routeBuilder));

    private static bool Implements(ITypeSymbol type, INamedTypeSymbol? @interface)
    {
        if (@interface is null)
            return false;
        if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, @interface))
            return true;
        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented.OriginalDefinition, @interface))
                return true;
        }
        return false;
    }

    /// <summary>
    /// How a message names the handler of <paramref name="registration"/>: "the handler of MapGet(\"/weather\")"
    /// when the route is a constant, else "the handler passed to 'Use'".
    /// </summary>
    public static string Describe(IInvocationOperation registration)
    {
        // The route is the one constant string among the arguments (the receiver never is one).
        foreach (var argument in registration.Arguments)
        {
            if (argument.Value.ConstantValue is { HasValue: true, Value: string route } && route.Length <= 80)
                return $"the handler of {registration.TargetMethod.Name}(\"{route}\")";
        }
        return $"the handler passed to '{registration.TargetMethod.Name}'";
    }
}
