using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4001: an HttpClient, HttpClientHandler or SocketsHttpHandler that is never disposed, stored or
/// returned (the guides' ClientSession never closed): its connection pool lives until a finalizer runs.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UndisposedHttpClientAnalyzer : DiagnosticAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UndisposedHttpClient,
        title: "Dispose the HttpClients and handlers you own",
        messageFormat: "'{0}' is neither disposed, stored nor returned in {1}: its connections stay open until a finalizer runs; dispose it, or better, share one client",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "An HttpClient or handler created and then dropped keeps its connection pool, sockets and timers alive until "
            + "the garbage collector finalizes it. Dispose what you create (using), store it in a field that outlives the call, "
            + "or return it to the caller who will. Passing a handler to new HttpClient(handler) hands it over, unless "
            + "disposeHandler: false.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UndisposedHttpClient));

    /// <summary>The field shape (see <see cref="OwnedFields"/>): a client or handler the type creates and keeps, never disposed or replaced without disposing.</summary>
    internal static readonly DiagnosticDescriptor FieldRule = new(
        id: DiagnosticIds.UndisposedHttpClient,
        title: Rule.Title,
        messageFormat: "'{0}' creates the {1} in {2} and {3}",
        category: RuleCategories.Resources,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A type that creates an HttpClient or handler and keeps it in a field owns it: it must dispose it when it is "
            + "disposed itself (so it must be IDisposable), and dispose the previous one when it replaces it. Or share one static "
            + "client, or take one from IHttpClientFactory: then the type owns nothing.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UndisposedHttpClient));

    private static readonly ImmutableArray<string> FieldWords = ImmutableArray.Create("HttpClient", "SocketsHttpHandler");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule, FieldRule);

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
            start.RegisterOperationAction(c =>
            {
                var creation = (IObjectCreationOperation)c.Operation;
                if (!IsHttpClientOrHandler(creation.Type, types))
                    return;
                if (UndisposedResources.IsNotLookedAfter(c, creation, out var local))
                {
                    UndisposedResources.Report(c, Rule, creation, local,
                        local?.Name ?? $"new {creation.Type!.Name}", AsyncCode.DescribeEnclosingFunction(creation, c.ContainingSymbol));
                }
            }, OperationKind.ObjectCreation);
            OwnedFields.Register(start, types, FieldWords,
                operation => operation is IObjectCreationOperation creation && IsHttpClientOrHandler(creation.Type, types) ? new OwnedFields.Creation(holds: true, creation.Type!.Name) : null,
                element: null,
                (c, finding) => OwnedFields.Report(c, FieldRule, finding, finding.Type.Name, finding.What, UndisposedTokenSourceAnalyzer.FieldDescription(finding.Field), finding.Missing));
        });
    }

    internal static bool IsHttpClientOrHandler(ITypeSymbol? type, KnownTypes types)
        => TypeLookup.Is(type, types.HttpClient) || type?.Name is "HttpClientHandler" or "SocketsHttpHandler" && type.ContainingNamespace?.Name == "Http";
}
