using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Host;
using Microsoft.CodeAnalysis.MSBuild;

namespace AsyncPitfalls.Tool.Loading;

/// <summary>
/// The projects of a solution, project or folder as MSBuild evaluates them: descriptions only (documents, references,
/// .editorconfig and global config files, analyzer and generator references), no text read and nothing compiled yet.
/// Holds the MSBuild workspace they came from (never asked for a compilation), which owns the analyzer and generator
/// assemblies they load.
/// </summary>
internal sealed class LoadedCode : IDisposable
{
    private readonly Workspace _workspace;

    public LoadedCode(Workspace workspace, ImmutableArray<ProjectInfo> projects, ImmutableArray<string> problems)
    {
        _workspace = workspace;
        Projects = projects;
        Problems = problems;
    }

    /// <summary>The workspace services (C# included) that each project's own snapshot is created with.</summary>
    public HostServices Host => _workspace.Services.HostServices;

    public ImmutableArray<ProjectInfo> Projects { get; }

    /// <summary>What MSBuild could not load (a project that failed to evaluate or build, a language without support).</summary>
    public ImmutableArray<string> Problems { get; }

    public void Dispose() => _workspace.Dispose();
}

internal static class CodeLoader
{
    public static async Task<LoadedCode> LoadAsync(CodeTarget target, TextWriter progress, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var workspace = MSBuildWorkspace.Create();
        // Failures only: MSBuild's warnings (an additional file listed twice, say) change nothing the rules see.
        using var failures = workspace.RegisterWorkspaceFailedHandler(e =>
        {
            if (e.Diagnostic.Kind != WorkspaceDiagnosticKind.Failure)
                return;
            lock (problems)
                problems.Add(e.Diagnostic.Message);
        });
        try
        {
            var loader = new MSBuildProjectLoader(workspace);
            var reporter = new LoadProgress(progress);

            ImmutableArray<ProjectInfo> projects;
            if (target.SolutionPath is not null)
            {
                progress.WriteLine($"Loading {target.SolutionPath}");
                var solution = await loader.LoadSolutionInfoAsync(target.SolutionPath, reporter, cancellationToken: cancellationToken);
                projects = solution.Projects.ToImmutableArray();
            }
            else
            {
                // One map for all the projects, so a project that several of them reference is loaded once.
                var map = ProjectMap.Create();
                var byId = new Dictionary<ProjectId, ProjectInfo>();
                foreach (var path in target.ProjectPaths)
                {
                    progress.WriteLine($"Loading {path}");
                    foreach (var info in await loader.LoadProjectInfoAsync(path, map, reporter, cancellationToken: cancellationToken))
                        byId.TryAdd(info.Id, info);
                }

                projects = byId.Values.ToImmutableArray();
            }

            lock (problems)
                return new LoadedCode(workspace, projects, problems.ToImmutableArray());
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    /// <summary>One stderr line per project as MSBuild finishes it (evaluation and design-time build of one target framework).</summary>
    private sealed class LoadProgress(TextWriter writer) : IProgress<ProjectLoadProgress>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Report(ProjectLoadProgress value)
        {
            if (value.Operation != ProjectLoadOperation.Resolve)
                return;
            var framework = string.IsNullOrEmpty(value.TargetFramework) ? "" : $" ({value.TargetFramework})";
            lock (writer)
                writer.WriteLine($"  loaded {Path.GetFileName(value.FilePath)}{framework} at {_clock.Elapsed.TotalSeconds:0.0} s");
        }
    }
}
