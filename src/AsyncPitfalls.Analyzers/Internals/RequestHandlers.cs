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
    {
        if (!HasReceiverTypes)
            return null;
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda when HandlerRegistration(lambda) is { } registration:
                    return registration;
                case ILocalFunctionOperation localFunction when LocalFunctionRegistration(localFunction) is { } registration:
                    return registration;
            }
        }
        return null;
    }

    /// <summary>A local function passed by name (<c>app.MapGet("/", Handle)</c>) from the body it is declared in.</summary>
    private IInvocationOperation? LocalFunctionRegistration(ILocalFunctionOperation localFunction)
    {
        if (localFunction.Parent is null)
            return null;
        foreach (var node in localFunction.Parent.Descendants())
        {
            if (node is IMethodReferenceOperation reference
                && SymbolEqualityComparer.Default.Equals(reference.Method.OriginalDefinition, localFunction.Symbol.OriginalDefinition)
                && HandlerRegistration(reference) is { } registration)
                return registration;
        }
        return null;
    }

    /// <summary>The call that takes <paramref name="function"/> (a lambda or method reference) as its request handler.</summary>
    private IInvocationOperation? HandlerRegistration(IOperation function)
    {
        var current = function.Parent;
        while (current is IDelegateCreationOperation or IConversionOperation)
            current = current.Parent;
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
