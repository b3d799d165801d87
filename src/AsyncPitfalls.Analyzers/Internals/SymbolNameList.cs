using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>
/// A list of method or type names from an option, separated by '|' or ','. An entry matches a
/// method by its name (<c>Cancel</c>), type and name (<c>CancellationTokenSource.Cancel</c>) or full
/// name (<c>System.Threading.CancellationTokenSource.Cancel</c>), and matches every method of a
/// type named the same three ways without the method (<c>System.IO.MemoryStream</c>). Generic
/// types are written without arity (<c>DbSet.Add</c>).
/// </summary>
internal sealed class SymbolNameList
{
    public static readonly SymbolNameList Empty = new(Enumerable.Empty<string>());

    private static readonly char[] Separators = { '|', ',' };

    // Hash sets, never changed once built: asked for every call the blocking rules see, where an immutable set's tree walk shows.
    private readonly HashSet<string> _entries;

    /// <summary>Every dot-separated part of every entry: a type whose name is not here matches nothing, with no string built.</summary>
    private readonly HashSet<string> _nameParts;

    private SymbolNameList(IEnumerable<string> entries)
    {
        _entries = new HashSet<string>(entries, StringComparer.Ordinal);
        _nameParts = new HashSet<string>(_entries.SelectMany(e => e.Split('.')), StringComparer.Ordinal);
    }

    public bool IsEmpty => _entries.Count == 0;

    public static SymbolNameList Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Empty;
        var entries = text!.Split(Separators, StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim())
            .Where(e => e.Length > 0)
            .Select(e => e.StartsWith("M:", StringComparison.Ordinal) || e.StartsWith("T:", StringComparison.Ordinal) ? e.Substring(2) : e);
        return new SymbolNameList(entries);
    }

    public static SymbolNameList Of(params string[] entries) => new(entries);

    /// <summary>Both lists; without allocating when either is empty (no option set, the usual case).</summary>
    public SymbolNameList Union(SymbolNameList other) => other.IsEmpty ? this : IsEmpty ? other : new(_entries.Concat(other._entries));

    public bool ContainsMethod(IMethodSymbol method)
        => !IsEmpty && (_entries.Contains(method.Name) || ContainsType(method.ContainingType, method.Name));

    public bool ContainsType(ITypeSymbol? type) => type is not null && !IsEmpty && ContainsType(type, member: null);

    private bool ContainsType(ITypeSymbol? type, string? member)
    {
        if (type is null || !_nameParts.Contains(type.Name))
            return false;
        var suffix = member is null ? string.Empty : "." + member;
        var fullName = FullName(type);
        return _entries.Contains(type.Name + suffix) || _entries.Contains(fullName + suffix);
    }

    private static string FullName(ITypeSymbol type)
    {
        var name = type.Name;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            name = outer.Name + "." + name;
        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            name = ns.Name + "." + name;
        return name;
    }
}
