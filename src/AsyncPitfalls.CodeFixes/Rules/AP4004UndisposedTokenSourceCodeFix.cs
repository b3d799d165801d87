using System.Collections.Immutable;
using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Rules;

/// <summary>AP4004: <c>using var cts = new CancellationTokenSource(...);</c> (see <see cref="UsingDeclarationFix"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedTokenSourceCodeFix)), Shared]
public sealed class UndisposedTokenSourceCodeFix : UsingDeclarationFix
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UndisposedTokenSource);

    protected override string EquivalenceKey => "AP4004.Using";
}
