using System.Collections.Immutable;
using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Rules;

/// <summary>AP4003: <c>using var response = await http.GetAsync(...);</c> (see <see cref="UsingDeclarationFix"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedResponseCodeFix)), Shared]
public sealed class UndisposedResponseCodeFix : UsingDeclarationFix
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.UndisposedResponse);

    protected override string EquivalenceKey => "AP4003.Using";
}
