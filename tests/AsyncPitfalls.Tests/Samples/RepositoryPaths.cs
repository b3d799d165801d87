using System;
using System.IO;

namespace AsyncPitfalls.Tests.Samples;

internal static class RepositoryPaths
{
    /// <summary>The folder holding AsyncPitfalls.sln, found upward from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AsyncPitfalls.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("AsyncPitfalls.sln not found above " + AppContext.BaseDirectory);
    }
}
