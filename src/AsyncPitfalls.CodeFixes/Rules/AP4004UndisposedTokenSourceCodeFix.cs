using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Rules;

/// <summary>AP4004: <c>using var cts = new CancellationTokenSource(...);</c> (see <see cref="UsingDeclarationFix"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedTokenSourceCodeFix)), Shared]
public sealed class UndisposedTokenSourceCodeFix : UsingDeclarationFix
{
    public UndisposedTokenSourceCodeFix()
        : base(DiagnosticIds.UndisposedTokenSource, "AP4004.Using")
    {
    }

    protected override bool DisposesBeforeReplacing => true;
}
