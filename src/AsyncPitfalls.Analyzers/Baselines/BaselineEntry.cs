using System;
using System.Collections.Generic;

namespace AsyncPitfalls.Baselines;

/// <summary>
/// One finding of <c>asyncpitfalls.baseline.json</c>: what identifies a diagnostic across unrelated edits
/// (never its line). <see cref="BaselineFingerprints"/> computes it; the file's layout is <see cref="BaselineFormat"/>'s.
/// </summary>
internal sealed class BaselineEntry : IEquatable<BaselineEntry>
{
    public BaselineEntry(string rule, string file, string member, string message, int ordinal)
    {
        Rule = rule ?? "";
        File = file ?? "";
        Member = member ?? "";
        Message = message ?? "";
        Ordinal = ordinal;
    }

    /// <summary>The diagnostic id, e.g. <c>AP1002</c>.</summary>
    public string Rule { get; }

    /// <summary>The file, relative to the baseline's folder, with <c>/</c> separators.</summary>
    public string File { get; }

    /// <summary>The documentation comment id of the enclosing member; empty when there is none.</summary>
    public string Member { get; }

    /// <summary>16 lowercase hex digits: the start of the SHA-256 of the normalized message.</summary>
    public string Message { get; }

    /// <summary>0-based index among the diagnostics with the same rule, file, member and message, in source order.</summary>
    public int Ordinal { get; }

    /// <summary>The file's order: file, member, rule, message (ordinal strings), then ordinal (numeric).</summary>
    public static IComparer<BaselineEntry> Order { get; } = new FileOrder();

    public void Deconstruct(out string rule, out string file, out string member, out string message, out int ordinal)
    {
        rule = Rule;
        file = File;
        member = Member;
        message = Message;
        ordinal = Ordinal;
    }

    public bool Equals(BaselineEntry? other)
        => other is not null
            && Ordinal == other.Ordinal
            && string.Equals(Rule, other.Rule, StringComparison.Ordinal)
            && string.Equals(File, other.File, StringComparison.Ordinal)
            && string.Equals(Member, other.Member, StringComparison.Ordinal)
            && string.Equals(Message, other.Message, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as BaselineEntry);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = StringComparer.Ordinal.GetHashCode(Rule);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(File);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(Member);
            hash = (hash * 31) + StringComparer.Ordinal.GetHashCode(Message);
            return (hash * 31) + Ordinal;
        }
    }

    public override string ToString() => $"{Rule} {File} {Member} {Message} #{Ordinal}";

    private sealed class FileOrder : IComparer<BaselineEntry>
    {
        public int Compare(BaselineEntry? x, BaselineEntry? y)
        {
            if (ReferenceEquals(x, y))
                return 0;
            if (x is null)
                return -1;
            if (y is null)
                return 1;
            var order = string.CompareOrdinal(x.File, y.File);
            if (order == 0)
                order = string.CompareOrdinal(x.Member, y.Member);
            if (order == 0)
                order = string.CompareOrdinal(x.Rule, y.Rule);
            if (order == 0)
                order = string.CompareOrdinal(x.Message, y.Message);
            return order != 0 ? order : x.Ordinal.CompareTo(y.Ordinal);
        }
    }
}
