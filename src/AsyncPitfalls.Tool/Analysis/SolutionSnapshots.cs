using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Host;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>
/// The solution the projects are compiled in, replaced by a fresh one (no compilation computed) whenever the managed
/// heap, once collected, is above the limit. Projects being analyzed keep the snapshot they started with; the old one
/// goes when the last of them is done.
/// </summary>
internal sealed class SolutionSnapshots
{
    private readonly object _gate = new();
    private readonly HostServices _host;
    private readonly ImmutableArray<ProjectInfo> _projects;
    private readonly long _limitBytes;
    private Solution _current;

    public SolutionSnapshots(HostServices host, ImmutableArray<ProjectInfo> projects, long limitBytes)
    {
        _host = host;
        _projects = projects;
        _limitBytes = limitBytes;
        _current = Create();
    }

    public Solution Current
    {
        get
        {
            lock (_gate)
                return _current;
        }
    }

    /// <summary>How often the cached compilations were dropped.</summary>
    public int Resets { get; private set; }

    /// <summary>Called when a project is done: drops the cached compilations if they hold more than the limit.</summary>
    public void AfterProject()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) <= _limitBytes)
            return;
        lock (_gate)
        {
            // Garbage does not count: only what the snapshot still holds.
            if (GC.GetTotalMemory(forceFullCollection: true) <= _limitBytes)
                return;
            _current = Create();
            Resets++;
        }
    }

    private Solution Create()
    {
        // The workspace only hands out the solution; it holds nothing the snapshot does not.
        var workspace = new AdhocWorkspace(_host);
        return workspace.AddSolution(SolutionInfo.Create(SolutionId.CreateNewId(), VersionStamp.Default, projects: _projects));
    }
}
