using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4002: <c>new HttpClient(...)</c> per operation: in a loop, or in an ordinary method. Even
/// disposed correctly, each client opens its own connections, so nothing is reused, every call pays
/// for a new TCP (and TLS) handshake, and closed sockets pile up in TIME_WAIT.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class HttpClientPerOperationAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: present when the construction depends on nothing local, so it can move to a static field.</summary>
    internal const string HoistableProperty = "Hoistable";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.HttpClientPerOperation,
        title: "Share HttpClient instead of creating one per operation",
        messageFormat: "'new HttpClient' {0} creates a client per call: its connections are never reused and closed sockets linger in TIME_WAIT; share one static HttpClient, or use IHttpClientFactory where DI is available",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "HttpClient is meant to be created once and reused: each instance owns a connection pool. A client created per "
            + "request (even with using) opens new connections every time, pays the TCP and TLS handshakes again, and leaves "
            + "sockets in TIME_WAIT until the port range runs out. Share a static instance (with PooledConnectionLifetime for "
            + "DNS changes), or take clients from IHttpClientFactory. Program entry points, constructors, static initializers, "
            + "factories and DI registrations are where a client is meant to be created.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.HttpClientPerOperation));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.HttpClient is null)
                return;
            var factories = OptionCatalog.AllowedFactoryMethods.PerFile(start.Options, DiagnosticIds.HttpClientPerOperation);
            var handlers = RequestHandlers.For(start.Compilation);
            start.RegisterOperationAction(c => Analyze(c, types, factories, handlers), OperationKind.ObjectCreation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> factories, System.Lazy<RequestHandlers> handlers)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (!TypeLookup.Is(creation.Type, types.HttpClient))
            return;

        var inLoop = CancellationHandlers.InsideLoop(creation);
        string where;
        if (inLoop)
        {
            where = "inside a loop";
        }
        else
        {
            // A request handler runs per request wherever it is written: Main and top-level statements included.
            var handler = AsyncCode.EnclosingFunction(creation, context.ContainingSymbol) is { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction }
                ? handlers.Value.EnclosingHandler(creation)
                : null;
            if (IsWhereClientsBelong(creation, context, types, factories, inRequestHandler: handler is not null))
                return;
            where = "in " + (handler is not null ? RequestHandlers.Describe(handler) : AsyncCode.DescribeEnclosingFunction(creation, context.ContainingSymbol));
        }

        var properties = IsHoistable(creation) ? ImmutableDictionary<string, string?>.Empty.Add(HoistableProperty, "true") : ImmutableDictionary<string, string?>.Empty;
        context.Report(Diagnostic.Create(Rule, creation.Syntax.GetLocation(), properties, where));
    }

    /// <summary>
    /// Entry points, constructors and initializers run once, except for the request handlers written in
    /// them (<c>app.MapGet("/", async () => ...)</c> in top-level statements); a factory hands the client
    /// out (it returns HttpClient, or is listed in <c>allowed_factory_methods</c>); a DI registration
    /// (<c>services.AddSingleton(sp => new HttpClient())</c>) is the container's business; a client
    /// stored in a field is created once (<c>_client ??= new HttpClient()</c>).
    /// </summary>
    private static bool IsWhereClientsBelong(IObjectCreationOperation creation, OperationAnalysisContext context, KnownTypes types, PerFileOptions<SymbolNameList> factories, bool inRequestHandler)
    {
        // The analysis context's member is the one the code is written in, lambdas and local functions included.
        var member = context.ContainingSymbol;
        if (!inRequestHandler
            && (member is IFieldSymbol or IPropertySymbol
                || member is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }
                || member is IMethodSymbol method && (method.IsStatic && method.Name == "Main" || AsyncCode.IsTopLevelStatementsEntryPoint(method))))
            return true;

        var function = AsyncCode.EnclosingFunction(creation, member);
        if (function is not null && (TypeLookup.Is(function.ReturnType, types.HttpClient) || TypeLookup.Is(types.GetTaskResultType(function.ReturnType), types.HttpClient)))
            return true;
        var allowed = factories.For(creation.Syntax.SyntaxTree);
        if (member is IMethodSymbol memberMethod && allowed.ContainsMethod(memberMethod))
            return true;

        foreach (var current in creation.Ancestors())
        {
            if (current is IArgumentOperation { Parent: IInvocationOperation registration } && IsServiceRegistration(registration.TargetMethod))
                return true;
            if (current is IAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation } or ICoalesceAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation })
                return true;
        }
        return false;
    }

    private static bool IsServiceRegistration(IMethodSymbol method)
        => method.Name.StartsWith("Add", System.StringComparison.Ordinal) || method.Name.StartsWith("Try", System.StringComparison.Ordinal) || method.Name == "ConfigurePrimaryHttpMessageHandler"
            ? method.ContainingType.Name.Contains("ServiceCollection") || method.ContainingType.Name.Contains("HttpClientBuilder")
                || method.Parameters.Length > 0 && method.Parameters[0].Type.Name is "IServiceCollection" or "IHttpClientBuilder"
            : false;

    /// <summary>
    /// Whether the construction can move, as written, into a static field initializer: every part of it
    /// is a constant, a static member, a creation (a handler, a <c>Uri</c>) or a call built from those.
    /// Anything else (a local, a parameter, a primary constructor parameter, an instance member, a local
    /// function, a lambda, a method type parameter) would not compile there or would freeze one call's
    /// value into the shared client.
    /// </summary>
    private static bool IsHoistable(IObjectCreationOperation creation)
    {
        foreach (var node in creation.DescendantsAndSelf())
        {
            if (!IsStaticSafe(node) || MentionsMethodTypeParameter(node.Type))
                return false;
        }
        return true;
    }

    private static bool IsStaticSafe(IOperation node)
        => node switch
        {
            ILiteralOperation or IDefaultValueOperation or INameOfOperation or IConversionOperation
                or IBinaryOperation or IUnaryOperation or IConditionalOperation or ICoalesceOperation
                or IInterpolatedStringOperation or IInterpolatedStringTextOperation or IInterpolationOperation
                or IArgumentOperation or IObjectCreationOperation or IObjectOrCollectionInitializerOperation
                or IMemberInitializerOperation or ISimpleAssignmentOperation
                or IArrayCreationOperation or IArrayInitializerOperation => true,
            ITypeOfOperation typeOf => !MentionsMethodTypeParameter(typeOf.TypeOperand),
            // The receiver of an object initializer's member assignments: the new object itself.
            IInstanceReferenceOperation reference => reference.ReferenceKind == InstanceReferenceKind.ImplicitReceiver,
            // An instance member is safe only on a safe receiver (checked as its own descendant).
            IFieldReferenceOperation field => field.Field.IsStatic || field.Instance is not null,
            IPropertyReferenceOperation property => property.Property.IsStatic || property.Instance is not null,
            IInvocationOperation invocation => invocation.TargetMethod.MethodKind != MethodKind.LocalFunction
                && (invocation.TargetMethod.IsStatic || invocation.Instance is not null)
                && !invocation.TargetMethod.TypeArguments.Any(MentionsMethodTypeParameter),
            _ => false,
        };

    private static bool MentionsMethodTypeParameter(ITypeSymbol? type)
        => type switch
        {
            ITypeParameterSymbol parameter => parameter.TypeParameterKind == TypeParameterKind.Method,
            IArrayTypeSymbol array => MentionsMethodTypeParameter(array.ElementType),
            INamedTypeSymbol named => named.TypeArguments.Any(MentionsMethodTypeParameter)
                || named.ContainingType is not null && MentionsMethodTypeParameter(named.ContainingType),
            _ => false,
        };
}
