using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace AsyncPitfalls.RealCode;

/// <summary>What applying one fix did: offered or not, and the compiler errors it added to the documents it changed.</summary>
public sealed record FixAttempt(string Library, string Rule, string File, int Line, bool FixAll, bool Offered, string Title, IReadOnlyList<string> NewErrors, string? Exception)
{
    public bool Broke => NewErrors.Count > 0 || Exception is not null;

    public string Describe()
        => $"{Library} {Rule} {File}:{Line} '{Title}'{(FixAll ? " (Fix All in the document)" : "")}: "
            + (Exception ?? $"{NewErrors.Count} new errors, first: {NewErrors[0]}");
}

/// <summary>
/// Applies every AsyncPitfalls code fix to every diagnostic of one library, as a user would: the fix's first action
/// (the one an editor lists first), through its <see cref="CodeFixProvider"/>, and Fix All once per rule and
/// document with the equivalence key of that document's first fixable diagnostic (what an editor and
/// 'dotnet format' pass). A fix breaks the code when the documents it changed have compiler errors they did not
/// have before; only those documents are compiled again, so the pass stays cheap. Errors a fix causes in other
/// documents (a changed public signature) are not seen here.
/// </summary>
public static class CodeFixPass
{
    private static readonly Lazy<IReadOnlyDictionary<string, CodeFixProvider>> s_providers = new(LoadProviders);

    public static async Task<IReadOnlyList<FixAttempt>> RunAsync(string library, Project project, Compilation compilation, IEnumerable<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var documents = new Dictionary<SyntaxTree, Document>();
        foreach (var document in project.Documents)
            documents[(await document.GetSyntaxTreeAsync(cancellationToken))!] = document;

        var errorsBefore = new Dictionary<SyntaxTree, List<string>>();
        var attempts = new List<FixAttempt>();
        var fixable = diagnostics
            .Where(d => s_providers.Value.ContainsKey(d.Id) && d.Location.SourceTree is { } tree && documents.ContainsKey(tree))
            .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start)
            .ToList();
        var firstKeys = new Dictionary<(string Rule, SyntaxTree Tree), string?>();
        foreach (var diagnostic in fixable)
        {
            var document = documents[diagnostic.Location.SourceTree!];
            var provider = s_providers.Value[diagnostic.Id];
            CodeAction? action = null;
            try
            {
                var actions = new List<CodeAction>();
                await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => actions.Add(a), cancellationToken));
                action = actions.FirstOrDefault();
                var key = (diagnostic.Id, diagnostic.Location.SourceTree!);
                if (action is not null && !firstKeys.ContainsKey(key))
                    firstKeys[key] = action.EquivalenceKey;
                var errors = action is null ? Array.Empty<string>() : await NewErrorsAsync(action, project.Solution, compilation, errorsBefore, cancellationToken);
                attempts.Add(Attempt(diagnostic, fixAll: false, action, errors, exception: null));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                attempts.Add(Attempt(diagnostic, fixAll: false, action, Array.Empty<string>(), $"{exception.GetType().Name}: {exception.Message}"));
            }
        }

        foreach (var group in fixable.GroupBy(d => (Rule: d.Id, Tree: d.Location.SourceTree!)))
        {
            if (!firstKeys.TryGetValue(group.Key, out var equivalenceKey))
                continue;
            var document = documents[group.Key.Tree];
            var provider = s_providers.Value[group.Key.Rule];
            CodeAction? action = null;
            try
            {
                var context = new FixAllContext(document, provider, FixAllScope.Document, equivalenceKey, new[] { group.Key.Rule },
                    new DocumentDiagnostics(document, group.ToImmutableArray()), cancellationToken);
                action = provider.GetFixAllProvider() is { } fixAll ? await fixAll.GetFixAsync(context) : null;
                var errors = action is null ? Array.Empty<string>() : await NewErrorsAsync(action, project.Solution, compilation, errorsBefore, cancellationToken);
                attempts.Add(Attempt(group.First(), fixAll: true, action, errors, exception: null));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                attempts.Add(Attempt(group.First(), fixAll: true, action, Array.Empty<string>(), $"{exception.GetType().Name}: {exception.Message}"));
            }
        }
        return attempts;

        FixAttempt Attempt(Diagnostic diagnostic, bool fixAll, CodeAction? action, IReadOnlyList<string> errors, string? exception)
            => new(library, diagnostic.Id, diagnostic.Location.SourceTree!.FilePath.Replace('\\', '/'), diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1,
                fixAll, action is not null, action?.Title ?? "", errors, exception);
    }

    /// <summary>
    /// The errors of the changed documents after the action that they did not have before (compared as a multiset of
    /// id and message, since lines move), each as "CSxxxx (line n): message" on the changed text.
    /// </summary>
    private static async Task<IReadOnlyList<string>> NewErrorsAsync(CodeAction action, Solution solution, Compilation compilation, Dictionary<SyntaxTree, List<string>> errorsBefore, CancellationToken cancellationToken)
    {
        var operations = await action.GetOperationsAsync(cancellationToken);
        if (operations.OfType<ApplyChangesOperation>().FirstOrDefault() is not { } apply)
            return Array.Empty<string>();
        var changedIds = apply.ChangedSolution.GetChanges(solution).GetProjectChanges().SelectMany(p => p.GetChangedDocuments()).ToList();
        var changed = new List<(SyntaxTree Before, SyntaxTree After)>();
        var fixedCompilation = compilation;
        foreach (var id in changedIds)
        {
            var before = (await solution.GetDocument(id)!.GetSyntaxTreeAsync(cancellationToken))!;
            var after = (await apply.ChangedSolution.GetDocument(id)!.GetSyntaxTreeAsync(cancellationToken))!;
            fixedCompilation = fixedCompilation.ReplaceSyntaxTree(before, after);
            changed.Add((before, after));
        }

        var newErrors = new List<string>();
        foreach (var (before, after) in changed)
        {
            if (!errorsBefore.TryGetValue(before, out var old))
                errorsBefore[before] = old = Errors(compilation, before).Select(e => e.Key).ToList();
            var remaining = old.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            foreach (var (key, error) in Errors(fixedCompilation, after))
            {
                if (remaining.TryGetValue(key, out var count) && count > 0)
                    remaining[key] = count - 1;
                else
                    newErrors.Add($"{error.Id} (line {error.Location.GetLineSpan().StartLinePosition.Line + 1}): {error.GetMessage(CultureInfo.InvariantCulture)}");
            }
        }
        return newErrors;
    }

    private static IEnumerable<(string Key, Diagnostic Error)> Errors(Compilation compilation, SyntaxTree tree)
        => compilation.GetSemanticModel(tree).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => (d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture), d));

    private static IReadOnlyDictionary<string, CodeFixProvider> LoadProviders()
        => typeof(AsyncPitfalls.Internals.EditCodeFixProvider).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .SelectMany(p => p.FixableDiagnosticIds.Select(id => (Id: id, Provider: p)))
            .ToDictionary(p => p.Id, p => p.Provider);

    /// <summary>Per rule, over every library: the diagnostics, the fixes offered and the fixes that broke the code.</summary>
    public static string Markdown(IReadOnlyList<FixAttempt> attempts, TimeSpan elapsed)
    {
        var md = new StringBuilder();
        md.AppendLine($"Every fix applied to every diagnostic that has one ({elapsed.TotalMinutes:F1} min for all libraries). A fix *breaks* the code when the");
        md.AppendLine("document it changed has a compiler error it did not have before (or the fix threw). Fix All runs once per rule and document.");
        md.AppendLine();
        md.AppendLine("| Rule | Diagnostics | Fix offered | Fix broke the code | Fix All (documents) | Fix All broke the code |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        var byRule = attempts.GroupBy(a => a.Rule).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var rule in byRule)
            md.AppendLine(Row(rule.Key, rule.ToList()));
        md.AppendLine(Row("**all**", attempts));

        var broken = attempts.Where(a => a.Broke).ToList();
        md.AppendLine();
        if (broken.Count == 0)
        {
            md.AppendLine("No fix introduced a compiler error.");
        }
        else
        {
            md.AppendLine("The fixes that broke the code, with the first new error of each:");
            md.AppendLine();
            foreach (var attempt in broken)
                md.AppendLine("- " + attempt.Describe().Replace("|", "\\|", StringComparison.Ordinal));
        }
        return md.ToString();

        static string Row(string rule, IReadOnlyList<FixAttempt> of)
        {
            var single = of.Where(a => !a.FixAll).ToList();
            var fixAll = of.Where(a => a.FixAll).ToList();
            return $"| {rule} | {single.Count} | {single.Count(a => a.Offered)} | {single.Count(a => a.Broke)} | {fixAll.Count} | {fixAll.Count(a => a.Broke)} |";
        }
    }

    /// <summary>The diagnostics of one rule in one document, for Fix All at document scope.</summary>
    private sealed class DocumentDiagnostics(Document document, ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document d, CancellationToken cancellationToken)
            => Task.FromResult(d.Id == document.Id ? diagnostics.AsEnumerable() : Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => GetDocumentDiagnosticsAsync(document, cancellationToken);
    }
}
