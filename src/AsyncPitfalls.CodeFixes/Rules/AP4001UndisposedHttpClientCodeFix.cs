using System.Composition;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.Rules;

/// <summary>AP4001: <c>using var client = new HttpClient(...);</c> (see <see cref="UsingDeclarationFix"/>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UndisposedHttpClientCodeFix)), Shared]
public sealed class UndisposedHttpClientCodeFix : UsingDeclarationFix
{
    public UndisposedHttpClientCodeFix()
        : base(DiagnosticIds.UndisposedHttpClient, "AP4001.Using")
    {
    }
}
