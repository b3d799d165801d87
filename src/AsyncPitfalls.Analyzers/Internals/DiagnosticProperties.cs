namespace AsyncPitfalls.Internals;

/// <summary>
/// Keys of <c>Diagnostic.Properties</c>: what an analyzer tells its code fix, so that fixes never
/// repeat the analysis.
/// </summary>
internal static class DiagnosticProperties
{
    /// <summary>C# text of the CancellationToken to forward (absent when none is in scope or it is ambiguous).</summary>
    public const string CancellationToken = "CancellationToken";

    /// <summary>Present when the enclosing function is not yet <c>async</c> and the fix must make it so.</summary>
    public const string MakeEnclosingAsync = "MakeEnclosingAsync";
}
