using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The one answer to "does this document's language version allow it", for every fix whose code needs
/// more than C# 7.3. The version is the document's own (its project's LangVersion): a netstandard2.0 or
/// net472 library compiles at C# 7.3 by default, netcoreapp3.x at 8, net5 at 9, net6 at 10, net8 at 12.
/// A fix asks here and writes the older form or offers nothing; it never emits syntax the project
/// cannot compile.
/// </summary>
internal static class LanguageFeatures
{
    /// <summary>C# 8: <c>using var x = ...;</c>.</summary>
    public static bool AllowsUsingDeclarations(SyntaxNode node) => IsAtLeast(node, LanguageVersion.CSharp8);

    /// <summary>C# 8: <c>await using</c>, as a statement or a declaration.</summary>
    public static bool AllowsAwaitUsing(SyntaxNode node) => IsAtLeast(node, LanguageVersion.CSharp8);

    /// <summary>C# 9: <c>x is not T</c>.</summary>
    public static bool AllowsNotPatterns(SyntaxNode node) => IsAtLeast(node, LanguageVersion.CSharp9);

    /// <summary>
    /// C# 13: a ref struct local (<c>Span&lt;T&gt;</c>) in an async method, when it is not used across an
    /// await. (A constant, not <c>LanguageVersion.CSharp13</c>: the fixes also run on Roslyn 4.8.)
    /// </summary>
    public static bool AllowsRefStructLocalsInAsyncMethods(SyntaxNode node) => IsAtLeast(node, (LanguageVersion)1300);

    /// <summary>
    /// The tree's effective version (<c>LanguageVersion</c> maps Default and Latest to a number) is
    /// <paramref name="minimum"/> or newer; a tree without C# parse options is taken as the newest.
    /// </summary>
    private static bool IsAtLeast(SyntaxNode node, LanguageVersion minimum)
        => node.SyntaxTree.Options is not CSharpParseOptions options || options.LanguageVersion >= minimum;
}
