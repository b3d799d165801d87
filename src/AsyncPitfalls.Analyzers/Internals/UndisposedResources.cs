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
    /// Reports <paramref name="rule"/> at <paramref name="creation"/> when the resource is dropped, or
    /// kept in a local that some path neither disposes nor lets go. <paramref name="messageArguments"/>
    /// makes the message's arguments from the local (null when the resource is dropped unnamed).
    /// </summary>
    public static void ReportIfNotLookedAfter(OperationAnalysisContext context, IOperation creation, DiagnosticDescriptor rule, System.Func<ILocalSymbol?, object[]> messageArguments)
    {
        switch (ResourceOwnership.FateOf(creation, out var local))
        {
            case ResourceOwnership.Fate.Dropped:
                context.ReportDiagnostic(Diagnostic.Create(rule, creation.Syntax.GetLocation(), messageArguments(null)));
                break;
            case ResourceOwnership.Fate.Local when local is not null && !ResourceOwnership.IsLookedAfterOnEveryPath(local, creation, context):
                var properties = ImmutableDictionary<string, string?>.Empty.Add(LocalProperty, local.Name);
                context.ReportDiagnostic(Diagnostic.Create(rule, creation.Syntax.GetLocation(), properties, messageArguments(local)));
                break;
        }
    }
}
