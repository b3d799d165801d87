using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace AsyncPitfalls.Internals;

internal static class FixedDocuments
{
    /// <summary>
    /// The last step of every fix: adds the usings that the inserted type names need (those built by
    /// <see cref="AwaitSyntax.TaskType"/>); the code action's own clean-up then simplifies and formats.
    /// </summary>
    public static Task<Document> WithRootAsync(Document document, SyntaxNode newRoot, CancellationToken cancellationToken)
        => ImportAdder.AddImportsAsync(document.WithSyntaxRoot(newRoot), Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken);
}
