using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Rules;

/// <summary>AP4003: <c>using var response = await http.GetAsync(...);</c> (see <see cref="UsingDeclarationFix"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedResponseCodeFix)), Shared]
public sealed class UndisposedResponseCodeFix : UsingDeclarationFix
{
    public UndisposedResponseCodeFix()
        : base(DiagnosticIds.UndisposedResponse, "AP4003.Using")
    {
    }
}
