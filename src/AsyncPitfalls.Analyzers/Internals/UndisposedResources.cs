using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>The common step of AP4001, AP4003 and AP4004: report a created resource that nobody looks after.</summary>
internal static class UndisposedResources
{
    /// <summary>Diagnostic property: the local that holds the resource, for the fix's <c>using</c>.</summary>
    public const string LocalProperty = "Local";

    /// <summary>
    /// Whether the resource created at <paramref name="creation"/> is left without an owner: dropped
    /// (<paramref name="local"/> is null), or kept in a local that some path neither disposes nor lets go.
    /// </summary>
    public static bool IsNotLookedAfter(OperationAnalysisContext context, IOperation creation, out ILocalSymbol? local)
        => ResourceOwnership.FateOf(creation, out local) switch
        {
            ResourceOwnership.Fate.Dropped => true,
            ResourceOwnership.Fate.Local => local is not null && !ResourceOwnership.IsLookedAfterOnEveryPath(local, creation, context),
            _ => false,
        };

    /// <summary>Reports <paramref name="rule"/> at <paramref name="creation"/>, naming the local for the fix's <c>using</c> when there is one.</summary>
    public static void Report(OperationAnalysisContext context, DiagnosticDescriptor rule, IOperation creation, ILocalSymbol? local, params object[] messageArguments)
    {
        var properties = local is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(LocalProperty, local.Name);
        context.Report(Diagnostic.Create(rule, creation.Syntax.GetLocation(), properties, messageArguments));
    }
}
