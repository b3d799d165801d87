using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;

namespace AsyncPitfalls.Tool.Loading;

/// <summary>What a path on the command line names: a solution, a project, or a folder holding one of them.</summary>
internal sealed class CodeTarget
{
    private static readonly string[] SolutionExtensions = [".sln", ".slnx"];
    private static readonly string[] SkippedFolders = ["bin", "obj", ".git", ".vs", "node_modules", "artifacts"];

    private CodeTarget(string? solutionPath, ImmutableArray<string> projectPaths, string repositoryRoot)
    {
        SolutionPath = solutionPath;
        ProjectPaths = projectPaths;
        RepositoryRoot = repositoryRoot;
    }

    /// <summary>The .sln or .slnx to load, when there is one.</summary>
    public string? SolutionPath { get; }

    /// <summary>The projects to load when there is no solution (one named on the command line, or every one under a folder).</summary>
    public ImmutableArray<string> ProjectPaths { get; }

    /// <summary>
    /// The folder holding .git above the path (a folder, or a file in a worktree), else the path's own folder:
    /// where the baseline lives and what reported paths are relative to.
    /// </summary>
    public string RepositoryRoot { get; }

    public string Describe() => SolutionPath ?? (ProjectPaths.Length == 1 ? ProjectPaths[0] : $"{ProjectPaths.Length} projects under {RepositoryRoot}");

    public static bool TryResolve(string path, out CodeTarget target, out string error)
    {
        target = null!;
        error = "";
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            var folder = Path.GetDirectoryName(full)!;
            if (SolutionExtensions.Contains(Path.GetExtension(full), StringComparer.OrdinalIgnoreCase))
            {
                target = new CodeTarget(full, [], FindRepositoryRoot(folder));
                return true;
            }

            if (Path.GetExtension(full).EndsWith("proj", StringComparison.OrdinalIgnoreCase))
            {
                target = new CodeTarget(null, [full], FindRepositoryRoot(folder));
                return true;
            }

            error = $"'{path}' is neither a solution (.sln, .slnx) nor a project file.";
            return false;
        }

        if (!Directory.Exists(full))
        {
            error = $"'{path}' does not exist.";
            return false;
        }

        var solutions = Directory.EnumerateFiles(full)
            .Where(f => SolutionExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (solutions.Count > 1)
        {
            error = $"'{path}' holds several solutions ({string.Join(", ", solutions.Select(Path.GetFileName))}); name the one to open.";
            return false;
        }

        if (solutions.Count == 1)
        {
            target = new CodeTarget(solutions[0], [], FindRepositoryRoot(full));
            return true;
        }

        var projects = FindProjects(full);
        if (projects.Count == 0)
        {
            error = $"'{path}' holds no solution and no C# project.";
            return false;
        }

        target = new CodeTarget(null, [.. projects], FindRepositoryRoot(full));
        return true;
    }

    /// <summary>The folder with .git at or above <paramref name="folder"/>, else <paramref name="folder"/> itself.</summary>
    public static string FindRepositoryRoot(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            var git = Path.Combine(current.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git))
                return current.FullName;
        }

        return Path.GetFullPath(folder);
    }

    private static List<string> FindProjects(string folder)
    {
        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            found.AddRange(Directory.EnumerateFiles(current, "*.csproj"));
            foreach (var child in Directory.EnumerateDirectories(current))
            {
                if (!SkippedFolders.Contains(Path.GetFileName(child), StringComparer.OrdinalIgnoreCase))
                    pending.Push(child);
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
