using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Orders locations by file path, then position: whole-program rules pick their witnesses in this
/// order so that messages do not vary between builds, without building a key string per location.
/// </summary>
internal sealed class SourceOrder : IComparer<Location?>
{
    public static readonly SourceOrder Instance = new();

    public int Compare(Location? x, Location? y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        if (x is null)
            return -1;
        if (y is null)
            return 1;
        var byPath = string.CompareOrdinal(x.SourceTree?.FilePath, y.SourceTree?.FilePath);
        return byPath != 0 ? byPath : x.SourceSpan.Start.CompareTo(y.SourceSpan.Start);
    }
}
